package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// TestOpenAPICoversEveryRoute: every route registered on the admin router
// is in GET /api/openapi.json with its method, and every path and method
// in the document answers (not the router's 404 or 405).
func TestOpenAPICoversEveryRoute(t *testing.T) {
	inst, err := Start(Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(context.Background())
	h := newAdmin(inst.Mocks, inst.Manifest, nil)
	router := h.(*mux.Router)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != http.StatusOK || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("GET /api/openapi.json: HTTP %d %v", rec.Code, err)
	}
	registered := 0
	err = router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, err := route.GetMethods()
		if err != nil {
			return err
		}
		for _, m := range methods {
			registered++
			if _, ok := doc.Paths[path][strings.ToLower(m)]; !ok {
				t.Errorf("%s %s is registered but not in the OpenAPI document", m, path)
			}
		}
		return nil
	})
	if err != nil || registered < 30 {
		t.Fatalf("walking the router: %v (%d routes)", err, registered)
	}
	documented := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			documented++
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(strings.ToUpper(method), path, nil))
			if rec.Code == http.StatusMethodNotAllowed || strings.Contains(rec.Body.String(), "no such endpoint") {
				t.Errorf("%s %s is in the document but answers HTTP %d %s", method, path, rec.Code, rec.Body)
			}
		}
	}
	if documented != registered {
		t.Errorf("the document has %d operations, the router %d", documented, registered)
	}
}
