package authserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestFaultNeedsItsPoint: an endpoint mounted without FaultAt answers with
// a server error naming the mistake, never as if no fault were armed;
// mounted through it, its point is declared and its faults strike.
func TestFaultNeedsItsPoint(t *testing.T) {
	t.Parallel()
	w := world.New()
	s := &Server{world: w, profile: Profile{Name: "p"}}
	ask := func(r *http.Request) *Failure { return s.Fault(r) }
	if f := ask(httptest.NewRequest(http.MethodPost, "/token", nil)); f == nil || f.Kind != ServerError ||
		!strings.Contains(f.Description, "FaultAt") {
		t.Fatalf("undeclared: %+v", f)
	}
	var got *Failure
	h := s.FaultAt("token", func(_ http.ResponseWriter, r *http.Request) { got = s.Fault(r) })
	if pts := w.FaultPoints(); len(pts) != 1 || pts[0] != "p.token" {
		t.Fatalf("points %v", pts)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/token", nil))
	if got != nil {
		t.Fatalf("no fault armed: %+v", got)
	}
	if _, err := w.ArmFault(world.Fault{Target: "p.token", Kind: world.FaultUnavailable, Count: 1}); err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/token", nil))
	if got == nil || got.Kind != Unavailable {
		t.Fatalf("armed: %+v", got)
	}
}
