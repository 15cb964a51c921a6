package authserver_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// rfc is a provider that does everything the RFC way; it records the kind
// of every token failure so tests can pin the classifier.
type rfc struct {
	w      *world.World
	s      *authserver.Server
	srv    *httptest.Server
	client *http.Client
	kinds  []authserver.FailureKind
}

func newRFC(t *testing.T, refresh authserver.RefreshPolicy) *rfc {
	t.Helper()
	w := world.New()
	realm := world.Realm{Provider: "rfc"}
	for _, c := range []world.Client{
		{Name: "app", ID: "app", Secret: "app-secret", Type: "web", RedirectURIs: []string{"http://localhost/cb"}},
		{Name: "other", ID: "other", Secret: "other-secret", Type: "web", RedirectURIs: []string{"http://localhost/cb"}},
		{Name: "tv", ID: "tv", Type: "device", Public: true},
	} {
		if err := w.AddClient(realm, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddAccount(realm, world.Account{Email: "u@x.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	p := &rfc{w: w}
	profile := authserver.Profile{
		Name: "rfc", DisplayName: "RFC",
		CodeLifespan: 10 * time.Minute, AccessTokenLifespan: time.Hour, RefreshTokenLifespan: authserver.Never,
		Grants: []string{"authorization_code", "refresh_token", "client_credentials", authserver.DeviceGrantType},
		GrantTypes: func(c world.Client) []string {
			if c.Type == "device" {
				return []string{authserver.DeviceGrantType, "refresh_token"}
			}
			return []string{"authorization_code", "refresh_token", "client_credentials"}
		},
		RedirectAllowed: func(c authserver.Call, uri string) bool {
			return len(c.Client.RedirectURIs) > 0 && c.Client.RedirectURIs[0] == uri
		},
		Refresh: refresh,
		TokenError: func(_ authserver.Call, f authserver.Failure) (authserver.Reply, bool) {
			p.kinds = append(p.kinds, f.Kind)
			return authserver.Reply{}, false
		},
		Device: &authserver.DeviceProfile{
			UserCode:         func() string { return "ABCD-EFGH" },
			Lifespan:         10 * time.Minute,
			Interval:         5 * time.Second,
			VerificationPath: "/device",
			Response:         func(_ authserver.Call, d authserver.DeviceAuthorization) any { return d },
		},
	}
	p.s = authserver.New(w, profile)
	mux := http.NewServeMux()
	mux.Handle("/auth", p.s.FaultAt("authorize", func(rw http.ResponseWriter, r *http.Request) {
		p.s.Authorize(rw, r.WithContext(authserver.WithAutoApprove(r.Context())))
	}))
	mux.Handle("/token", p.s.FaultAt("token", p.s.Token))
	mux.Handle("/device/code", p.s.FaultAt("device", p.s.DeviceAuthorization))
	mux.HandleFunc("/revoke", p.s.RevocationEndpoint)
	mux.HandleFunc("/introspect", p.s.IntrospectionEndpoint)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	p.client = p.srv.Client()
	p.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return p
}

func (p *rfc) code(t *testing.T, extra url.Values) string {
	t.Helper()
	q := url.Values{"client_id": {"app"}, "redirect_uri": {"http://localhost/cb"}, "response_type": {"code"},
		"login_hint": {"u@x.test"}}
	for k, v := range extra {
		q[k] = v
	}
	resp, err := p.client.Get(p.srv.URL + "/auth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code: HTTP %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func (p *rfc) post(t *testing.T, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := p.client.PostForm(p.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("non-JSON answer %q", raw)
	}
	return resp.StatusCode, m
}

func redeem(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://localhost/cb"},
		"client_id": {"app"}, "client_secret": {"app-secret"}}
}

func refreshForm(token, client, secret string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {client}, "client_secret": {secret}}
}

// TestClassification pins how fosite's refusals are told apart: each case
// must reach the profile as its own FailureKind (fosite reports most of them
// as invalid_grant with a hint).
func TestClassification(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{ReturnNew: true, RevokeUsed: true})
	verifier := oauth2.GenerateVerifier()
	pkce := url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
	refresh := tok["refresh_token"].(string)
	_, _ = p.post(t, "/token", refreshForm(refresh, "app", "app-secret")) // rotates: refresh is now used

	reused := p.code(t, nil)
	p.post(t, "/token", redeem(reused))
	cases := []struct {
		name string
		form func() url.Values
		kind authserver.FailureKind
	}{
		{"reused code", func() url.Values { return redeem(reused) }, authserver.CodeReused},
		{"unknown code", func() url.Values { return redeem("not-a-code.sig") }, authserver.CodeInvalid},
		{"other redirect", func() url.Values {
			f := redeem(p.code(t, nil))
			f.Set("redirect_uri", "http://localhost/other")
			return f
		}, authserver.RedirectMismatch},
		{"wrong verifier", func() url.Values {
			f := redeem(p.code(t, pkce))
			f.Set("code_verifier", oauth2.GenerateVerifier())
			return f
		}, authserver.PKCEFailed},
		{"code of another client", func() url.Values {
			f := redeem(p.code(t, nil))
			f.Set("client_id", "other")
			f.Set("client_secret", "other-secret")
			return f
		}, authserver.CodeOtherClient},
		{"wrong secret", func() url.Values {
			f := redeem("x")
			f.Set("client_secret", "nope")
			return f
		}, authserver.WrongSecret},
		{"unknown client", func() url.Values {
			f := redeem("x")
			f.Set("client_id", "nobody")
			return f
		}, authserver.UnknownClient},
		{"no client", func() url.Values { return url.Values{"grant_type": {"authorization_code"}, "code": {"x"}} }, authserver.ClientAuthMissing},
		{"unknown refresh token", func() url.Values { return refreshForm("nope.nope", "app", "app-secret") }, authserver.RefreshInvalid},
		{"rotated refresh token", func() url.Values { return refreshForm(refresh, "app", "app-secret") }, authserver.RefreshRevoked},
		{"code expired", func() url.Values {
			f := redeem(p.code(t, nil))
			p.w.Clock.Advance(11 * time.Minute)
			return f
		}, authserver.CodeExpired},
		{"grant not allowed", func() url.Values {
			return url.Values{"grant_type": {authserver.DeviceGrantType}, "device_code": {"x"},
				"client_id": {"app"}, "client_secret": {"app-secret"}}
		}, authserver.GrantNotAllowed},
		{"unsupported grant", func() url.Values { return url.Values{"grant_type": {"password"}} }, authserver.UnsupportedGrantType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := c.form()
			p.kinds = nil
			status, body := p.post(t, "/token", form)
			if len(p.kinds) != 1 || p.kinds[0] != c.kind {
				t.Fatalf("kinds %v, want %s (HTTP %d %v)", p.kinds, c.kind, status, body)
			}
			want := authserver.StandardReply(authserver.Failure{Kind: c.kind})
			if status != want.Status || body["error"] != (authserver.Failure{Kind: c.kind}).ErrorCode() {
				t.Fatalf("HTTP %d %v, want the standard %d answer", status, body, want.Status)
			}
		})
	}
	t.Run("refresh of another client", func(t *testing.T) {
		_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
		p.kinds = nil
		p.post(t, "/token", refreshForm(tok["refresh_token"].(string), "other", "other-secret"))
		if len(p.kinds) != 1 || p.kinds[0] != authserver.RefreshOtherClient {
			t.Fatalf("kinds %v", p.kinds)
		}
	})
}

