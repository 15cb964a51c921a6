package serve_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
)

// googleClient is the client id of the manifest's Google client named so.
func googleClient(t *testing.T, inst *serve.Instance, name string) string {
	t.Helper()
	for _, c := range inst.Manifest.Providers["google"].Clients {
		if c.Name == name {
			return c.ClientID
		}
	}
	t.Fatalf("no Google client %q", name)
	return ""
}

// admin sends a form to the admin API and decodes its JSON answer.
func admin(t *testing.T, inst *serve.Instance, method, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	status, body := call(t, method, inst.Manifest.AdminURL+path, form)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%s %s: HTTP %d, not JSON: %s", method, path, status, body)
	}
	return status, out
}

// googleToken is POST /api/tokens for a Google user of the web client:
// the real authorization, so a blocked user gets the page's error.
func googleToken(t *testing.T, inst *serve.Instance, email string) (int, map[string]any) {
	t.Helper()
	return postJSON(t, inst, "/api/tokens", url.Values{"provider": {"google"}, "client": {"web"}, "email": {email},
		"scope": {"https://mail.google.com/"}, "offline": {"true"}})
}

// worldClient is the Google client of that id in GET /api/world.
func worldClient(t *testing.T, inst *serve.Instance, id string) map[string]any {
	t.Helper()
	_, w := admin(t, inst, http.MethodGet, "/api/world", nil)
	g, _ := w["providers"].(map[string]any)["google"].(map[string]any)
	for _, c := range g["clients"].([]any) {
		if c := c.(map[string]any); c["id"] == id {
			return c
		}
	}
	t.Fatalf("no client %s in the world: %v", id, g)
	return nil
}

// adminEvent reports whether the audit log has the admin action.
func adminEvent(inst *serve.Instance, mechanism, reason string) bool {
	for _, e := range inst.Mocks.Events() {
		if e.Protocol == "admin" && e.Provider == "google" && e.Mechanism == mechanism && e.Reason == reason {
			return true
		}
	}
	return false
}

