package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/serve"
)

// call sends an admin API request (a form, or a raw body with its type)
// and returns the status and body.
func (s *served) call(t *testing.T, method, path string, form url.Values, raw, contentType string) (int, string) {
	t.Helper()
	body, ct := io.Reader(nil), ""
	switch {
	case form != nil:
		body, ct = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	case raw != "":
		body, ct = strings.NewReader(raw), contentType
	}
	req, _ := http.NewRequest(method, s.manifest.AdminURL+path, body)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// must is call that fails the test unless the answer is 200.
func (s *served) must(t *testing.T, method, path string, form url.Values) string {
	t.Helper()
	status, body := s.call(t, method, path, form, "", "")
	if status != http.StatusOK {
		t.Fatalf("%s %s %v: %d %s", method, path, form, status, body)
	}
	return body
}

// exchangeWith redeems a fresh code of user with the given client secret
// and returns the token endpoint's status.
func (s *served) exchangeWith(t *testing.T, clientID, secret, redirect, user string) int {
	t.Helper()
	g := s.manifest.Providers["google"]
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"https://mail.google.com/"}, "login_hint": {user}}
	resp, err := s.http.Get(g.AuthorizationEndpoint + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("code") == "" {
		return resp.StatusCode
	}
	resp, err = s.http.PostForm(g.TokenEndpoint, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"client_id": {clientID}, "client_secret": {secret}, "redirect_uri": {redirect}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeWorldActions drives every world action of the admin API against
// the built binary and checks each one's effect on the wire (issue 12,
// item 2).
func TestServeWorldActions(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	_, web := s.google(t)

	// The world, read back: JSON without passwords, YAML, with passwords.
	if body := s.must(t, "GET", "/api/world", nil); !strings.Contains(body, `"providers"`) || strings.Contains(body, "alice-password") {
		t.Fatalf("GET /api/world: %.300s", body)
	}
	if body := s.must(t, "GET", "/api/world?format=yaml&passwords=true", nil); !strings.Contains(body, "providers:") ||
		!strings.Contains(body, "alice-password") {
		t.Fatalf("GET /api/world YAML: %.300s", body)
	}

	// Users: added, then removed (and what they granted ends).
	s.must(t, "POST", "/api/users", url.Values{"provider": {"google"}, "email": {"carol@gmail.test"}, "name": {"Carol"}, "password": {"pw"}})
	tok, err := s.token(s.manifest.Providers["google"], web, "carol@gmail.test")
	if err != nil {
		t.Fatalf("a token for the added user: %v", err)
	}
	s.must(t, "DELETE", "/api/users", url.Values{"provider": {"google"}, "email": {"carol@gmail.test"}})
	if status := s.refresh(t, web, tok["refresh_token"].(string)); status != http.StatusBadRequest {
		t.Errorf("refresh of a removed user: %d", status)
	}

	// Clients: one added from its world-file keys as JSON, used, removed.
	crm := `{"name": "crm", "id": "1-crm.apps.googleusercontent.com", "secret": "GOCSPX-crm", "type": "web", "redirect_uris": ["http://localhost:4000/"]}`
	if status, body := s.call(t, "POST", "/api/clients?provider=google", nil, crm, "application/json"); status != 200 || !strings.Contains(body, `"client_secret": "GOCSPX-crm"`) {
		t.Fatalf("POST /api/clients: %d %s", status, body)
	}
	if status := s.exchangeWith(t, "1-crm.apps.googleusercontent.com", "GOCSPX-crm", "http://localhost:4000/", "alice@gmail.test"); status != 200 {
		t.Errorf("the added client: %d", status)
	}
	s.must(t, "DELETE", "/api/clients", url.Values{"provider": {"google"}, "client_id": {"1-crm.apps.googleusercontent.com"}})
	if status := s.exchangeWith(t, "1-crm.apps.googleusercontent.com", "GOCSPX-crm", "http://localhost:4000/", "alice@gmail.test"); status == 200 {
		t.Errorf("the removed client still gets tokens")
	}

	// Secrets: a rotation adds one, the old one expires, the new one is deleted.
	var added struct{ Value string }
	_ = json.Unmarshal([]byte(s.must(t, "POST", "/api/clients/secrets", url.Values{"provider": {"google"}, "client_id": {web.ClientID}})), &added)
	for secret, want := range map[string]int{web.ClientSecret: 200, added.Value: 200} {
		if status := s.exchangeWith(t, web.ClientID, secret, web.RedirectURIs[0], "alice@gmail.test"); status != want {
			t.Errorf("after the rotation, secret %.6s…: %d", secret, status)
		}
	}
	s.must(t, "POST", "/api/clients/secrets/expire", url.Values{"provider": {"google"}, "client_id": {web.ClientID}, "secret": {web.ClientSecret}})
	if status := s.exchangeWith(t, web.ClientID, web.ClientSecret, web.RedirectURIs[0], "alice@gmail.test"); status != 401 {
		t.Errorf("an expired secret: %d", status)
	}
	s.must(t, "DELETE", "/api/clients/secrets", url.Values{"provider": {"google"}, "client_id": {web.ClientID}, "secret": {added.Value}})
	if status := s.exchangeWith(t, web.ClientID, added.Value, web.RedirectURIs[0], "alice@gmail.test"); status != 401 {
		t.Errorf("a deleted secret: %d", status)
	}

	s.must(t, "POST", "/api/clients/secrets", url.Values{"provider": {"google"}, "client_id": {web.ClientID}, "value": {"GOCSPX-again"}})

	// Google's Testing status: a Testing app's refresh tokens die after 7 days (G-08).
	s.must(t, "POST", "/api/providers/google/testing", url.Values{"client_id": {web.ClientID}, "testing": {"true"}})
	web.ClientSecret = "GOCSPX-again"
	tok, err = s.token(s.manifest.Providers["google"], web, "bob@gmail.test")
	if err != nil {
		t.Fatal(err)
	}
	s.must(t, "POST", "/api/clock/advance", url.Values{"seconds": {"691200"}})
	if status := s.refresh(t, web, tok["refresh_token"].(string)); status != http.StatusBadRequest {
		t.Errorf("a Testing app's refresh token after 8 days: %d", status)
	}

	// Microsoft's consoles: users may not consent, the app has no admin
	// consent: "Need admin approval" with AADSTS900941, no redirect (M-13,
	// F-10); Exchange's settings.
	ms := s.manifest.Providers["microsoft"]
	var msWeb string
	for _, c := range ms.Clients {
		if c.Name == "web" {
			msWeb = c.ClientID
		}
	}
	s.must(t, "POST", "/api/providers/microsoft/tenants", url.Values{"tenant": {"contoso"}, "user_consent_disabled": {"true"},
		"smtp_auth_disabled_for": {"bob@contoso.test"}, "security_defaults": {"true"}})
	s.must(t, "POST", "/api/providers/microsoft/apps", url.Values{"client_id": {msWeb}, "admin_consent": {"false"}})
	q := url.Values{"client_id": {msWeb}, "redirect_uri": {"http://localhost:3017"}, "response_type": {"code"},
		"scope": {"https://outlook.office.com/IMAP.AccessAsUser.All"}, "login_hint": {"alice@contoso.test"}}
	resp, err := s.http.Get(ms.AuthorizationEndpoint + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The browser goes to Entra's own page, not back to the application
	// (M-13: /common/reprocess?ctx=…).
	loc, _ := resp.Location()
	if loc == nil || !strings.HasPrefix(loc.Path, "/common/reprocess") {
		t.Fatalf("no consent: Location %v", loc)
	}
	if resp, err = s.http.Get(loc.String()); err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "AADSTS900941") {
		t.Errorf("no consent: page %.300s", page)
	}
	s.must(t, "DELETE", "/api/providers/microsoft/service-principals", url.Values{"tenant": {"contoso"}, "app_id": {"2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f"}})
	s.must(t, "POST", "/api/providers/microsoft/mailbox-permissions", url.Values{"tenant": {"contoso"}, "mailbox": {"bob@contoso.test"}, "user": {"alice@contoso.test"}})
	s.must(t, "POST", "/api/providers/microsoft/service-principals", url.Values{"tenant": {"contoso"}, "app_id": {"2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f"},
		"object_id": {"0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d"}})
	s.must(t, "DELETE", "/api/providers/microsoft/mailbox-permissions", url.Values{"tenant": {"contoso"}, "mailbox": {"alice@contoso.test"},
		"user": {"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"}})
	// EX-12, EX-08: SendAs and a mailbox's protocols.
	s.must(t, "POST", "/api/providers/microsoft/recipient-permissions", url.Values{"tenant": {"contoso"}, "mailbox": {"info@contoso.test"},
		"trustee": {"bob@contoso.test"}})
	s.must(t, "POST", "/api/providers/microsoft/cas-mailboxes", url.Values{"tenant": {"contoso"}, "mailbox": {"bob@contoso.test"},
		"imap_enabled": {"false"}, "pop_enabled": {"true"}})
	world := s.must(t, "GET", "/api/world", nil)
	for _, want := range []string{`"user_consent_disabled": true`, `"bob@contoso.test"`, `"admin_consent": false`,
		`"trustee": "bob@contoso.test"`, `"pop_disabled_for": []`, `"security_defaults": true`} {
		if !strings.Contains(world, want) {
			t.Errorf("GET /api/world lacks %s", want)
		}
	}
	if !strings.Contains(world, `"object_id": "0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d"`) || strings.Contains(world, `"object_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"`) {
		t.Errorf("the service principal was not replaced")
	}
	if strings.Contains(world, `"user": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"`) {
		t.Errorf("the removed mailbox permission is still in the world")
	}

	// Trackdéchets: strict client authentication, and a user revoking the
	// application in their account (F-18, T-06).
	s.must(t, "POST", "/api/providers/trackdechets/settings", url.Values{"strict_client_auth": {"true"}})
	if body := s.must(t, "GET", "/api/world", nil); !strings.Contains(body, `"strict_client_auth": true`) {
		t.Errorf("strict_client_auth not in the world")
	}
	td := s.manifest.Providers["trackdechets"]
	s.must(t, "POST", "/api/grants/revoke", url.Values{"provider": {"trackdechets"}, "email": {"alice@trackdechets.test"},
		"client_id": {td.Clients[0].ClientID}})

	// The clock set to an instant, forward only.
	next := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if body := s.must(t, "POST", "/api/clock/set", url.Values{"time": {next}}); !strings.Contains(body, next[:10]) {
		t.Errorf("clock/set: %s", body)
	}
	if status, _ := s.call(t, "POST", "/api/clock/set", url.Values{"time": {"2001-01-01T00:00:00Z"}}, "", ""); status != 400 {
		t.Errorf("clock set back: %d", status)
	}

	// Bad requests name what is wrong.
	for _, c := range []struct {
		method, path string
		form         url.Values
		status       int
	}{
		{"POST", "/api/users", url.Values{"provider": {"yahoo"}, "email": {"a@b"}, "password": {"p"}}, 404},
		{"POST", "/api/users", url.Values{"provider": {"google"}}, 400},
		{"DELETE", "/api/users", url.Values{"provider": {"google"}, "email": {"nobody@gmail.test"}}, 404},
		{"DELETE", "/api/clients", url.Values{"provider": {"google"}, "client_id": {"nope"}}, 404},
		{"POST", "/api/clients/secrets/expire", url.Values{"provider": {"google"}, "client_id": {web.ClientID}, "secret": {"nope"}}, 400},
		{"POST", "/api/providers/google/testing", url.Values{"client_id": {web.ClientID}, "testing": {"maybe"}}, 400},
		{"POST", "/api/providers/microsoft/tenants", url.Values{"tenant": {"initech"}}, 404},
		{"POST", "/api/providers/microsoft/service-principals", url.Values{"tenant": {"contoso"}, "app_id": {"x"}}, 400},
	} {
		if status, body := s.call(t, c.method, c.path, c.form, "", ""); status != c.status {
			t.Errorf("%s %s %v: %d %s, want %d", c.method, c.path, c.form, status, body, c.status)
		}
	}
	if status, _ := s.call(t, "POST", "/api/clients?provider=google", nil, `{"name": "x", "id": "y", "type": "tv"}`, "application/json"); status != 400 {
		t.Errorf("a client Google's schema refuses: %d", status)
	}

	var events []map[string]any // an event's seen is an object
	s.admin(t, "/api/events", &events)
	actions := map[string]bool{}
	for _, e := range events {
		if e["protocol"] == "admin" {
			actions[e["mechanism"].(string)] = true
		}
	}
	for _, want := range []string{"add-user", "remove-user", "add-client", "remove-client", "add-secret", "expire-secret", "remove-secret",
		"testing", "app", "tenant", "add-service-principal", "remove-service-principal", "add-mailbox-permission",
		"remove-mailbox-permission", "add-recipient-permission", "add-cas-mailbox", "settings", "clock"} {
		if !actions[want] {
			t.Errorf("no %q in the audit log", want)
		}
	}

	// A whole world file replaces the world; a reset brings back the one
	// serve started with. Every action is in the audit log.
	small := "providers:\n  google:\n    users: [{email: zed@gmail.test, name: Zed, password: z}]\n"
	if status, body := s.call(t, "PUT", "/api/world", nil, small, "application/yaml"); status != 200 {
		t.Fatalf("PUT /api/world: %d %s", status, body)
	}
	if body := s.must(t, "GET", "/api/world", nil); !strings.Contains(body, "zed@gmail.test") || strings.Contains(body, "alice@gmail.test") {
		t.Errorf("after PUT: %.300s", body)
	}
	if status, _ := s.call(t, "PUT", "/api/world", nil, "providers: {yahoo: {}}", "application/yaml"); status != 400 {
		t.Errorf("PUT of a bad world: %d", status)
	}
	s.must(t, "POST", "/api/reset", nil)
	if body := s.must(t, "GET", "/api/world", nil); !strings.Contains(body, "alice@gmail.test") {
		t.Errorf("after reset: %.300s", body)
	}
	events = nil
	s.admin(t, "/api/events", &events)
	if len(events) != 1 || events[0]["mechanism"] != "reset" {
		t.Errorf("events after the reset: %v", events)
	}
}

// refresh presents a refresh token with the client's credentials and
// returns the status.
func (s *served) refresh(t *testing.T, c serve.Client, refresh string) int {
	t.Helper()
	resp, err := s.http.PostForm(s.manifest.Providers["google"].TokenEndpoint, url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {refresh}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