// TestTimeTravel: codes and tokens expire by the world's clock, not the
// real one.
func TestTimeTravel(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	code := p.code(t, nil)
	p.w.Clock.Advance(11 * time.Minute)
	if status, body := p.post(t, "/token", redeem(code)); status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("an 11-minute-old code: HTTP %d %v", status, body)
	}
	_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
	access := tok["access_token"].(string)
	if !p.s.Introspect(t.Context(), access).Active {
		t.Fatal("a fresh token is not active")
	}
	p.w.Clock.Advance(59 * time.Minute)
	if info := p.s.Introspect(t.Context(), access); !info.Active {
		t.Fatalf("a 59-minute-old token of an hour is inactive: %+v", info)
	}
	p.w.Clock.Advance(2 * time.Minute)
	if info := p.s.Introspect(t.Context(), access); info.Active || info.Reason != authserver.TokenExpired {
		t.Fatalf("a 61-minute-old token: %+v", info)
	}
}

// TestRefreshPolicies: what a refresh does to the tokens it replaces is the
// profile's choice.
func TestRefreshPolicies(t *testing.T) {
	t.Parallel()
	for _, policy := range []authserver.RefreshPolicy{{}, {ReturnNew: true}, {ReturnNew: true, RevokeUsed: true}} {
		p := newRFC(t, policy)
		_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
		first, access := tok["refresh_token"].(string), tok["access_token"].(string)
		status, got := p.post(t, "/token", refreshForm(first, "app", "app-secret"))
		if status != 200 {
			t.Fatalf("%+v: refresh HTTP %d %v", policy, status, got)
		}
		_, returned := got["refresh_token"]
		if returned != policy.ReturnNew {
			t.Errorf("%+v: new refresh token returned = %v", policy, returned)
		}
		status, _ = p.post(t, "/token", refreshForm(first, "app", "app-secret"))
		if (status == 200) == policy.RevokeUsed {
			t.Errorf("%+v: reusing the first refresh token gave HTTP %d", policy, status)
		}
		if p.s.Introspect(t.Context(), access).Active == policy.RevokeUsed {
			t.Errorf("%+v: old access token active = %v", policy, !policy.RevokeUsed)
		}
	}
}