// TestGoogleTestUsersThroughAdmin: POST and DELETE
// /api/providers/google/test-users edit the consent screen's list; an app
// in Testing then admits exactly its test users at the authorization
// (G-14, F-33), the last one removed admitting no one; the list is in the
// world file, and bad input is the admin API's error.
func TestGoogleTestUsersThroughAdmin(t *testing.T) {
	t.Parallel()
	inst := start(t)
	web := googleClient(t, inst, "web")
	const path = "/api/providers/google/test-users"
	if status, out := admin(t, inst, http.MethodPost, "/api/providers/google/testing", url.Values{"client_id": {web}, "testing": {"true"}}); status != 200 {
		t.Fatalf("testing: HTTP %d %v", status, out)
	}
	if status, tok := googleToken(t, inst, "alice@gmail.test"); status != 200 {
		t.Fatalf("in Testing with no list (every user a test user): HTTP %d %v", status, tok)
	}
	status, out := admin(t, inst, http.MethodPost, path, url.Values{"client_id": {web}, "email": {"bob@gmail.test"}})
	if status != 200 || out["testing"] != true || !sameList(out["test_users"], "bob@gmail.test") {
		t.Fatalf("add bob: HTTP %d %v", status, out)
	}
	if !adminEvent(inst, "add-test-user", web+" bob@gmail.test") {
		t.Errorf("no audit event of the addition: %+v", inst.Mocks.Events())
	}
	if status, tok := googleToken(t, inst, "alice@gmail.test"); status/100 != 4 || !refusedAs(tok, "HTTP 403", "Access blocked: web has not completed the Google verification") {
		t.Fatalf("alice, not a test user: HTTP %d %v, want the Access blocked page", status, tok)
	}
	if status, tok := googleToken(t, inst, "bob@gmail.test"); status != 200 || tok["access_token"] == nil {
		t.Fatalf("bob, a test user: HTTP %d %v", status, tok)
	}
	// Adding one already there, in another case, lists it once; DELETE
	// takes the form in the query too.
	if status, out := admin(t, inst, http.MethodPost, path, url.Values{"client_id": {web}, "email": {"BOB@gmail.test"}}); status != 200 || !sameList(out["test_users"], "bob@gmail.test") {
		t.Fatalf("add BOB again: HTTP %d %v", status, out)
	}
	if status, out := admin(t, inst, http.MethodPost, path, url.Values{"client_id": {web}, "email": {"alice@gmail.test"}}); status != 200 ||
		!sameList(out["test_users"], "bob@gmail.test", "alice@gmail.test") {
		t.Fatalf("add alice: HTTP %d %v", status, out)
	}
	if status, tok := googleToken(t, inst, "alice@gmail.test"); status != 200 {
		t.Fatalf("alice, added: HTTP %d %v", status, tok)
	}
	status, out = admin(t, inst, http.MethodDelete, path+"?"+url.Values{"client_id": {web}, "email": {"Bob@Gmail.test"}}.Encode(), nil)
	if status != 200 || !sameList(out["test_users"], "alice@gmail.test") {
		t.Fatalf("remove bob: HTTP %d %v", status, out)
	}
	if !adminEvent(inst, "remove-test-user", web+" Bob@Gmail.test") {
		t.Errorf("no audit event of the removal: %+v", inst.Mocks.Events())
	}
	if status, tok := googleToken(t, inst, "bob@gmail.test"); status/100 != 4 || !refusedAs(tok, "HTTP 403", "Access blocked: web has not completed the Google verification") {
		t.Fatalf("bob, removed: HTTP %d %v, want the Access blocked page", status, tok)
	}
	if status, out := admin(t, inst, http.MethodDelete, path, url.Values{"client_id": {web}, "email": {"alice@gmail.test"}}); status != 200 || !sameList(out["test_users"]) {
		t.Fatalf("remove alice: HTTP %d %v", status, out)
	}
	if status, tok := googleToken(t, inst, "alice@gmail.test"); status/100 != 4 || !refusedAs(tok, "HTTP 403", "Access blocked: web has not completed the Google verification") {
		t.Fatalf("the last test user removed: HTTP %d %v, want the Access blocked page for everyone", status, tok)
	}
	if c := worldClient(t, inst, web); c["testing"] != true || !sameList(c["test_users"]) {
		t.Errorf("the world file's client: %v, want testing and test_users: []", c)
	}
	// The world as exported reads back with the empty list: still no one.
	status, body := call(t, http.MethodGet, inst.Manifest.AdminURL+"/api/world?passwords=true", nil)
	if status != 200 {
		t.Fatalf("GET /api/world: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodPut, inst.Manifest.AdminURL+"/api/world", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT /api/world: %v %v", resp, err)
	}
	resp.Body.Close()
	if status, tok := googleToken(t, inst, "alice@gmail.test"); status/100 != 4 || !refusedAs(tok, "HTTP 403", "Access blocked: web has not completed the Google verification") {
		t.Fatalf("after the world is put back: HTTP %d %v, want the Access blocked page", status, tok)
	}

	for _, c := range []struct {
		method string
		form   url.Values
		status int
		want   string
	}{
		{http.MethodPost, url.Values{"email": {"bob@gmail.test"}}, 400, "client_id required"},
		{http.MethodPost, url.Values{"client_id": {web}}, 400, "email required"},
		{http.MethodDelete, url.Values{}, 400, "client_id, email required"},
		{http.MethodPost, url.Values{"client_id": {"1-nobody.apps.googleusercontent.com"}, "email": {"bob@gmail.test"}}, 404, "no such client: google 1-nobody.apps.googleusercontent.com"},
		{http.MethodDelete, url.Values{"client_id": {"1-nobody.apps.googleusercontent.com"}, "email": {"bob@gmail.test"}}, 404, "no such client"},
		{http.MethodPost, url.Values{"client_id": {web}, "email": {"bob"}}, 400, `email must be an address (user@domain), not "bob"`},
		{http.MethodPost, url.Values{"client_id": {web}, "email": {"Bob <bob@gmail.test>"}}, 400, "email must be an address"},
		{http.MethodDelete, url.Values{"client_id": {web}, "email": {"carol@gmail.test"}}, 404, "carol@gmail.test is not a test user of client " + web},
	} {
		status, out := admin(t, inst, c.method, path, c.form)
		if status != c.status || out["error"] == nil || !strings.Contains(out["error"].(string), c.want) {
			t.Errorf("%s %v: HTTP %d %v, want %d %q", c.method, c.form, status, out, c.status, c.want)
		}
	}
	if c := worldClient(t, inst, web); !sameList(c["test_users"]) {
		t.Errorf("refused requests changed the list: %v", c["test_users"])
	}
}

