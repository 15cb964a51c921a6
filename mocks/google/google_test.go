package google_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// fixture is a fake Google on httptest with login_hint auto-approval, and a
// client that does not follow redirects, so tests can read the code.
type fixture struct {
	w      *world.World
	g      *google.Provider
	srv    *httptest.Server
	client *http.Client
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	w := mocks.DefaultWorld()
	g := google.New(w, google.Options{AutoApprove: true})
	srv := httptest.NewServer(g.Handler())
	tb.Cleanup(srv.Close)
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fixture{w: w, g: g, srv: srv, client: c}
}

func (f *fixture) client0(tb testing.TB, name string) world.Client {
	tb.Helper()
	c, ok := f.w.ClientNamed(google.Realm, name)
	if !ok {
		tb.Fatalf("no client %q", name)
	}
	return c
}

// code runs an auto-approved authorization and returns the code.
func (f *fixture) code(tb testing.TB, c world.Client, user, scope string, extra url.Values) string {
	tb.Helper()
	q := url.Values{"client_id": {c.ID}, "redirect_uri": {c.RedirectURIs[0]}, "response_type": {"code"},
		"scope": {scope}, "login_hint": {user}, "state": {"st"}}
	for k, v := range extra {
		q[k] = v
	}
	resp, err := f.client.Get(f.srv.URL + google.AuthPath + "?" + q.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		tb.Fatalf("authorize: HTTP %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// post posts form to path and returns the status and JSON body.
func (f *fixture) post(tb testing.TB, path string, form url.Values) (int, map[string]any) {
	tb.Helper()
	resp, err := f.client.PostForm(f.srv.URL+path, form)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			tb.Fatalf("%s answered %d with non-JSON %q", path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, body
}

// token runs a whole authorization code flow and returns the token response.
func (f *fixture) token(tb testing.TB, c world.Client, user, scope string) map[string]any {
	tb.Helper()
	code := f.code(tb, c, user, scope, url.Values{"access_type": {"offline"}, "prompt": {"consent"}})
	status, body := f.post(tb, google.TokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {c.ID}, "client_secret": {c.Secret}, "redirect_uri": {c.RedirectURIs[0]}})
	if status != http.StatusOK {
		tb.Fatalf("token: HTTP %d %v", status, body)
	}
	return body
}

// TestCheckMail is the Gmail mail rule (GM-01): only a live token of the
// named user with https://mail.google.com/ opens the mailbox.
func TestCheckMail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	web := f.client0(t, "web")
	full := f.token(t, web, "alice@gmail.test", google.MailScope)["access_token"].(string)
	send := f.token(t, web, "alice@gmail.test", "https://www.googleapis.com/auth/gmail.send")["access_token"].(string)
	refresh := f.token(t, web, "alice@gmail.test", google.MailScope)["refresh_token"].(string)
	revoked := f.token(t, web, "bob@gmail.test", google.MailScope)["access_token"].(string)
	if !f.g.Revoke(context.Background(), revoked) {
		t.Fatal("revoke failed")
	}
	ctx := context.Background()
	// detail is what the audit log says of a refusal; tokenUser whose
	// the token was.
	cases := []struct {
		name, user, token string
		reason            mailauth.Reason
		detail, tokenUser string
	}{
		{"mail scope", "alice@gmail.test", full, "", "", "alice@gmail.test"},
		{"user name is case-insensitive", "Alice@Gmail.test", full, "", "", "alice@gmail.test"},
		{"gmail.send is not enough (seed 000)", "alice@gmail.test", send, mailauth.ReasonWrongScope,
			"Gmail needs https://mail.google.com/; the token's scopes: https://www.googleapis.com/auth/gmail.send", "alice@gmail.test"},
		{"another user's token", "bob@gmail.test", full, mailauth.ReasonWrongUser,
			"user= bob@gmail.test, but the token was issued to alice@gmail.test", "alice@gmail.test"},
		{"revoked", "bob@gmail.test", revoked, mailauth.ReasonRevoked, "the token's grant was revoked", "bob@gmail.test"},
		{"a refresh token is no access token", "alice@gmail.test", refresh, mailauth.ReasonUnknownToken,
			"the token was not issued by this world's Google", ""},
		{"garbage", "alice@gmail.test", "ya29.garbage", mailauth.ReasonUnknownToken, "the token was not issued by this world's Google", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := f.g.CheckMail(ctx, mailauth.Login{Protocol: "smtp", Mechanism: "XOAUTH2", User: c.user, Token: c.token})
			if v.OK != (c.reason == "") || v.Reason != c.reason || v.Detail != c.detail || v.TokenUser != c.tokenUser {
				t.Fatalf("verdict %+v, want reason %q, detail %q, token user %q", v, c.reason, c.detail, c.tokenUser)
			}
			if !v.OK && string(v.Challenge) != `{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}` {
				t.Fatalf("challenge %s", v.Challenge)
			}
		})
	}
	t.Run("expired after an hour of world time", func(t *testing.T) {
		f.w.Clock.Advance(3600 * time.Second)
		v := f.g.CheckMail(ctx, mailauth.Login{Protocol: "imap", User: "alice@gmail.test", Token: full})
		if v.OK || v.Reason != mailauth.ReasonExpired || v.TokenUser != "alice@gmail.test" ||
			!strings.HasSuffix(v.Detail, "(world time now "+f.w.Clock.Now().Format(time.RFC3339)+")") {
			t.Fatalf("verdict %+v, want expired, said so with the world's time", v)
		}
	})
}

// TestRedirectRules is G-04 and G-10 at the authorization endpoint.
func TestRedirectRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct {
		client, redirect string
		ok               bool
	}{
		{"web", "http://localhost:3017/", true},
		{"web", "http://localhost:3017", false},
		{"web", "http://localhost:3018/", false},
		{"web", "http://127.0.0.1:3017/", false},
		{"desktop", "http://localhost", true},
		{"desktop", "http://localhost:49152/", true},
		{"desktop", "http://127.0.0.1:8080/callback", true},
		{"desktop", "http://[::1]:8080/", true},
		{"desktop", "https://127.0.0.1:8080/", false},
		{"desktop", "http://example.com:8080/", false},
		{"desktop", "urn:ietf:wg:oauth:2.0:oob", false},
		{"tv", "http://localhost/", false},
	}
	for _, c := range cases {
		reg := f.client0(t, c.client)
		q := url.Values{"client_id": {reg.ID}, "redirect_uri": {c.redirect}, "response_type": {"code"},
			"scope": {google.MailScope}, "login_hint": {"alice@gmail.test"}}
		resp, err := f.client.Get(f.srv.URL + google.AuthPath + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		redirected := resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound
		if redirected != c.ok {
			t.Errorf("%s %s: HTTP %d, want redirect=%v", c.client, c.redirect, resp.StatusCode, c.ok)
		}
		want := "Error 400: redirect_uri_mismatch"
		if c.redirect == "urn:ietf:wg:oauth:2.0:oob" {
			want = "Error 400: invalid_request" // G-10: the OOB flow is blocked
		}
		if !c.ok && !strings.Contains(string(page), want) {
			t.Errorf("%s %s: page lacks Google's error title", c.client, c.redirect)
		}
	}
}

// TestTokenEndpointBadInput: malformed token requests get a JSON error with
// a 4xx status, never a 5xx or a panic.
func TestTokenEndpointBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	web := f.client0(t, "web")
	cases := []struct {
		name   string
		form   url.Values
		status int
		error  string
	}{
		{"empty", url.Values{}, 400, "invalid_request"},
		{"unknown grant", url.Values{"grant_type": {"password"}, "client_id": {web.ID}, "client_secret": {web.Secret}}, 400, "unsupported_grant_type"},
		{"code missing", url.Values{"grant_type": {"authorization_code"}, "client_id": {web.ID}, "client_secret": {web.Secret}}, 400, "invalid_grant"},
		{"malformed code", url.Values{"grant_type": {"authorization_code"}, "code": {"%%%"}, "client_id": {web.ID}, "client_secret": {web.Secret}}, 400, "invalid_grant"},
		// G-07, F-35: "Could not determine client ID from request."
		{"no client", url.Values{"grant_type": {"authorization_code"}, "code": {"4/x"}}, 400, "invalid_request"},
		{"device code missing", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {f.client0(t, "tv").ID}, "client_secret": {f.client0(t, "tv").Secret}}, 400, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := f.post(t, google.TokenPath, c.form)
			if status != c.status || body["error"] != c.error {
				t.Fatalf("HTTP %d %v, want %d %s", status, body, c.status, c.error)
			}
		})
	}
	t.Run("GET", func(t *testing.T) {
		resp, err := f.client.Get(f.srv.URL + google.TokenPath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("HTTP %d", resp.StatusCode)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		resp, err := f.client.Post(f.srv.URL+google.TokenPath, "application/x-www-form-urlencoded",
			strings.NewReader("grant_type=authorization_code&code="+strings.Repeat("A", 1<<20)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("HTTP %d", resp.StatusCode)
		}
	})
}

// TestAuthorizeBadInput: malformed authorization requests stay on Google's
// error page (G-04), never a 5xx.
func TestAuthorizeBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	web := f.client0(t, "web")
	base := url.Values{"client_id": {web.ID}, "redirect_uri": {web.RedirectURIs[0]}, "scope": {google.MailScope},
		"login_hint": {"alice@gmail.test"}}
	cases := []struct {
		name   string
		change func(url.Values)
		title  string
	}{
		{"no response_type", func(q url.Values) {}, "Error 400: unsupported_response_type"},
		{"token response_type", func(q url.Values) { q.Set("response_type", "token") }, "Error 400: unsupported_response_type"},
		{"bad PKCE method", func(q url.Values) {
			q.Set("response_type", "code")
			q.Set("code_challenge", "abc")
			q.Set("code_challenge_method", "S512")
		}, "Error 400: invalid_request"},
		{"no client", func(q url.Values) { q.Del("client_id"); q.Set("response_type", "code") }, "Error 401: invalid_client"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			c.change(q)
			resp, err := f.client.Get(f.srv.URL + google.AuthPath + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 || resp.Header.Get("Location") != "" || !strings.Contains(string(page), c.title) {
				t.Fatalf("HTTP %d, Location %q, page:\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
			}
		})
	}
}

// TestAutoApprovalPromptNone is G-16 without pages: approval without
// pages signs in and consents only where a page would have let the user
// do so, and prompt=none shows none, so it is answered as a browser with
// no session: login_required, whether the login_hint's user consented
// before or never did, and whether the world names an approve-as user.
func TestAutoApprovalPromptNone(t *testing.T) {
	f := newFixture(t)
	web := f.client0(t, "web")
	authorize := func(q url.Values) *url.URL {
		t.Helper()
		q.Set("client_id", web.ID)
		q.Set("redirect_uri", web.RedirectURIs[0])
		q.Set("response_type", "code")
		q.Set("scope", google.MailScope)
		q.Set("state", "st")
		resp, err := f.client.Get(f.srv.URL + google.AuthPath + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("authorize %v: HTTP %d, Location %q", q, resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc
	}
	for _, q := range []url.Values{
		{"login_hint": {"bob@gmail.test"}, "prompt": {"none"}},                  // never consented
		{"login_hint": {"alice@gmail.test"}, "prompt": {"select_account none"}}, // "none" among others
	} {
		if loc := authorize(q); loc.Query().Get("error") != "login_required" || loc.Query().Get("code") != "" {
			t.Errorf("%v: redirect %s, want error=login_required and no code", q, loc)
		}
	}
	f.code(t, web, "alice@gmail.test", google.MailScope, nil) // alice consents, without pages
	if loc := authorize(url.Values{"login_hint": {"alice@gmail.test"}, "prompt": {"none"}}); loc.Query().Get("error") != "login_required" {
		t.Errorf("prompt=none after consent, with no browser session: %s, want error=login_required", loc)
	}
	f.w.SetApproveAs([]string{"bob@gmail.test"})
	if loc := authorize(url.Values{"prompt": {"none"}}); loc.Query().Get("error") != "login_required" {
		t.Errorf("prompt=none with an approve-as user: %s, want error=login_required", loc)
	}
	if loc := authorize(url.Values{}); loc.Query().Get("code") == "" {
		t.Errorf("without prompt=none the approve-as user is approved: %s", loc)
	}
}

// TestAutoApprovalRespectsBlocks: approval without pages admits no user a
// page would have refused (G-14): a user who is not a test user of an app
// in Testing gets the "Access blocked" page, not a code.
func TestAutoApprovalRespectsBlocks(t *testing.T) {
	f := newFixture(t)
	web := f.client0(t, "web")
	if err := google.SetTesting(f.w, web.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := google.AddTestUsers(f.w, web.ID, "alice@gmail.test"); err != nil {
		t.Fatal(err)
	}
	f.code(t, web, "ALICE@gmail.test", google.MailScope, nil)
	q := url.Values{"client_id": {web.ID}, "redirect_uri": {web.RedirectURIs[0]}, "response_type": {"code"},
		"scope": {google.MailScope}, "login_hint": {"bob@gmail.test"}}
	resp, err := f.client.Get(f.srv.URL + google.AuthPath + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Error 403: access_denied") {
		t.Errorf("bob, not a test user: HTTP %d %q", resp.StatusCode, body)
	}
}

// TestSchemaRoundTrip: Google's own world keys (testing, test_users,
// playground, workspaces) read from a world file, export and read back
// the same; a Workspace's domain is matched without regard to case.
func TestSchemaRoundTrip(t *testing.T) {
	const doc = `providers:
  google:
    workspaces:
      Corp.Test: {blocked_clients: [w], message: "This application is currently blocked."}
    clients:
      - {name: web, id: w, secret: s, type: web, redirect_uris: ["http://localhost:3017/"], testing: true, test_users: [alice@gmail.test], playground: true}
    users: [{email: carol@corp.test, name: Carol}]
`
	schemas := world.Schemas{google.Name: google.Schema()}
	w, err := world.Load(strings.NewReader(doc), schemas)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(w.Export(schemas, false))
	if err != nil {
		t.Fatal(err)
	}
	again, err := world.Load(strings.NewReader(string(out)), schemas)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, x := range []*world.World{w, again} {
		c, _ := x.Client(google.Realm, "w")
		s, _ := c.Settings.(google.ClientSettings)
		if !s.Testing || !s.Playground || len(s.TestUsers) != 1 || s.TestUsers[0] != "alice@gmail.test" {
			t.Errorf("client settings %+v", s)
		}
		st, _ := x.RealmSettings(google.Realm).(google.Settings)
		if p := st.Workspaces["corp.test"]; len(p.BlockedClients) != 1 || p.Message != "This application is currently blocked." {
			t.Errorf("workspaces %+v", st.Workspaces)
		}
	}
	if _, err := world.Load(strings.NewReader("providers: {google: {workspace: {}}}"), schemas); err == nil {
		t.Error("an unknown Google key was accepted")
	}
}

// TestConsoleEdits: the console's edits keep a list a list (the last
// test user removed leaves none, not "every user"), leave a world that
// does not model the list alone, list a user or a blocked client once,
// and say whether there was a block to lift.
func TestConsoleEdits(t *testing.T) {
	f := newFixture(t)
	web := f.client0(t, "web")
	users := func() []string {
		c, _ := f.w.Client(google.Realm, web.ID)
		return c.Settings.(google.ClientSettings).TestUsers
	}
	if err := google.RemoveTestUsers(f.w, web.ID, "alice@gmail.test"); err != nil || users() != nil {
		t.Fatalf("removing from no list: %v %#v, want no list", err, users())
	}
	if err := google.AddTestUsers(f.w, web.ID, "alice@gmail.test", "ALICE@gmail.test", "bob@gmail.test"); err != nil || len(users()) != 2 {
		t.Fatalf("add: %v %v", err, users())
	}
	if err := google.RemoveTestUsers(f.w, web.ID, "Alice@Gmail.test", "bob@gmail.test"); err != nil || users() == nil || len(users()) != 0 {
		t.Fatalf("remove both: %v %#v, want an empty list", err, users())
	}
	if err := google.RemoveTestUsers(f.w, "1-nobody.apps.googleusercontent.com", "bob@gmail.test"); err == nil {
		t.Error("an unknown client's test users were edited")
	}
	if google.UnblockClient(f.w, "corp.test", web.ID) {
		t.Error("a block lifted where there was none")
	}
	google.BlockClient(f.w, "Corp.Test", web.ID, "No.")
	google.BlockClient(f.w, "corp.test", web.ID, "")
	if p := google.WorkspaceOf(f.w, "CORP.test"); len(p.BlockedClients) != 1 || p.Message != "No." {
		t.Fatalf("blocked twice: %+v", p)
	}
	if !google.UnblockClient(f.w, "corp.TEST", web.ID) || len(google.WorkspaceOf(f.w, "corp.test").BlockedClients) != 0 {
		t.Errorf("unblock: %+v", google.WorkspaceOf(f.w, "corp.test"))
	}
}