// TestStandardDevicePolling: without provider texts the device flow answers
// as RFC 8628 §3.5 says, every error with HTTP 400.
func TestStandardDevicePolling(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	status, da := p.post(t, "/device/code", url.Values{"client_id": {"tv"}, "scope": {"a b"}})
	if status != 200 {
		t.Fatalf("device code: HTTP %d %v", status, da)
	}
	poll := url.Values{"grant_type": {authserver.DeviceGrantType}, "device_code": {da["DeviceCode"].(string)}, "client_id": {"tv"}}
	expect := func(step, code string) {
		t.Helper()
		status, body := p.post(t, "/token", poll)
		if code == "" {
			if status != 200 {
				t.Fatalf("%s: HTTP %d %v", step, status, body)
			}
			return
		}
		if status != 400 || body["error"] != code {
			t.Fatalf("%s: HTTP %d %v, want 400 %s", step, status, body, code)
		}
	}
	expect("at once", "slow_down")
	p.w.Clock.Advance(5 * time.Second)
	expect("5 s later, interval now 10 s", "slow_down")
	p.w.Clock.Advance(15 * time.Second)
	expect("15 s later", "authorization_pending")
	if err := p.s.ApproveDevice("ABCD-EFGH", "u@x.test"); err != nil {
		t.Fatal(err)
	}
	expect("approved", "")
	expect("used", "invalid_grant")
	if err := p.s.ApproveDevice("ABCD-EFGH", "u@x.test"); err == nil {
		t.Fatal("a used user code was approved again")
	}
}

func TestFailureCodes(t *testing.T) {
	t.Parallel()
	for kind, code := range map[authserver.FailureKind]string{
		authserver.WrongSecret: "invalid_client", authserver.CodeReused: "invalid_grant",
		authserver.DeviceDenied: "access_denied", authserver.DevicePending: "authorization_pending",
		authserver.GrantNotAllowed: "unauthorized_client",
	} {
		if got := (authserver.Failure{Kind: kind}).ErrorCode(); got != code {
			t.Errorf("%s: code %s, want %s", kind, got, code)
		}
	}
	if !strings.Contains(authserver.Failure{Kind: authserver.InvalidScope, Detail: "x"}.Error(), "x") {
		t.Error("Error() drops the detail")
	}
}

// TestClientCredentials: the grant without a user (RFC 6749 §4.4): a token
// for the requested scopes, no refresh token.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	status, tok := p.post(t, "/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"a b"},
		"client_id": {"app"}, "client_secret": {"app-secret"}})
	if status != 200 || tok["scope"] != "a b" || tok["refresh_token"] != nil || tok["access_token"] == nil {
		t.Fatalf("HTTP %d %v", status, tok)
	}
	if info := p.s.Introspect(t.Context(), tok["access_token"].(string)); !info.Active || info.User != "" || info.Client != "app" {
		t.Fatalf("introspection %+v", info)
	}
}