// TestGoogleBlockedClientsThroughAdmin: POST and DELETE
// /api/providers/google/blocked-clients are a Workspace admin's API
// controls: the domain's users are refused with admin_policy_enforced and
// the admin's text, the others and the domain's other clients are not
// (G-14, F-34); trusting the client again lets the user in; bad input is
// the admin API's error.
func TestGoogleBlockedClientsThroughAdmin(t *testing.T) {
	t.Parallel()
	inst := start(t)
	web, other := googleClient(t, inst, "web"), googleClient(t, inst, "other-web")
	const path = "/api/providers/google/blocked-clients"
	if status, out := postJSON(t, inst, "/api/users", url.Values{"provider": {"google"}, "email": {"carol@corp.test"}, "name": {"Carol"},
		"password": {"carol-password"}}); status != 200 {
		t.Fatalf("carol: HTTP %d %v", status, out)
	}
	status, tok := googleToken(t, inst, "carol@corp.test")
	if status != 200 || tok["refresh_token"] == nil {
		t.Fatalf("carol before any block: HTTP %d %v", status, tok)
	}
	rt := tok["refresh_token"].(string)
	status, out := admin(t, inst, http.MethodPost, path, url.Values{"domain": {"Corp.Test"}, "client_id": {web}, "message": {"Blocked by IT."}})
	if status != 200 || out["domain"] != "corp.test" || !sameList(out["blocked_clients"], web) || out["message"] != "Blocked by IT." {
		t.Fatalf("block: HTTP %d %v", status, out)
	}
	if !adminEvent(inst, "add-blocked-client", "corp.test "+web) {
		t.Errorf("no audit event of the block: %+v", inst.Mocks.Events())
	}
	if status, tok := googleToken(t, inst, "carol@corp.test"); status/100 != 4 || !refusedAs(tok, "HTTP 400", "Access blocked: authorization error") {
		t.Fatalf("carol, blocked: HTTP %d %v, want Access blocked: authorization error", status, tok)
	}
	if status, out := refresh(t, inst, "google", "web", rt); status != 400 || out["error"] != "admin_policy_enforced" || out["error_description"] != "Blocked by IT." {
		t.Fatalf("carol's refresh, blocked: HTTP %d %v", status, out)
	}
	if status, tok := googleToken(t, inst, "alice@gmail.test"); status != 200 {
		t.Fatalf("alice, of another domain: HTTP %d %v", status, tok)
	}
	// A second block keeps the text; the same one again is listed once.
	for _, id := range []string{other, other} {
		if status, out := admin(t, inst, http.MethodPost, path, url.Values{"domain": {"corp.test"}, "client_id": {id}}); status != 200 ||
			!sameList(out["blocked_clients"], web, other) || out["message"] != "Blocked by IT." {
			t.Fatalf("block other-web: HTTP %d %v", status, out)
		}
	}
	_, w := admin(t, inst, http.MethodGet, "/api/world", nil)
	ws := w["providers"].(map[string]any)["google"].(map[string]any)["workspaces"].(map[string]any)["corp.test"].(map[string]any)
	if !sameList(ws["blocked_clients"], web, other) || ws["message"] != "Blocked by IT." {
		t.Errorf("the world file's workspaces: %v", ws)
	}
	status, out = admin(t, inst, http.MethodDelete, path+"?"+url.Values{"domain": {"corp.test"}, "client_id": {web}}.Encode(), nil)
	if status != 200 || !sameList(out["blocked_clients"], other) {
		t.Fatalf("unblock: HTTP %d %v", status, out)
	}
	if !adminEvent(inst, "remove-blocked-client", "corp.test "+web) {
		t.Errorf("no audit event of the unblocking: %+v", inst.Mocks.Events())
	}
	if status, tok := googleToken(t, inst, "carol@corp.test"); status != 200 {
		t.Fatalf("carol, the client trusted again: HTTP %d %v", status, tok)
	}
	if status, out := refresh(t, inst, "google", "web", rt); status != 200 {
		t.Fatalf("carol's first refresh token, the client trusted again: HTTP %d %v", status, out)
	}

	for _, c := range []struct {
		method string
		form   url.Values
		status int
		want   string
	}{
		{http.MethodPost, url.Values{"client_id": {web}}, 400, "domain required"},
		{http.MethodDelete, url.Values{"domain": {"corp.test"}}, 400, "client_id required"},
		{http.MethodPost, url.Values{"domain": {"carol@corp.test"}, "client_id": {web}}, 400, `domain must be a domain name (the part of a user's address after @), not "carol@corp.test"`},
		{http.MethodPost, url.Values{"domain": {"corp"}, "client_id": {web}}, 400, "domain must be a domain name"},
		{http.MethodDelete, url.Values{"domain": {"corp..test"}, "client_id": {web}}, 400, "domain must be a domain name"},
		{http.MethodPost, url.Values{"domain": {"corp.test"}, "client_id": {"1-nobody.apps.googleusercontent.com"}}, 404, "no such client: google 1-nobody.apps.googleusercontent.com"},
		{http.MethodDelete, url.Values{"domain": {"corp.test"}, "client_id": {web}}, 404, "corp.test does not block client " + web},
		{http.MethodDelete, url.Values{"domain": {"other.test"}, "client_id": {other}}, 404, "other.test does not block client " + other},
	} {
		status, out := admin(t, inst, c.method, path, c.form)
		if status != c.status || out["error"] == nil || !strings.Contains(out["error"].(string), c.want) {
			t.Errorf("%s %v: HTTP %d %v, want %d %q", c.method, c.form, status, out, c.status, c.want)
		}
	}
	_, w = admin(t, inst, http.MethodGet, "/api/world", nil)
	if ws := w["providers"].(map[string]any)["google"].(map[string]any)["workspaces"].(map[string]any); len(ws) != 1 {
		t.Errorf("refused requests added a domain: %v", ws)
	}
}

