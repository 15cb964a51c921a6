package serve_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
)

func clientNamed(t *testing.T, p serve.Provider, name string) serve.Client {
	t.Helper()
	for _, c := range p.Clients {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no client %q", name)
	return serve.Client{}
}

// TestManifestSaysWhatThingsAreFor: each client's tenant, flows, public
// or confidential, purpose, permissions and admin consent (Microsoft),
// mailboxes (Exchange); each user's tenant.
func TestManifestSaysWhatThingsAreFor(t *testing.T) {
	inst := start(t)
	g, ms := inst.Manifest.Providers["google"], inst.Manifest.Providers["microsoft"]
	for name, flows := range map[string][]string{"web": {"authorization_code"}, "tv": {"device_code"}} {
		if c := clientNamed(t, g, name); !slices.Equal(c.Flows, flows) || c.Public || c.Tenant != "" || c.Purpose == "" || c.Permissions != nil {
			t.Errorf("google %s: %+v, want flows %v", name, c, flows)
		}
	}
	daemon := clientNamed(t, ms, "daemon")
	if daemon.Tenant != "contoso" || !slices.Contains(daemon.Flows, "client_credentials") || slices.Contains(daemon.Flows, "authorization_code") ||
		daemon.Public || daemon.AdminConsent == nil || !*daemon.AdminConsent || daemon.Permissions == nil ||
		!slices.Contains(daemon.Permissions.Application, "https://outlook.office365.com/IMAP.AccessAsApp") ||
		!slices.Equal(daemon.Mailboxes, []string{"alice@contoso.test"}) {
		t.Errorf("microsoft daemon: %+v", daemon)
	}
	if spa := clientNamed(t, ms, "spa"); !spa.Public || slices.Contains(spa.Flows, "client_credentials") {
		t.Errorf("microsoft spa (no secret): %+v, want public without client credentials", spa)
	}
	if expired := clientNamed(t, ms, "expired"); expired.AdminConsent == nil || *expired.AdminConsent {
		t.Errorf("microsoft expired: admin consent %v, want false", expired.AdminConsent)
	}
	for _, u := range ms.Users {
		if u.Tenant == "" {
			t.Errorf("microsoft user %s has no tenant", u.Email)
		}
	}
	raw, _ := json.Marshal(inst.Manifest)
	for _, key := range []string{`"tenant":"contoso"`, `"flows":[`, `"public":`, `"purpose":`, `"permissions":{`, `"admin_consent":true`, `"mailboxes":[`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("manifest lacks %s", key)
		}
	}
}

// TestManifestFileRewritten: the manifest file is written at start and
// rewritten after a change through the admin API, atomically (no
// temporary file is left beside it).
func TestManifestFileRewritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir(), ManifestFile: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	read := func() serve.Manifest {
		var m serve.Manifest
		raw, err := os.ReadFile(path)
		if err != nil || json.Unmarshal(raw, &m) != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		return m
	}
	if m := read(); m.AdminURL != inst.Manifest.AdminURL {
		t.Fatalf("manifest file at start: %+v", m)
	}
	status, body := call(t, http.MethodPost, inst.Manifest.AdminURL+"/api/users",
		url.Values{"provider": {"google"}, "email": {"carol@gmail.test"}, "password": {"pw"}})
	if status != http.StatusOK {
		t.Fatalf("adding a user: HTTP %d %s", status, body)
	}
	if !slices.ContainsFunc(read().Providers["google"].Users, func(u serve.User) bool { return u.Email == "carol@gmail.test" }) {
		t.Fatal("the user added at run time is not in the manifest file")
	}
	client := `{"name": "ci", "id": "406112386143-ci0mailoauth.apps.googleusercontent.com", "secret": "s", "type": "web", "redirect_uris": ["http://127.0.0.1:9/cb"]}`
	resp, err := http.Post(inst.Manifest.AdminURL+"/api/clients?provider=google", "application/json", strings.NewReader(client))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("adding a client: %v %v", err, resp)
	}
	resp.Body.Close()
	if c := clientNamed(t, read().Providers["google"], "ci"); !slices.Equal(c.Flows, []string{"authorization_code"}) {
		t.Fatalf("the client added at run time: %+v", c)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("beside the manifest: %v", entries)
	}
}
