package trackdechets

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// BenchmarkHostileQuery is the anonymous 26 KB query of one field
// repeated 2,000 times, answered 400 by the token bound.
func BenchmarkHostileQuery(b *testing.B) {
	w, err := world.Load(strings.NewReader(fuzzWorld), world.Schemas{Name: Schema()})
	if err != nil {
		b.Fatal(err)
	}
	h := New(w, Options{}).Handler()
	body := `{"query":"{` + strings.Repeat("me { email } ", 2000) + `}"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, APIPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}
