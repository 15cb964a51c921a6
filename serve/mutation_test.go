package serve

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestGuardLoopbackAddresses: the admin API answers a request that names
// it by a loopback address (IPv4 or IPv6) as by "localhost" or a name it
// is advertised as, and refuses any other address with 403.
func TestGuardLoopbackAddresses(t *testing.T) {
	t.Parallel()
	h := guard([]string{"mail.test"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	for host, want := range map[string]int{
		"127.0.0.1:8025": http.StatusNoContent,
		"[::1]:8025":     http.StatusNoContent,
		"127.0.0.2":      http.StatusNoContent,
		"localhost:1":    http.StatusNoContent,
		"mail.test:1":    http.StatusNoContent,
		"10.0.0.1:8025":  http.StatusForbidden,
		"evil.test":      http.StatusForbidden,
	} {
		r := httptest.NewRequest(http.MethodGet, "/api/world", nil)
		r.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
}
