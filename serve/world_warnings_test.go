package serve_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
)

// TestPutWorldWarnings: PUT /api/world answers a world file's warnings
// beside its status, and for the seeded world as GET /api/world gives it
// only its deliberate misconfigurations.
func TestPutWorldWarnings(t *testing.T) {
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(context.Background())
	put := func(doc string) (status int, answer struct {
		Status   string   `json:"status"`
		Warnings []string `json:"warnings"`
	}) {
		req, _ := http.NewRequest(http.MethodPut, inst.Manifest.AdminURL+"/api/world", strings.NewReader(doc))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(body, &answer); err != nil {
			t.Fatalf("PUT /api/world: %s", body)
		}
		return resp.StatusCode, answer
	}
	resp, err := http.Get(inst.Manifest.AdminURL + "/api/world?format=yaml&passwords=true")
	if err != nil {
		t.Fatal(err)
	}
	seeded, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The seeded world's only warnings are its two deliberate
	// misconfigurations: wrong-sp's service principal (F-02) and expired's
	// secret (F-09).
	if status, answer := put(string(seeded)); status != http.StatusOK || answer.Status != "loaded" || len(answer.Warnings) != 2 ||
		!strings.Contains(answer.Warnings[0], "app_id 3c8d2e1f-6a4b-4f7c-9d0e-2b3c4d5e6f7a has object_id 1f2e3d4c-5b6a-4978-8a7b-6c5d4e3f2a1b, the app registration's own object id") ||
		!strings.Contains(answer.Warnings[1], `app "expired": secret 5f7b9d1f-3b5d-4f7b-9d1f-3b5d7f9b1d3f expired`) {
		t.Fatalf("the seeded world: HTTP %d %+v", status, answer)
	}
	const doc = `providers: {microsoft: {tenants: {contoso: {id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10,
  exchange: {mailbox_permissions: [{mailbox: nobody@contoso.test, user: bob@contoso.test}]}}}}}`
	status, answer := put(doc)
	if status != http.StatusOK || answer.Status != "loaded" || len(answer.Warnings) != 1 || !strings.Contains(answer.Warnings[0], "nobody@contoso.test") {
		t.Fatalf("a mailbox permission on no account: HTTP %d %+v", status, answer)
	}
}
