package authserver_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// last is the newest event of mechanism (and outcome, if not empty).
func last(t *testing.T, w *world.World, mechanism, outcome string) world.Event {
	t.Helper()
	evs := w.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Mechanism == mechanism && (outcome == "" || evs[i].Outcome == outcome) {
			return evs[i]
		}
	}
	t.Fatalf("no %s %s event in %+v", mechanism, outcome, evs)
	return world.Event{}
}

func wantSeen(t *testing.T, step string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s: seen %v, want %v", step, got, want)
	}
}

// noSecrets fails if any event of w carries one of secrets.
func noSecrets(t *testing.T, w *world.World, secrets ...string) {
	t.Helper()
	raw, _ := json.Marshal(w.Events())
	for _, s := range secrets {
		if s != "" && strings.Contains(string(raw), s) {
			t.Errorf("an event carries %q: %s", s, raw)
		}
	}
}

// TestSeenAuthorize: an authorization event says which of the parameters
// an application is judged on were sent, with their values, and whether
// state was sent, never its value.
func TestSeenAuthorize(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	verifier := oauth2.GenerateVerifier()
	code := p.code(t, url.Values{"scope": {"a b"}, "state": {"state-value-1234"}, "prompt": {"consent"},
		"access_type": {"offline"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"}})
	wantSeen(t, "all sent", last(t, p.w, "authorize", "ok").Seen, map[string]string{
		"redirect_uri": "http://localhost/cb", "scope": "a b", "response_type": "code", "access_type": "offline",
		"prompt": "consent", "code_challenge_method": "S256", "state": "sent", "login_hint": "u@x.test"})
	p.code(t, nil)
	wantSeen(t, "the least", last(t, p.w, "authorize", "ok").Seen, map[string]string{
		"redirect_uri": "http://localhost/cb", "response_type": "code", "state": "absent", "login_hint": "u@x.test"})

	resp, err := p.client.Get(p.srv.URL + "/auth?" + url.Values{"client_id": {"app"}, "response_type": {"code"},
		"redirect_uri": {"http://localhost/elsewhere"}, "state": {"state-value-1234"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ev := last(t, p.w, "authorize", "refused")
	wantSeen(t, "refused", ev.Seen, map[string]string{"redirect_uri": "http://localhost/elsewhere",
		"response_type": "code", "state": "sent"})
	if !strings.Contains(ev.Detail, `"http://localhost/elsewhere"`) || !strings.Contains(ev.Detail, "registered: http://localhost/cb") {
		t.Errorf("refusal detail %q: want the redirect URI sent and the registered one", ev.Detail)
	}
	noSecrets(t, p.w, "state-value-1234", code, verifier)
}

// TestSeenToken: a token event says how the client authenticated, the
// scope and redirect URI sent, whether a code verifier was, and for a
// refresh the presented refresh token's generation.
func TestSeenToken(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{ReturnNew: true, RevokeUsed: true})
	verifier := oauth2.GenerateVerifier()
	code := p.code(t, url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}})
	form := redeem(code)
	form.Set("code_verifier", verifier)
	form.Set("scope", "a")
	_, tok := p.post(t, "/token", form)
	wantSeen(t, "code, posted secret", last(t, p.w, "authorization_code", "ok").Seen, map[string]string{
		"client_auth": "client_secret_post", "scope": "a", "redirect_uri": "http://localhost/cb", "code_verifier": "sent"})
	secrets := []string{"app-secret", code, verifier, tok["access_token"].(string)}

	refresh := tok["refresh_token"].(string)
	first := refresh
	for gen := 1; gen <= 3; gen++ {
		req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/token", strings.NewReader(
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("app", "app-secret")
		resp, err := p.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("refresh %d: HTTP %d %v", gen, resp.StatusCode, body)
		}
		wantSeen(t, "refresh "+strconv.Itoa(gen), last(t, p.w, "refresh_token", "ok").Seen, map[string]string{
			"client_auth": "client_secret_basic", "code_verifier": "absent", "refresh_generation": strconv.Itoa(gen)})
		secrets = append(secrets, refresh)
		refresh = body["refresh_token"].(string)
	}
	// The first refresh token, used up (RevokeUsed), is refused: its
	// generation is still said.
	p.post(t, "/token", refreshForm(first, "app", "app-secret"))
	ev := last(t, p.w, "refresh_token", "refused")
	wantSeen(t, "refused refresh", ev.Seen, map[string]string{"client_auth": "client_secret_post",
		"code_verifier": "absent", "refresh_generation": "1"})
	// A wrong secret: the detail names the client, never a secret.
	p.post(t, "/token", refreshForm(refresh, "app", "not-the-secret"))
	if ev := last(t, p.w, "refresh_token", "refused"); ev.Reason != string(authserver.WrongSecret) || !strings.Contains(ev.Detail, "client app") {
		t.Errorf("wrong secret: %+v", ev)
	}
	noSecrets(t, p.w, append(secrets, "not-the-secret")...)
}

// TestSeenRefreshWithoutRotation: a provider that returns no new refresh
// token (Google) sees the first one, generation 1, every time.
func TestSeenRefreshWithoutRotation(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
	for range 2 {
		if status, body := p.post(t, "/token", refreshForm(tok["refresh_token"].(string), "app", "app-secret")); status != 200 {
			t.Fatalf("refresh: HTTP %d %v", status, body)
		}
		if g := last(t, p.w, "refresh_token", "ok").Seen["refresh_generation"]; g != "1" {
			t.Errorf("refresh_generation %q, want 1", g)
		}
	}
}

// TestSeenDevice: the device authorization says its scope and client; a
// poll the real time since the previous poll of its code (none on the
// first) and the interval announced; a public client authenticates with
// none.
func TestSeenDevice(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	_, da := p.post(t, "/device/code", url.Values{"client_id": {"tv"}, "scope": {"a b"}})
	wantSeen(t, "device authorization", last(t, p.w, "device_authorization", "ok").Seen,
		map[string]string{"scope": "a b", "client": "tv"})
	deviceCode := da["DeviceCode"].(string)
	poll := url.Values{"grant_type": {authserver.DeviceGrantType}, "device_code": {deviceCode}, "client_id": {"tv"}}
	p.post(t, "/token", poll)
	wantSeen(t, "first poll", last(t, p.w, authserver.DeviceGrantType, "refused").Seen,
		map[string]string{"client_auth": "none", "code_verifier": "absent", "interval": "5"})
	p.w.Clock.Advance(10 * time.Second)
	if err := p.s.ApproveDevice("ABCD-EFGH", "u@x.test"); err != nil {
		t.Fatal(err)
	}
	p.post(t, "/token", poll)
	seen := last(t, p.w, authserver.DeviceGrantType, "ok").Seen
	if ms, err := strconv.ParseInt(seen["since_previous_poll_ms"], 10, 64); err != nil || ms < 0 {
		t.Errorf("second poll: since_previous_poll_ms %q", seen["since_previous_poll_ms"])
	}
	delete(seen, "since_previous_poll_ms")
	wantSeen(t, "second poll", seen, map[string]string{"client_auth": "none", "code_verifier": "absent", "interval": "5"})

	// A refused device authorization is one too, not a nameless grant.
	p.post(t, "/device/code", url.Values{"client_id": {"nobody"}, "scope": {"a"}})
	wantSeen(t, "refused device authorization", last(t, p.w, "device_authorization", "refused").Seen,
		map[string]string{"scope": "a", "client": "nobody"})
	noSecrets(t, p.w, deviceCode)
}

// TestIntrospectInactive: an expired token still says whose it was, the
// client its grant belongs to and when it expired.
func TestIntrospectInactive(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	_, tok := p.post(t, "/token", redeem(p.code(t, nil)))
	issued := p.w.Clock.Now()
	p.w.Clock.Advance(2 * time.Hour)
	info := p.s.Introspect(t.Context(), tok["access_token"].(string))
	if info.Reason != authserver.TokenExpired || info.User != "u@x.test" || info.Client != "app" {
		t.Fatalf("expired: %+v", info)
	}
	if d := info.Expiry.Sub(issued); d < time.Hour-2*time.Second || d > time.Hour+2*time.Second {
		t.Errorf("expiry %s, issued %s: want an hour later", info.Expiry, issued)
	}
}
