package world_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
	"gopkg.in/yaml.v3"
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

// TestFaultCounts: a fault armed until cleared strikes every time; at
// most maxFaults (100) are armed at once.
func TestFaultCounts(t *testing.T) {
	t.Parallel()
	w := world.New()
	p := w.DeclareFault("p", "token")
	if _, err := w.ArmFault(world.Fault{Target: "p.token", Kind: world.FaultServerError}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, ok := w.TakeFault(p); !ok {
			t.Fatalf("strike %d of a fault armed until cleared missed", i+1)
		}
	}
	for range 99 {
		if _, err := w.ArmFault(world.Fault{Target: "p.token", Kind: world.FaultServerError}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.ArmFault(world.Fault{Target: "p.token", Kind: world.FaultServerError}); err == nil {
		t.Fatal("a 101st fault was armed")
	}
	if n := w.ClearFaults(); n != 100 {
		t.Fatalf("cleared %d", n)
	}
}

// TestExportRoundTrip: what Export writes loads back as the same world:
// approve-as users, mail limits, tenants and their settings.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	const doc = `approve_as: [alice@contoso.test]
mail_limits: {mailbox_bytes: 1000, store_bytes: 5000}
providers:
  microsoft:
    tenants:
      contoso:
        id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10
        domains: [contoso.test]
        users: [{email: alice@contoso.test, id: 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e}]
`
	schemas := world.Schemas{microsoft.Name: microsoft.Schema()}
	w, err := world.Load(strings.NewReader(doc), schemas)
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(w.Export(schemas, true))
	if err != nil {
		t.Fatal(err)
	}
	again, err := world.Load(strings.NewReader(string(out)), schemas)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !slices.Equal(again.ApproveAs(), []string{"alice@contoso.test"}) || again.MailLimits() != w.MailLimits() {
		t.Errorf("exported:\n%s", out)
	}
	realm := world.Realm{Provider: microsoft.Name, Tenant: "contoso"}
	if a, ok := again.Account(realm, "alice@contoso.test"); !ok || a.ID != "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e" {
		t.Errorf("the tenant's user is gone:\n%s", out)
	}
	if t1, _ := microsoft.TenantOf(again, realm); t1.ID != "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10" {
		t.Errorf("the tenant's settings are gone:\n%s", out)
	}
	if plain := world.New().Export(schemas, false); len(plain) != 1 {
		t.Errorf("an empty world exports %v", plain)
	}
}

// TestLoadRefusesWhatNoSchemaReads: mail limits must be positive, a
// provider without tenants has no settings, and an error names the
// client by its place in the file, from 1.
func TestLoadRefusesWhatNoSchemaReads(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"a zero quota":         "mail_limits: {mailbox_bytes: 0, store_bytes: 10}\n",
		"a zero store":         "mail_limits: {mailbox_bytes: 10, store_bytes: 0}\n",
		"a provider's setting": "providers: {google: {colour: red}}\n",
	} {
		if _, err := world.Load(strings.NewReader(doc), schemas); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	_, err := world.Load(strings.NewReader("providers: {google: {clients: [{name: x, id: y, type: mainframe}]}}"), schemas)
	if err == nil || !strings.Contains(err.Error(), "client 1:") {
		t.Errorf("the first client's error: %v", err)
	}
	_, err = world.Load(strings.NewReader("providers: {google: {clients: [{name: x, id: y, type: web, purpose: [a]}]}}"), schemas)
	if err == nil || !strings.Contains(err.Error(), "client 1:") {
		t.Errorf("the first client's purpose: %v", err)
	}
}
