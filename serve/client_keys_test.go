package serve_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
)

// TestAddClientInManifestKeys: POST /api/clients takes a client in the
// manifest's key names (client_id, client_secret) as in the world file's,
// and refuses one giving both names of a key.
func TestAddClientInManifestKeys(t *testing.T) {
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(context.Background())
	post := func(body string) (int, string) {
		resp, err := http.Post(inst.Manifest.AdminURL+"/api/clients?provider=google", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const id = "406112386143-ci0mailoauth.apps.googleusercontent.com"
	status, body := post(`{"name": "ci", "client_id": "` + id + `", "client_secret": "GOCSPX-ci", "type": "web", "redirect_uris": ["http://127.0.0.1:9/cb"]}`)
	if status != http.StatusOK {
		t.Fatalf("manifest keys: HTTP %d %s", status, body)
	}
	c, ok := inst.Mocks.World.FindClient("google", id)
	if !ok || c.Secret != "GOCSPX-ci" || len(c.RedirectURIs) != 1 {
		t.Fatalf("the client added in manifest keys: %+v %v", c, ok)
	}
	status, body = post(`{"name": "ci2", "id": "1-a.apps.googleusercontent.com", "client_id": "1-b.apps.googleusercontent.com", "type": "web", "redirect_uris": ["http://127.0.0.1:9/cb"]}`)
	if status != http.StatusBadRequest || !strings.Contains(body, "both id and client_id") {
		t.Fatalf("both names of a key: HTTP %d %s", status, body)
	}
}