// TestRevocationAndIntrospectionEndpoints: RFC 7009 and RFC 7662 as fosite
// implements them, with client authentication.
func TestRevocationAndIntrospectionEndpoints(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
	introspect := func() map[string]any { return p.introspect(t, access, "app", "app-secret") }
	if m := introspect(); m["active"] != true || m["client_id"] != "app" {
		t.Fatalf("introspection of a live token: %v", m)
	}
	req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/revoke", strings.NewReader(url.Values{"token": {refresh}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("app", "app-secret")
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("revocation: HTTP %d", resp.StatusCode)
	}
	if m := introspect(); m["active"] != false {
		t.Fatalf("the access token of a revoked grant is still active: %v", m)
	}
	req, _ = http.NewRequest(http.MethodPost, p.srv.URL+"/revoke", strings.NewReader(url.Values{"token": {access}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 && resp.StatusCode != 401 {
		t.Fatalf("revocation without client authentication: HTTP %d", resp.StatusCode)
	}
}

// TestSweep: a long-running server forgets what expired or was revoked
// long ago, and nothing else.
func TestSweep(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	_, live := p.post(t, "/token", redeem(p.code(t, nil)))
	_, old := p.post(t, "/token", redeem(p.code(t, nil)))
	if !p.s.Revoke(t.Context(), old["access_token"].(string)) {
		t.Fatal("revoke failed")
	}
	p.w.Clock.Advance(23 * time.Hour)
	if info := p.s.Introspect(t.Context(), old["access_token"].(string)); info.Reason != authserver.TokenRevoked {
		t.Fatalf("a token revoked 23 h ago: %+v", info)
	}
	p.w.Clock.Advance(3 * time.Hour)
	if info := p.s.Introspect(t.Context(), old["access_token"].(string)); info.Reason != authserver.TokenUnknown {
		t.Fatalf("a token revoked 26 h ago is still remembered: %+v", info)
	}
	if info := p.s.Introspect(t.Context(), live["access_token"].(string)); info.Reason != authserver.TokenUnknown {
		t.Fatalf("an access token expired 25 h ago is still remembered: %+v", info)
	}
	// The refresh token of the live grant never expires: it still works.
	if status, body := p.post(t, "/token", refreshForm(live["refresh_token"].(string), "app", "app-secret")); status != 200 {
		t.Fatalf("refresh after the sweep: %d %v", status, body)
	}
}

// TestSweepKeepsRecordsInUse: the records a sweep frees are those no
// code or token uses any more; grants made after it take their numbers,
// and a grant that outlived the sweep still reads its own.
func TestSweepKeepsRecordsInUse(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	_, live := p.post(t, "/token", redeem(p.code(t, url.Values{"scope": {"keep"}})))
	for range 3 {
		_, old := p.post(t, "/token", redeem(p.code(t, url.Values{"scope": {"gone"}})))
		p.s.Revoke(t.Context(), old["access_token"].(string))
	}
	p.w.Clock.Advance(26 * time.Hour)
	// A code waiting for its exchange, with its PKCE challenge, through a
	// sweep (a minute of world time, then any look-up).
	verifier := strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(verifier))
	pending := p.code(t, url.Values{"scope": {"pkce"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}})
	p.w.Clock.Advance(2 * time.Minute)
	p.s.Introspect(t.Context(), "x")
	var fresh []string
	other := strings.Repeat("w", 43)
	otherSum := sha256.Sum256([]byte(other))
	for range 5 {
		form := redeem(p.code(t, url.Values{"scope": {"new"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(otherSum[:])},
			"code_challenge_method": {"S256"}}))
		form.Set("code_verifier", other)
		_, tok := p.post(t, "/token", form)
		fresh = append(fresh, tok["access_token"].(string))
	}
	form := redeem(pending)
	form.Set("code_verifier", verifier)
	if status, tok := p.post(t, "/token", form); status != 200 || tok["scope"] != "pkce" {
		t.Fatalf("the code that waited through the sweep: %d %v", status, tok)
	}
	status, tok := p.post(t, "/token", refreshForm(live["refresh_token"].(string), "app", "app-secret"))
	if status != 200 || tok["scope"] != "keep" {
		t.Fatalf("refresh of the grant that outlived the sweep: %d %v", status, tok)
	}
	if info := p.s.Introspect(t.Context(), tok["access_token"].(string)); !info.Active || !slices.Equal(info.Scopes, []string{"keep"}) {
		t.Fatalf("its new access token: %+v", info)
	}
	for _, a := range fresh {
		if info := p.s.Introspect(t.Context(), a); !info.Active || !slices.Equal(info.Scopes, []string{"new"}) {
			t.Fatalf("a grant made after the sweep: %+v", info)
		}
	}
}

// TestIntrospectionOfAnotherClientsToken: a client learns nothing of a
// token issued to another client (RFC 7662 §2.2): it is answered
// inactive, while its own client sees it active.
func TestIntrospectionOfAnotherClientsToken(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
	ask := func(id, secret string) map[string]any {
		return p.introspect(t, tok["access_token"].(string), id, secret)
	}
	if m := ask("other", "other-secret"); m["active"] != false || len(m) != 1 {
		t.Fatalf("another client learns %v", m)
	}
	if m := ask("app", "app-secret"); m["active"] != true {
		t.Fatalf("its own client learns %v", m)
	}
}

// introspect asks the introspection endpoint about token as the client id
// (HTTP Basic) and returns the JSON answer.
func (p *rfc) introspect(t *testing.T, token, id, secret string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return m
}
