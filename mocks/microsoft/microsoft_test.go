package microsoft_test

import (
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

const tenantYAML = `
providers:
  microsoft:
    tenants:
      contoso:
        id: 6F1D6C2E-3B7A-4C1E-9D2A-0C5E8B7A4F10
        domains: [contoso.onmicrosoft.com]
        users: [{email: a@contoso.test, name: A, password: p}]
        clients:
          - {name: app, id: 5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c, allow_public_client_flows: true}
`

func load(t *testing.T, doc string) (*world.World, error) {
	t.Helper()
	return world.Load(strings.NewReader(doc), world.Schemas{microsoft.Name: microsoft.Schema()})
}

// TestSchema: a tenant's settings and an app registration are read and
// checked; ids must be GUIDs and unknown keys are errors.
func TestSchema(t *testing.T) {
	t.Parallel()
	w, err := load(t, tenantYAML)
	if err != nil {
		t.Fatal(err)
	}
	realm := world.Realm{Provider: microsoft.Name, Tenant: "contoso"}
	tenant, ok := microsoft.TenantOf(w, realm)
	if !ok || tenant.ID != "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10" {
		t.Fatalf("tenant %+v (the id is kept lower-case)", tenant)
	}
	app, ok := w.ClientNamed(realm, "app")
	if !ok || !app.Public || app.Type != "public" {
		t.Fatalf("app %+v", app)
	}
	// The policies of M-11 and M-06 (F-28, F-12) and a disabled app.
	policies := strings.Replace(tenantYAML, "domains: [contoso.onmicrosoft.com]",
		"domains: [contoso.onmicrosoft.com]\n        mfa_required: ['*']\n        conditional_access_block: [a@contoso.test]\n        sign_in_frequency: 12h\n        security_defaults: true", 1)
	policies = strings.Replace(policies, "allow_public_client_flows: true", "allow_public_client_flows: true, disabled: true", 1)
	w, err = load(t, policies)
	if err != nil {
		t.Fatal(err)
	}
	tenant, _ = microsoft.TenantOf(w, realm)
	app, _ = w.ClientNamed(realm, "app")
	if len(tenant.MFARequired) != 1 || len(tenant.BlockedByCA) != 1 || tenant.SignInFrequency.Hours() != 12 || !tenant.SecurityDefaults || !app.Settings.(microsoft.App).Disabled {
		t.Errorf("policies: %+v, app %+v", tenant, app.Settings)
	}
	enc := microsoft.Schema().(world.EncodingSchema).EncodeRealm(tenant)
	if enc["sign_in_frequency"] != "12h0m0s" || enc["mfa_required"] == nil || enc["conditional_access_block"] == nil || enc["security_defaults"] != true {
		t.Errorf("encoded policies: %v", enc)
	}
	for name, doc := range map[string]string{
		"tenant id":     strings.Replace(tenantYAML, "6F1D6C2E-3B7A-4C1E-9D2A-0C5E8B7A4F10", "contoso", 1),
		"app id":        strings.Replace(tenantYAML, "5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c", "my-app", 1),
		"unknown key":   strings.Replace(tenantYAML, "domains:", "domain:", 1),
		"app audience":  strings.Replace(tenantYAML, "allow_public_client_flows: true", "sign_in_audience: everyone", 1),
		"app key typo":  strings.Replace(tenantYAML, "allow_public_client_flows", "allow_public_flows", 1),
		"exchange typo": strings.Replace(tenantYAML, "domains: [contoso.onmicrosoft.com]", "exchange: {smtp_auth: true}", 1),
	} {
		if _, err := load(t, doc); err == nil {
			t.Errorf("%s: a bad world file loaded", name)
		}
	}
}

// TestResolve: a tenant segment names a tenant by key, id or domain,
// case-insensitively; common, organizations and consumers are kept.
func TestResolve(t *testing.T) {
	t.Parallel()
	w, err := load(t, tenantYAML)
	if err != nil {
		t.Fatal(err)
	}
	p := microsoft.New(w, microsoft.Options{})
	for segment, want := range map[string]string{
		"contoso": "contoso", "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10": "contoso", "CONTOSO.onmicrosoft.com": "contoso",
		"common": "common", "Organizations": "organizations", "consumers": "consumers",
	} {
		if got, ok := p.Resolve(segment); !ok || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", segment, got, ok, want)
		}
	}
	for _, segment := range []string{"", "fabrikam", "contoso.test", "../common", "6f1d6c2e"} {
		if got, ok := p.Resolve(segment); ok {
			t.Errorf("Resolve(%q) = %q, want unknown", segment, got)
		}
	}
}

// TestUnknownPermissionRefused: a permission the admin center would not
// offer (IMAP.AccesAsApp) is refused at load, with the ones there are; the
// Graph permissions a misconfigured app holds (F-01) load.
func TestUnknownPermissionRefused(t *testing.T) {
	t.Parallel()
	app := func(kind, perm string) string {
		return "providers: {microsoft: {tenants: {contoso: {id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10, clients: [{name: d, id: 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f, permissions: {" +
			kind + ": [" + perm + "]}}]}}}}"
	}
	schemas := world.Schemas{microsoft.Name: microsoft.Schema()}
	for _, c := range []struct{ kind, perm, want string }{
		{"application", "https://outlook.office365.com/IMAP.AccesAsApp", `Office 365 Exchange Online has no such application permission (did you mean "IMAP.AccessAsApp"?) (it has IMAP.AccessAsApp`},
		{"delegated", "https://outlook.office.com/IMAP.AccessAsApp", "no such delegated permission"},
		{"delegated", "https://mail.example.test/Mail.Send", `no API "https://mail.example.test"`},
	} {
		if _, err := world.Load(strings.NewReader(app(c.kind, c.perm)), schemas); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v", c.kind, c.perm, err)
		}
	}
	for _, c := range []struct{ kind, perm string }{
		{"application", "https://outlook.office365.com/IMAP.AccessAsApp"},
		{"delegated", "SMTP.Send"},
		{"delegated", "https://graph.microsoft.com/imap.accessasuser.all"},
	} {
		if _, err := world.Load(strings.NewReader(app(c.kind, c.perm)), schemas); err != nil {
			t.Errorf("%s %s: %v", c.kind, c.perm, err)
		}
	}
}
