package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/serve"
)

// tdToken is what a vendor's application does against serve's Trackdéchets,
// reading only the manifest: the dialog with login_hint (approved at once
// in serve), then the exchange with HTTP Basic (or the body).
func tdToken(t *testing.T, inst *serve.Instance, style oauth2.AuthStyle) (*oauth2.Token, error) {
	t.Helper()
	td := inst.Manifest.Providers["trackdechets"]
	app := td.Clients[0]
	cfg := oauth2.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret, RedirectURL: app.RedirectURIs[0],
		Endpoint: oauth2.Endpoint{AuthURL: td.AuthorizationEndpoint, TokenURL: td.TokenEndpoint, AuthStyle: style}}
	hc := *inst.Mocks.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(cfg.AuthCodeURL("st4te", oauth2.SetAuthURLParam("login_hint", td.Users[0].Email)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st4te" {
		t.Fatalf("dialog with login_hint: HTTP %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return cfg.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, inst.Mocks.Client()), loc.Query().Get("code"))
}

// me asks the manifest's api_endpoint who the token is.
func me(t *testing.T, inst *serve.Instance, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, inst.Manifest.Providers["trackdechets"].APIEndpoint,
		bytes.NewReader([]byte(`{"query":"{ me { email } }"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := inst.Mocks.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestTrackdechetsThroughServe: the manifest's Trackdéchets, the dialog's
// login_hint convenience, the API, revocation and strict mode through the
// admin API, and the dashboard showing them (issue 10, item 5).
func TestTrackdechetsThroughServe(t *testing.T) {
	t.Parallel()
	inst := start(t)
	td, ok := inst.Manifest.Providers["trackdechets"]
	if !ok || !strings.HasSuffix(td.AuthorizationEndpoint, "/oauth2/authorize/dialog") || !strings.HasSuffix(td.TokenEndpoint, "/oauth2/token") ||
		!strings.HasSuffix(td.APIEndpoint, "/") || len(td.Clients) < 2 || len(td.Users) < 2 || td.Mail != nil {
		t.Fatalf("trackdechets %+v", td)
	}
	tok, err := tdToken(t, inst, oauth2.AuthStyleInHeader)
	if err != nil {
		t.Fatal(err)
	}
	if got := me(t, inst, tok.AccessToken); !strings.Contains(got, `"email":"`+td.Users[0].Email+`"`) {
		t.Fatalf("me: %s", got)
	}
	a := inst.Manifest.AdminURL
	if status, body := call(t, "POST", a+"/api/grants/revoke", url.Values{"provider": {"trackdechets"},
		"email": {td.Users[0].Email}, "client_id": {td.Clients[0].ClientID}}); status != 200 {
		t.Fatalf("revoke: %d %s", status, body)
	}
	if got := me(t, inst, tok.AccessToken); !strings.Contains(got, `"UNAUTHENTICATED"`) {
		t.Fatalf("me after revocation: %s", got)
	}
	if status, body := call(t, "POST", a+"/api/providers/trackdechets/settings", url.Values{"strict_client_auth": {"true"}}); status != 200 ||
		!strings.Contains(body, `"strict_client_auth": true`) {
		t.Fatalf("strict: %d %s", status, body)
	}
	var re *oauth2.RetrieveError
	if _, err := tdToken(t, inst, oauth2.AuthStyleInParams); err == nil || !errors.As(err, &re) || re.Response.StatusCode != 401 {
		t.Fatalf("body credentials in strict mode: %v", err)
	}
	if _, body := call(t, "GET", a+"/", nil); !strings.Contains(body, "HTTP Basic only (strict, F-18)") || !strings.Contains(body, td.APIEndpoint) {
		t.Errorf("the dashboard does not show Trackdéchets' API and strict mode")
	}
	for _, c := range []struct {
		path   string
		form   url.Values
		status int
	}{
		{"/api/grants/revoke", url.Values{"provider": {"trackdechets"}, "email": {"nobody@trackdechets.test"}, "client_id": {td.Clients[0].ClientID}}, 404},
		{"/api/grants/revoke", url.Values{"provider": {"trackdechets"}, "email": {td.Users[0].Email}, "client_id": {"nope"}}, 404},
		{"/api/grants/revoke", url.Values{"provider": {"yahoo"}, "email": {"a@b"}, "client_id": {"c"}}, 404},
		{"/api/grants/revoke", url.Values{"provider": {"trackdechets"}}, 400},
		{"/api/providers/trackdechets/settings", url.Values{"strict_client_auth": {"maybe"}}, 400},
	} {
		if status, body := call(t, "POST", a+c.path, c.form); status != c.status {
			t.Errorf("%s %v: %d %s, want %d", c.path, c.form, status, body, c.status)
		}
	}
}

// TestResetAndClockSet: POST /api/reset puts the world back (a token
// issued before is unknown, the clock reads the real time, the events are
// gone); POST /api/clock/set moves the clock forward only, and the
// manifest says where it is (issue 12, items 3 and 5).
func TestResetAndClockSet(t *testing.T) {
	t.Parallel()
	inst := start(t)
	a := inst.Manifest.AdminURL
	tok, err := tdToken(t, inst, oauth2.AuthStyleInHeader)
	if err != nil {
		t.Fatal(err)
	}
	target := time.Now().Add(365 * 24 * time.Hour).UTC().Truncate(time.Second)
	if status, body := call(t, "POST", a+"/api/clock/set", url.Values{"time": {target.Format(time.RFC3339)}}); status != 200 ||
		!strings.Contains(body, target.Format(time.RFC3339)[:13]) {
		t.Fatalf("clock/set: %d %s", status, body)
	}
	var m serve.Manifest
	_, body := call(t, "GET", a+"/api/manifest", nil)
	if err := json.Unmarshal([]byte(body), &m); err != nil || m.Clock.OffsetSeconds < 364*24*3600 {
		t.Fatalf("manifest clock %+v (%v)", m.Clock, err)
	}
	for _, c := range []struct{ time, want string }{
		{time.Now().UTC().Format(time.RFC3339), "never goes back"},
		{"2300-01-01T00:00:00Z", "100 years"},
		{"tomorrow", "RFC 3339"},
	} {
		if status, body := call(t, "POST", a+"/api/clock/set", url.Values{"time": {c.time}}); status != 400 || !strings.Contains(body, c.want) {
			t.Errorf("clock/set %s: %d %s", c.time, status, body)
		}
	}
	if status, body := call(t, "POST", a+"/api/reset", nil); status != 200 || !strings.Contains(body, `"status": "reset"`) {
		t.Fatalf("reset: %d %s", status, body)
	}
	if got := me(t, inst, tok.AccessToken); !strings.Contains(got, "UNAUTHENTICATED") {
		t.Errorf("a token issued before the reset: %s", got)
	}
	_, body = call(t, "GET", a+"/api/manifest", nil)
	if err := json.Unmarshal([]byte(body), &m); err != nil || m.Clock.OffsetSeconds != 0 {
		t.Errorf("clock after reset %+v", m.Clock)
	}
	_, body = call(t, "GET", a+"/api/events", nil)
	if strings.Count(body, `"mechanism"`) != 2 || !strings.Contains(body, `"reset"`) { // the reset, then the refused bearer of me
		t.Errorf("events after reset: %s", body)
	}
}

// TestFaultsThroughAdmin: POST /api/faults arms a fault (form or JSON),
// GET lists it, the next request gets it, DELETE clears the rest.
func TestFaultsThroughAdmin(t *testing.T) {
	t.Parallel()
	inst := start(t)
	a := inst.Manifest.AdminURL
	status, body := call(t, "POST", a+"/api/faults", url.Values{"target": {"trackdechets.token"}, "fault": {"unavailable"}})
	if status != 200 || !strings.Contains(body, `"id": "f-`) || !strings.Contains(body, `"count": 1`) {
		t.Fatalf("arm (form): %d %s", status, body)
	}
	var re *oauth2.RetrieveError
	if _, err := tdToken(t, inst, oauth2.AuthStyleInHeader); !errors.As(err, &re) || re.Response.StatusCode != 503 {
		t.Fatalf("the token request during the outage: %v", err)
	}
	if _, err := tdToken(t, inst, oauth2.AuthStyleInHeader); err != nil {
		t.Fatalf("the retry: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, a+"/api/faults", strings.NewReader(`{"target":"google.smtp","fault":"server_error","count":0}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("arm (JSON): %d", resp.StatusCode)
	}
	if _, body := call(t, "GET", a+"/api/faults", nil); !strings.Contains(body, `"google.smtp"`) || !strings.Contains(body, `"count": 0`) ||
		!strings.Contains(body, `"trackdechets.api"`) {
		t.Errorf("list: %s", body)
	}
	if status, body := call(t, "DELETE", a+"/api/faults", nil); status != 200 || !strings.Contains(body, `"cleared": 1`) {
		t.Errorf("clear: %d %s", status, body)
	}
	for _, form := range []url.Values{
		{"target": {"google.nowhere"}, "fault": {"unavailable"}},
		{"target": {"google.token"}, "fault": {"unavailable"}, "count": {"many"}},
		{"target": {"google.token"}, "fault": {"delay"}},
	} {
		if status, _ := call(t, "POST", a+"/api/faults", form); status != 400 {
			t.Errorf("arm %v: %d", form, status)
		}
	}
}

// TestAdminRefusesWebPages: a page behind a rebound DNS name reads
// nothing, a cross-site form post changes nothing; curl-like requests and
// the admin's own origin work (issue 13, finding 3).
func TestAdminRefusesWebPages(t *testing.T) {
	t.Parallel()
	inst := start(t)
	a := inst.Manifest.AdminURL
	u, _ := url.Parse(a)
	for _, c := range []struct {
		name, method, path string
		header             http.Header
		host               string
		status             int
	}{
		{"a rebound DNS name reads the manifest", "GET", "/api/manifest", nil, "evil.example:" + u.Port(), 403},
		{"a rebound DNS name reads the events", "GET", "/api/events", nil, "evil.example", 403},
		{"a cross-site form moves the clock", "POST", "/api/clock/advance", http.Header{"Origin": {"https://evil.example"}}, "", 403},
		{"a cross-site fetch resets the world", "POST", "/api/reset", http.Header{"Sec-Fetch-Site": {"cross-site"}}, "", 403},
		{"a same-site page arms a fault", "POST", "/api/reset", http.Header{"Sec-Fetch-Site": {"same-site"}}, "", 403},
		{"curl reads the manifest", "GET", "/api/manifest", nil, "", 200},
		{"curl by localhost", "GET", "/healthz", nil, "localhost:" + u.Port(), 200},
		{"the dashboard's own origin", "POST", "/api/reset", http.Header{"Origin": {a}, "Sec-Fetch-Site": {"same-origin"}}, "", 200},
		{"curl resets", "POST", "/api/reset", nil, "", 200},
	} {
		req, _ := http.NewRequest(c.method, a+c.path, strings.NewReader("seconds=60"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range c.header {
			req.Header[k] = v
		}
		if c.host != "" {
			req.Host = c.host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
	if off := inst.Mocks.World.Clock.Offset(); off != 0 {
		t.Errorf("the clock moved: %v", off)
	}
}
