package mocks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// Example gets a Gmail token from the fake Google the way an application
// does and sends a message through the fake smtp.gmail.com with it (in a
// test, mocks.Start(t) in place of New and Close).
func Example() {
	srv, _ := mocks.New()
	defer srv.Close()
	tok, _ := srv.Google.Token(context.Background(), "alice@gmail.test", "https://mail.google.com/")
	c, _ := smtp.DialStartTLS(srv.Google.Mail.SMTP, srv.TLSConfig())
	_ = c.Auth(sasl.NewXOAUTH2Client("alice@gmail.test", tok.AccessToken, nil))
	_ = c.SendMail("alice@gmail.test", []string{"bob@gmail.test"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n"))
	_ = c.Close()
	fmt.Println(srv.Messages("bob@gmail.test")[0].Subject)
	// Output: hi
}

func TestCertificateCoversLoopbackNames(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u, _ := url.Parse(srv.Google.URL)
		u.Host = host + ":" + u.Port()
		resp, err := srv.Client().Get(u.String() + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d", host, resp.StatusCode)
		}
	}
	if _, err := http.Get(srv.Google.URL); err == nil {
		t.Fatal("a client that does not trust the world's CA connected")
	}
}

// TestPages: with Pages, an authorization request is answered with the
// sign-in page even with a login_hint; without, it is approved at once.
func TestPages(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Pages: true})
	if _, err := srv.Google.Token(t.Context(), "alice@gmail.test", "https://mail.google.com/"); err == nil ||
		!strings.Contains(err.Error(), "HTTP 200") {
		t.Fatalf("with pages, Token got %v", err)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	if _, err := mocks.New(mocks.Options{}, mocks.Options{}); err == nil {
		t.Fatal("two Options accepted")
	}
	if _, err := mocks.New(mocks.Options{Providers: []string{"yahoo"}}); err == nil {
		t.Fatal("an unknown provider accepted")
	}
	srv := mocks.Start(t, mocks.Options{Providers: []string{"google"}})
	if srv.Provider("google") != srv.Google || srv.Provider("yahoo") != nil {
		t.Fatal("Provider look-up")
	}
	if _, err := srv.Google.Config("no-such-client"); err == nil {
		t.Fatal("Config of an unknown client")
	}
	if err := srv.ApproveDevice("NOPE-NOPE", "alice@gmail.test"); err == nil {
		t.Fatal("approved an unknown user code")
	}
}
