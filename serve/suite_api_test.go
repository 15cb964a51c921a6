package serve_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
)

// postJSON answers a form POST to the admin API, decoding its JSON.
func postJSON(t *testing.T, inst *serve.Instance, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	status, body := call(t, http.MethodPost, inst.Manifest.AdminURL+path, form)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("POST %s: HTTP %d, not JSON: %s", path, status, body)
	}
	return status, out
}

// refresh is a refresh at the provider's token endpoint, over HTTPS.
func refresh(t *testing.T, inst *serve.Instance, provider, client, token string) (int, map[string]any) {
	t.Helper()
	p := inst.Manifest.Providers[provider]
	var c serve.Client
	for _, x := range p.Clients {
		if x.Name == client {
			c = x
		}
	}
	resp, err := inst.Mocks.Client().PostForm(p.TokenEndpoint, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token},
		"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestTokensThroughAdmin: POST /api/tokens answers the token endpoint's
// JSON; the grant is in the audit log and refreshes at the token
// endpoint; a refusal is the token endpoint's own.
func TestTokensThroughAdmin(t *testing.T) {
	inst := start(t)
	status, tok := postJSON(t, inst, "/api/tokens", url.Values{"provider": {"google"}, "client": {"web"}, "email": {"alice@gmail.test"},
		"scope": {"https://mail.google.com/"}, "offline": {"true"}})
	if status != http.StatusOK || tok["access_token"] == nil || tok["refresh_token"] == nil || tok["token_type"] != "Bearer" {
		t.Fatalf("google offline: HTTP %d %v", status, tok)
	}
	if status, again := refresh(t, inst, "google", "web", tok["refresh_token"].(string)); status != http.StatusOK || again["access_token"] == nil {
		t.Fatalf("refreshing the minted token: HTTP %d %v", status, again)
	}
	var seen bool
	for _, e := range inst.Mocks.Events() {
		seen = seen || e.Provider == "google" && e.User == "alice@gmail.test" && e.Outcome == "ok"
	}
	if !seen {
		t.Errorf("no event of the minted grant: %+v", inst.Mocks.Events())
	}
	if status, tok := postJSON(t, inst, "/api/tokens", url.Values{"provider": {"google"}, "email": {"alice@gmail.test"},
		"scope": {"https://mail.google.com/"}}); status != http.StatusOK || tok["refresh_token"] != nil {
		t.Fatalf("google online: HTTP %d %v, want no refresh token (G-02)", status, tok)
	}
	ms := inst.Manifest.Providers["microsoft"]
	var web string
	for _, c := range ms.Clients {
		if c.Name == "web" {
			web = c.ClientID
		}
	}
	if status, tok := postJSON(t, inst, "/api/tokens", url.Values{"provider": {"microsoft"}, "client_id": {web}, "email": {"alice@contoso.test"},
		"scope": {"https://outlook.office.com/IMAP.AccessAsUser.All"}, "offline": {"true"}}); status != http.StatusOK || tok["refresh_token"] == nil {
		t.Fatalf("microsoft offline by client_id: HTTP %d %v", status, tok)
	}
	if status, tok := postJSON(t, inst, "/api/tokens", url.Values{"provider": {"microsoft"}, "client": {"daemon"}}); status != http.StatusOK || tok["access_token"] == nil {
		t.Fatalf("microsoft application token: HTTP %d %v", status, tok)
	}
	if status, tok := postJSON(t, inst, "/api/tokens", url.Values{"provider": {"google"}, "email": {"alice@gmail.test"},
		"scope": {"https://www.googleapis.com/auth/nonsense"}}); status != http.StatusBadRequest || !strings.Contains(tok["error"].(string), "invalid_scope") {
		t.Fatalf("a scope Google refuses on its authorization page: HTTP %d %v, want its invalid_scope", status, tok)
	}
	for _, form := range []url.Values{{"provider": {"nowhere"}}, {"provider": {"google"}, "client": {"nobody"}, "email": {"alice@gmail.test"}},
		{"provider": {"google"}, "client": {"web"}}, {"provider": {"google"}, "offline": {"maybe"}}} {
		if status, out := postJSON(t, inst, "/api/tokens", form); status/100 != 4 || out["error"] == nil {
			t.Errorf("%v: HTTP %d %v, want a 4xx with an error", form, status, out)
		}
	}
}

// TestResetToSnapshot is what a suite does: mint once, snapshot, reset to
// the snapshot before each test. A refresh token minted before the
// snapshot still works after the reset, even used up in between; one
// minted after it does not; mail and the clock come back as they were.
func TestResetToSnapshot(t *testing.T) {
	inst := start(t)
	mint := func() string {
		status, tok := postJSON(t, inst, "/api/tokens", url.Values{"provider": {"microsoft"}, "email": {"alice@contoso.test"},
			"scope": {"https://outlook.office.com/SMTP.Send"}, "offline": {"true"}})
		if status != http.StatusOK || tok["refresh_token"] == nil {
			t.Fatalf("minting: HTTP %d %v", status, tok)
		}
		return tok["refresh_token"].(string)
	}
	before := mint()
	if status, _ := postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"alice@contoso.test"}, "subject": {"kept"}}); status != http.StatusOK {
		t.Fatalf("delivering: HTTP %d", status)
	}
	postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"600"}})
	status, snap := postJSON(t, inst, "/api/snapshots", nil)
	id, _ := snap["id"].(string)
	if status != http.StatusOK || id == "" {
		t.Fatalf("snapshot: HTTP %d %v", status, snap)
	}
	after := mint()
	postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"alice@contoso.test"}, "subject": {"gone"}})
	postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"3600"}})
	postJSON(t, inst, "/api/grants/revoke", url.Values{"provider": {"microsoft"}, "email": {"alice@contoso.test"},
		"client_id": {clientID(inst, "microsoft", "web")}})
	for range 2 {
		status, out := postJSON(t, inst, "/api/reset", url.Values{"snapshot": {id}})
		if status != http.StatusOK || out["snapshot"] != id {
			t.Fatalf("reset to %s: HTTP %d %v", id, status, out)
		}
		if status, out := refresh(t, inst, "microsoft", "web", before); status != http.StatusOK || out["access_token"] == nil {
			t.Fatalf("refresh token minted before the snapshot: HTTP %d %v", status, out)
		}
		if status, out := refresh(t, inst, "microsoft", "web", after); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
			t.Fatalf("refresh token minted after the snapshot: HTTP %d %v, want invalid_grant", status, out)
		}
		msgs := inst.Mocks.Messages("alice@contoso.test")
		if len(msgs) != 1 || msgs[0].Subject != "kept" {
			t.Fatalf("mail after reset to the snapshot: %+v", msgs)
		}
		if off := inst.Mocks.World.Clock.Offset().Seconds(); off < 600 || off >= 3600 {
			t.Fatalf("clock offset after reset to the snapshot: %v s, want 600", off)
		}
	}
	if status, _ := postJSON(t, inst, "/api/reset", nil); status != http.StatusOK {
		t.Fatalf("plain reset: HTTP %d", status)
	}
	if status, _ := refresh(t, inst, "microsoft", "web", before); status == http.StatusOK {
		t.Fatal("a plain reset kept a grant: it goes back to the start")
	}
	if status, out := postJSON(t, inst, "/api/reset", url.Values{"snapshot": {"snap-999"}}); status != http.StatusNotFound {
		t.Fatalf("unknown snapshot: HTTP %d %v", status, out)
	}
}

