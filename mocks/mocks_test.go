package mocks_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/sasl"
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

// TestStartGmailSMTP is the README's mail example: a token from the fake
// Google, a message sent through the fake smtp.gmail.com with XOAUTH2 over
// STARTTLS, and the message found in the world.
func TestStartGmailSMTP(t *testing.T) {
	w := mocks.Start(t, mocks.Options{AutoApproveLoginHint: true})
	tok := gmailToken(t, w, "alice@gmail.test")

	tlsConfig := w.CA.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"
	c, err := smtp.DialStartTLS(w.Google.Mail.SMTP, tlsConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewXOAUTH2Client("alice@gmail.test", tok.AccessToken, nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("alice@gmail.test", []string{"bob@gmail.test"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := w.World.Messages("bob@gmail.test"); len(got) != 1 || got[0].Subject != "hi" {
		t.Fatalf("delivered %+v", got)
	}
}

// gmailToken runs the authorization code flow with login_hint auto-approval.
func gmailToken(t *testing.T, w *mocks.Server, user string) *oauth2.Token {
	t.Helper()
	web, _ := w.World.ClientNamed("google", "web")
	cfg := oauth2.Config{ClientID: web.ID, ClientSecret: web.Secret, Endpoint: w.Google.Endpoint(),
		RedirectURL: web.RedirectURIs[0], Scopes: []string{"https://mail.google.com/"}}
	hc := w.HTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(cfg.AuthCodeURL("state", oauth2.SetAuthURLParam("login_hint", user)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	tok, err := cfg.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, w.HTTPClient()), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
