package world_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestFaultPointsDeclared: only a declared point can be armed; a point
// declared twice is one; a fault strikes only its own point.
func TestFaultPointsDeclared(t *testing.T) {
	t.Parallel()
	w := world.New()
	if _, err := w.ArmFault(world.Fault{Target: "p.token", Kind: world.FaultUnavailable}); err == nil {
		t.Fatal("armed a point nobody declared")
	}
	token := w.DeclareFault("p", "token")
	smtp := w.DeclareFault("p", "smtp")
	if again := w.DeclareFault("p", "token"); again != token || token.Target() != "p.token" {
		t.Fatalf("declared again: %v, %v", again, token)
	}
	if got := w.FaultPoints(); !slices.Equal(got, []string{"p.smtp", "p.token"}) {
		t.Fatalf("points %v", got)
	}
	if _, err := w.ArmFault(world.Fault{Target: "p.nowhere", Kind: world.FaultUnavailable}); err == nil ||
		!strings.Contains(err.Error(), "p.smtp, p.token") {
		t.Fatalf("an undeclared target: %v", err)
	}
	if _, err := w.ArmFault(world.Fault{Target: "p.token", Kind: world.FaultUnavailable, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.TakeFault(smtp); ok {
		t.Fatal("the token endpoint's fault struck the SMTP server")
	}
	if f, ok := w.TakeFault(token); !ok || f.Kind != world.FaultUnavailable {
		t.Fatalf("the armed fault: %+v %v", f, ok)
	}
	if _, ok := w.TakeFault(token); ok {
		t.Fatal("a fault armed once struck twice")
	}
	if _, ok := w.TakeFault(world.FaultPoint{}); ok {
		t.Fatal("the zero point took a fault")
	}
	w.Restore(w.Snapshot())
	if got := w.FaultPoints(); len(got) != 2 {
		t.Fatalf("a restore forgot the declared points: %v", got)
	}
}

// TestClientPurpose: every provider's clients may say what they are for;
// the key is read beside the provider's own and written back on export.
func TestClientPurpose(t *testing.T) {
	t.Parallel()
	w, err := world.Load(strings.NewReader(`providers: {google: {clients: [{name: web, purpose: "the web app", id: a, type: web}, {name: cli, id: b, type: desktop}]}}`), schemas)
	if err != nil {
		t.Fatal(err)
	}
	realm := world.Realm{Provider: "google"}
	if c, _ := w.ClientNamed(realm, "web"); c.Purpose != "the web app" {
		t.Errorf("purpose %q", c.Purpose)
	}
	if c, _ := w.ClientNamed(realm, "cli"); c.Purpose != "" {
		t.Errorf("purpose %q", c.Purpose)
	}
	if _, err := world.Load(strings.NewReader(`providers: {plain: {clients: [{name: web, purpose: [a, b], id: a}]}}`), schemas); err == nil ||
		!strings.Contains(err.Error(), "purpose") {
		t.Errorf("a purpose that is a list: %v", err)
	}
	exported := w.Export(schemas, false)
	clients := exported["providers"].(map[string]any)["google"].(map[string]any)["clients"].([]map[string]any)
	purposes := 0
	for _, c := range clients {
		if c["purpose"] == "the web app" && c["name"] == "web" {
			purposes++
		} else if _, ok := c["purpose"]; ok {
			t.Errorf("export %v", c)
		}
	}
	if purposes != 1 {
		t.Errorf("export %v", clients)
	}
}