// TestSnapshotsBounded: past serve.MaxSnapshots, the oldest is forgotten.
func TestSnapshotsBounded(t *testing.T) {
	inst := start(t)
	var first string
	for i := range serve.MaxSnapshots + 1 {
		_, snap := postJSON(t, inst, "/api/snapshots", nil)
		if i == 0 {
			first = snap["id"].(string)
		}
		if i == 1 {
			if status, _ := postJSON(t, inst, "/api/reset", url.Values{"snapshot": {first}}); status != http.StatusOK {
				t.Fatalf("reset to %s: HTTP %d", first, status)
			}
		}
	}
	if status, out := postJSON(t, inst, "/api/reset", url.Values{"snapshot": {first}}); status != http.StatusNotFound ||
		!strings.Contains(out["error"].(string), "16") {
		t.Fatalf("reset to the forgotten %s: HTTP %d %v", first, status, out)
	}
}

func clientID(inst *serve.Instance, provider, name string) string {
	for _, c := range inst.Manifest.Providers[provider].Clients {
		if c.Name == name {
			return c.ClientID
		}
	}
	return ""
}

// TestDeliverThroughAdmin: POST /api/messages puts a message in the
// mailbox, raw or composed, as GET /api/messages then lists it.
func TestDeliverThroughAdmin(t *testing.T) {
	inst := start(t)
	raw := "From: Bob <bob@example.test>\r\nTo: alice@gmail.test\r\nSubject: Raw\r\n\r\nHello.\r\n"
	status, msg := postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"alice@gmail.test"}, "raw": {raw}})
	if status != http.StatusOK || msg["subject"] != "Raw" || msg["from"] != "bob@example.test" || msg["raw"] != raw {
		t.Fatalf("raw: HTTP %d %v", status, msg)
	}
	status, msg = postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"alice@gmail.test"}, "from": {"Zoé <zoe@example.test>"},
		"subject": {"Composed"}, "body": {"Déjà vu\nline two"}})
	if status != http.StatusOK || msg["subject"] != "Composed" || msg["from"] != "zoe@example.test" ||
		!strings.Contains(msg["raw"].(string), "To: <alice@gmail.test>\r\n") || !strings.Contains(msg["raw"].(string), "D=C3=A9j=C3=A0 vu\r\nline two") {
		t.Fatalf("composed: HTTP %d %v", status, msg)
	}
	var listed []map[string]any
	getJSON(t, inst.Manifest.AdminURL+"/api/messages?mailbox=alice@gmail.test", &listed)
	if len(listed) != 2 || listed[1]["subject"] != "Composed" {
		t.Fatalf("listed %v", listed)
	}
	for _, form := range []url.Values{{"raw": {raw}}, {"mailbox": {"alice@gmail.test"}, "raw": {"no header line\r\n"}},
		{"mailbox": {"alice@gmail.test"}, "from": {"not an address"}}} {
		if status, out := postJSON(t, inst, "/api/messages", form); status != http.StatusBadRequest || out["error"] == nil {
			t.Errorf("%v: HTTP %d %v, want 400 with an error", form, status, out)
		}
	}
}