// TestGooglePlaygroundThroughAdmin: POST /api/providers/google/playground
// makes a client the OAuth 2.0 Playground's own, whose refresh tokens die
// after 24 hours (G-17, F-36), and an ordinary one again; bad input is
// the admin API's error.
func TestGooglePlaygroundThroughAdmin(t *testing.T) {
	t.Parallel()
	inst := start(t)
	web := googleClient(t, inst, "web")
	const path = "/api/providers/google/playground"
	if status, out := admin(t, inst, http.MethodPost, path, url.Values{"client_id": {web}, "playground": {"true"}}); status != 200 || out["playground"] != true {
		t.Fatalf("playground: HTTP %d %v", status, out)
	}
	if !adminEvent(inst, "playground", web+"=true") {
		t.Errorf("no audit event: %+v", inst.Mocks.Events())
	}
	if c := worldClient(t, inst, web); c["playground"] != true {
		t.Errorf("the world file's client: %v", c)
	}
	_, tok := googleToken(t, inst, "alice@gmail.test")
	dies, _ := tok["refresh_token"].(string)
	if status, out := admin(t, inst, http.MethodPost, path, url.Values{"client_id": {web}, "playground": {"false"}}); status != 200 || out["playground"] != false {
		t.Fatalf("not the playground's: HTTP %d %v", status, out)
	}
	if c := worldClient(t, inst, web); c["playground"] != nil {
		t.Errorf("the world file's client still the playground's: %v", c)
	}
	_, tok = googleToken(t, inst, "bob@gmail.test")
	lives, _ := tok["refresh_token"].(string)
	if status, out := postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"90000"}}); status != 200 {
		t.Fatalf("clock: HTTP %d %v", status, out)
	}
	if status, out := refresh(t, inst, "google", "web", dies); status != 400 || out["error"] != "invalid_grant" {
		t.Errorf("the Playground's token after 25 hours: HTTP %d %v, want invalid_grant", status, out)
	}
	if status, out := refresh(t, inst, "google", "web", lives); status != 200 {
		t.Errorf("an ordinary token after 25 hours: HTTP %d %v", status, out)
	}
	for _, c := range []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"client_id": {web}}, 400, "playground required"},
		{url.Values{"playground": {"true"}}, 400, "client_id required"},
		{url.Values{"client_id": {web}, "playground": {"maybe"}}, 400, "playground must be true or false"},
		{url.Values{"client_id": {"1-nobody.apps.googleusercontent.com"}, "playground": {"true"}}, 404, "no such client"},
	} {
		status, out := admin(t, inst, http.MethodPost, path, c.form)
		if status != c.status || out["error"] == nil || !strings.Contains(out["error"].(string), c.want) {
			t.Errorf("%v: HTTP %d %v, want %d %q", c.form, status, out, c.status, c.want)
		}
	}
	if c := worldClient(t, inst, web); c["playground"] != nil {
		t.Errorf("refused requests changed the client: %v", c)
	}
}

// refusedAs reports whether POST /api/tokens's error says the
// authorization stopped on a page with that status and text.
func refusedAs(tok map[string]any, status, text string) bool {
	e, _ := tok["error"].(string)
	return strings.Contains(e, status) && strings.Contains(e, text)
}

// sameList reports whether v, a JSON array, is exactly want.
func sameList(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for i, x := range list {
		if x != want[i] {
			return false
		}
	}
	return true
}
