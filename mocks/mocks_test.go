package mocks_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks"
)

// TestStartGoogleOAuth is the README's example: a user's own test gets a
// Gmail token from the fake Google with x/oauth2, over HTTPS, no page.
func TestStartGoogleOAuth(t *testing.T) {
	w := mocks.Start(t, mocks.Options{AutoApproveLoginHint: true})
	web, _ := w.World.ClientNamed("google", "web")
	cfg := oauth2.Config{ClientID: web.ID, ClientSecret: web.Secret, Endpoint: w.Google.Endpoint(),
		RedirectURL: web.RedirectURIs[0], Scopes: []string{"https://mail.google.com/"}}

	// The "browser": with login_hint the fake approves at once and redirects.
	hc := w.HTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(cfg.AuthCodeURL("state", oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("login_hint", "alice@gmail.test")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))

	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, w.HTTPClient())
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Type() != "Bearer" {
		t.Fatalf("token %+v", tok)
	}
}

func TestCertificateCoversLoopbackNames(t *testing.T) {
	w := mocks.Start(t, mocks.Options{})
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u, _ := url.Parse(w.Google.URL)
		u.Host = host + ":" + u.Port()
		resp, err := w.HTTPClient().Get(u.String() + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d", host, resp.StatusCode)
		}
	}
	if _, err := http.Get(w.Google.URL); err == nil {
		t.Fatal("a client that does not trust the world's CA connected")
	}
}
