package mocks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/smtp"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// ExampleProvider_TokenSource: a token source whose token ages with the
// world's clock. After an hour of world time it refreshes through the
// token endpoint, as an application's x/oauth2 token source does.
func ExampleProvider_TokenSource() {
	srv, _ := mocks.New()
	defer srv.Close()
	ts := srv.Google.TokenSource(context.Background(), "alice@gmail.test", "https://mail.google.com/")
	first, _ := ts.Token()
	same, _ := ts.Token()
	srv.Advance(time.Hour)
	renewed, _ := ts.Token()
	fmt.Println(first.AccessToken == same.AccessToken, first.AccessToken == renewed.AccessToken)
	// Output: true false
}

// ExampleProvider_AppToken: the daemon's client-credentials token opens
// the mailboxes its Exchange service principal has FullAccess to.
func ExampleProvider_AppToken() {
	srv, _ := mocks.New(mocks.Options{Providers: []string{"microsoft"}})
	defer srv.Close()
	tok, err := srv.Microsoft.AppToken(context.Background(), "daemon", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range srv.Microsoft.Clients() {
		if c.Name == "daemon" {
			fmt.Println(c.Mailboxes)
		}
	}
	c, _ := imapclient.DialTLS(srv.Microsoft.Mail.IMAPS, &imapclient.Options{TLSConfig: srv.TLSConfig()})
	defer c.Close()
	fmt.Println(c.Authenticate(sasl.NewXOAUTH2Client("alice@contoso.test", tok.AccessToken, nil)))
	// Output:
	// [alice@contoso.test]
	// <nil>
}

// ExampleServer_ArmFault: an outage of the token endpoint on demand, for
// the application's retry.
func ExampleServer_ArmFault() {
	srv, _ := mocks.New(mocks.Options{Providers: []string{"google"}})
	defer srv.Close()
	if _, err := srv.ArmFault("google.token", mocks.FaultUnavailable, 1); err != nil {
		fmt.Println(err)
		return
	}
	_, err := srv.Google.Token(context.Background(), "alice@gmail.test", "https://mail.google.com/")
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		fmt.Println(re.Response.StatusCode, re.ErrorCode)
	}
	_, err = srv.Google.Token(context.Background(), "alice@gmail.test", "https://mail.google.com/")
	fmt.Println(err)
	// Output:
	// 503 temporarily_unavailable
	// <nil>
}

// ExampleServer_Deliver: a message put into a mailbox, read back over IMAP.
func ExampleServer_Deliver() {
	srv, _ := mocks.New(mocks.Options{Providers: []string{"google"}})
	defer srv.Close()
	_ = srv.Deliver("alice@gmail.test", "From: bob@gmail.test\r\nSubject: invoice\r\n\r\nhello\r\n")
	tok, _ := srv.Google.Token(context.Background(), "alice@gmail.test", "https://mail.google.com/")
	c, _ := imapclient.DialTLS(srv.Google.Mail.IMAPS, &imapclient.Options{TLSConfig: srv.TLSConfig()})
	defer c.Close()
	_ = c.Authenticate(sasl.NewXOAUTH2Client("alice@gmail.test", tok.AccessToken, nil))
	sel, _ := c.Select("INBOX", nil).Wait()
	msgs, _ := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true}).Collect()
	fmt.Println(sel.NumMessages, msgs[0].Envelope.Subject, srv.Messages("alice@gmail.test")[0].From)
	// Output: 1 invoice bob@gmail.test
}

// TestTLSConfigServesNetSMTP: net/smtp's StartTLS needs a ServerName,
// which TLSConfig sets; TLSConfigFor names another host the certificate
// covers.
func TestTLSConfigServesNetSMTP(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"google"}})
	for _, cfg := range []struct {
		host string
		ok   bool
	}{{"", true}, {"localhost", true}, {"smtp.gmail.com", false}} {
		c, err := smtp.Dial(srv.Google.Mail.SMTP)
		if err != nil {
			t.Fatal(err)
		}
		tc := srv.TLSConfig()
		if cfg.host != "" {
			tc = srv.TLSConfigFor(cfg.host)
		}
		err = c.StartTLS(tc)
		_ = c.Close()
		if (err == nil) != cfg.ok {
			t.Errorf("StartTLS with ServerName %q: %v", tc.ServerName, err)
		}
	}
}

// TestTokenSourceRefreshesByTheWorldsClock: the token is kept while the
// world says it is valid, refreshed once the world says it expired, and
// the Expiry it carries is in real time, so x/oauth2's own cache agrees.
func TestTokenSourceRefreshesByTheWorldsClock(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"microsoft"}})
	ts := srv.Microsoft.TokenSource(t.Context(), "alice@contoso.test",
		"https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access")
	first, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(first.Expiry); d < 50*time.Minute || d > 91*time.Minute {
		t.Fatalf("expiry in %v", d)
	}
	srv.Advance(30 * time.Minute)
	kept, err := ts.Token()
	if err != nil || kept.AccessToken != first.AccessToken {
		t.Fatalf("after 30 minutes: %v, same token %v", err, kept.AccessToken == first.AccessToken)
	}
	if d := time.Until(kept.Expiry); d > time.Until(first.Expiry)-29*time.Minute {
		t.Errorf("the expiry did not follow the world's clock: %v left", d)
	}
	srv.Advance(2 * time.Hour)
	renewed, err := ts.Token()
	if err != nil || renewed.AccessToken == first.AccessToken || renewed.RefreshToken == "" {
		t.Fatalf("after the expiry: %v, renewed %v", err, renewed.AccessToken != first.AccessToken)
	}
	refreshes := 0
	for _, e := range srv.Events() {
		if e.Protocol == "oauth" && strings.Contains(e.Mechanism, "refresh") && e.Outcome == "ok" {
			refreshes++
		}
	}
	if refreshes != 1 {
		t.Errorf("%d refresh requests, want 1: %+v", refreshes, srv.Events())
	}
}

// TestTokenSourceWithoutRefreshToken: a token without a refresh token
// cannot be renewed, and the token source says so.
func TestTokenSourceWithoutRefreshToken(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"microsoft"}})
	ts := srv.Microsoft.TokenSource(t.Context(), "alice@contoso.test", "https://outlook.office.com/SMTP.Send")
	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * time.Hour)
	if _, err := ts.Token(); err == nil || !strings.Contains(err.Error(), "no refresh token") {
		t.Fatalf("got %v", err)
	}
}

// TestConfigUsesTheClientsTenant: Microsoft's clients get their own
// tenant's endpoints, since a single-tenant app at /organizations gets
// AADSTS50059 or a user of another tenant.
func TestConfigUsesTheClientsTenant(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"microsoft"}})
	cfg, err := srv.Microsoft.Config("daemon")
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.Microsoft.URL + "/contoso/oauth2/v2.0/token"; cfg.Endpoint.TokenURL != want {
		t.Errorf("token URL %s, want %s", cfg.Endpoint.TokenURL, want)
	}
	if _, err := srv.Microsoft.Config("nobody"); err == nil {
		t.Error("a client that does not exist has a config")
	}
	if _, err := srv.Microsoft.AppToken(t.Context(), "daemon", "fabrikam"); err == nil {
		t.Error("the daemon got a token from a tenant it is not registered in")
	}
}

// TestAppTokenOnlyWhereTheProviderHasThem: Google has no application
// tokens for mail.
func TestAppTokenOnlyWhereTheProviderHasThem(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"google"}})
	if _, err := srv.Google.AppToken(t.Context(), "web", ""); err == nil {
		t.Fatal("Google gave an application token")
	}
}

// TestClientsAndUsers: the seeded registrations with what each is for.
func TestClientsAndUsers(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"microsoft", "google"}})
	var names []string
	for _, c := range srv.Microsoft.Clients() {
		if c.Purpose == "" || c.Tenant != "contoso" {
			t.Errorf("client %+v", c)
		}
		if c.Name == "wrong-sp" && len(c.Mailboxes) != 0 {
			t.Errorf("wrong-sp may open %v (F-02: its service principal has the wrong object id)", c.Mailboxes)
		}
		names = append(names, c.Name)
	}
	if !slices.Contains(names, "daemon") || !slices.Contains(names, "web") {
		t.Errorf("clients %v", names)
	}
	users := srv.Google.Users()
	if len(users) != 2 || users[0].Email != "alice@gmail.test" || users[0].Password != "alice-password" {
		t.Errorf("users %+v", users)
	}
	if srv.Trackdechets != nil {
		t.Error("Trackdéchets started though not asked for")
	}
}

// TestOnlyTheWorldsProviders: a world with one provider starts that one.
func TestOnlyTheWorldsProviders(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t)
	if _, err := srv.LoadWorldFile([]byte("providers: {google: {users: [{email: a@gmail.test}]}}")); err != nil {
		t.Fatal(err)
	}
	only := mocks.Start(t, mocks.Options{World: srv.World})
	if only.Google == nil || only.Microsoft != nil || only.Trackdechets != nil {
		t.Fatalf("started %v", only.FaultPoints())
	}
	if _, err := mocks.New(mocks.Options{Providers: []string{"yahoo"}}); err == nil {
		t.Fatal("an unknown provider started")
	}
}

// TestArmDelayAndClearFaults: a delay is armed with ArmDelay, not
// ArmFault; ClearFaults disarms every fault.
func TestArmDelayAndClearFaults(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"google"}})
	if _, err := srv.ArmFault("google.token", mocks.FaultDelay, 1); err == nil {
		t.Error("ArmFault armed a delay without its duration")
	}
	if _, err := srv.ArmDelay("google.token", time.Hour, 1); err == nil {
		t.Error("a delay of an hour was armed")
	}
	if _, err := srv.ArmFault("google.token", mocks.FaultServerError, 0); err != nil {
		t.Fatal(err)
	}
	srv.ClearFaults()
	if _, err := srv.Google.Token(t.Context(), "alice@gmail.test", "https://mail.google.com/"); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
	resp, err := srv.Client().Get(srv.Google.URL + "/.well-known/openid-configuration")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
}

// TestDefaultWorldIsReadOnce: the default world's YAML is read once; each
// world is a copy of it, not a new parse.
func TestDefaultWorldIsReadOnce(t *testing.T) {
	mocks.DefaultWorld()
	parse := testing.AllocsPerRun(3, func() {
		if _, err := world.Load(strings.NewReader(string(registry.DefaultWorld())), mocks.Schemas()); err != nil {
			t.Fatal(err)
		}
	})
	cp := testing.AllocsPerRun(3, func() { mocks.DefaultWorld() })
	if cp > parse/4 {
		t.Errorf("a default world costs %.0f allocations, reading its YAML %.0f: it is read again", cp, parse)
	}
}

// TestApproveAsAndTheWorldsOwn: Options.ApproveAs approves a request with
// no login_hint; without it, the world file's approve_as stands.
func TestApproveAsAndTheWorldsOwn(t *testing.T) {
	t.Parallel()
	authorize := func(srv *mocks.Server) int {
		cfg, err := srv.Google.Config("web", "https://mail.google.com/")
		if err != nil {
			t.Fatal(err)
		}
		hc := *srv.Client()
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := hc.Get(cfg.AuthCodeURL("s"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := authorize(mocks.Start(t, mocks.Options{Providers: []string{"google"}, ApproveAs: []string{"bob@gmail.test"}})); code != http.StatusFound {
		t.Errorf("with ApproveAs: HTTP %d, want a redirect", code)
	}
	w, err := world.Load(strings.NewReader("approve_as: [alice@gmail.test]\nproviders: {google: {clients: [{name: web, id: w, secret: s, type: web, redirect_uris: [\"http://localhost:3017/\"]}], users: [{email: alice@gmail.test}]}}"), mocks.Schemas())
	if err != nil {
		t.Fatal(err)
	}
	if code := authorize(mocks.Start(t, mocks.Options{World: w})); code != http.StatusFound {
		t.Errorf("the world's approve_as: HTTP %d, want a redirect", code)
	}
	if code := authorize(mocks.Start(t, mocks.Options{Providers: []string{"google"}})); code == http.StatusFound {
		t.Error("a request without login_hint was approved with no one to approve it as")
	}
}

// TestAnEmptyWorldStartsEveryProvider: a world with no client and no user
// starts every registered provider, to be filled at run time.
func TestAnEmptyWorldStartsEveryProvider(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{World: world.New()})
	if srv.Google == nil || srv.Microsoft == nil || srv.Trackdechets == nil {
		t.Fatalf("started %v", srv.FaultPoints())
	}
}

// TestErrorLogGetsTheServersErrors: Options.ErrorLog receives what the
// HTTPS servers say of a client that is not speaking TLS.
func TestErrorLogGetsTheServersErrors(t *testing.T) {
	t.Parallel()
	var b lockedBuilder
	srv := mocks.Start(t, mocks.Options{Providers: []string{"google"}, ErrorLog: log.New(&b, "", 0)})
	resp, err := http.Get("http" + strings.TrimPrefix(srv.Google.URL, "https"))
	if err == nil {
		resp.Body.Close()
	}
	srv.Close()
	if !strings.Contains(b.String(), "TLS handshake error") {
		t.Errorf("error log: %q", b.String())
	}
}

type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPublicClients: a client without a secret has a config without one,
// and no application token.
func TestPublicClients(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{"microsoft"}})
	cfg, err := srv.Microsoft.Config("desktop")
	if err != nil || cfg.ClientSecret != "" || cfg.ClientID == "" {
		t.Fatalf("%+v %v", cfg, err)
	}
	if _, err := srv.Microsoft.AppToken(t.Context(), "desktop", ""); err == nil {
		t.Fatal("a public client got an application token")
	}
}

// ExampleServer_ApproveDevice: the device flow of a public client (seeds
// 000 and 003), the user approving the code as on the device login page.
func ExampleServer_ApproveDevice() {
	srv, _ := mocks.New(mocks.Options{Providers: []string{"microsoft"}})
	defer srv.Close()
	cfg, _ := srv.Microsoft.Config("desktop", "https://outlook.office.com/SMTP.Send", "offline_access")
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(srv.ApproveDevice(da.UserCode, "alice@contoso.test"))
	// One poll of the token endpoint (x/oauth2's DeviceAccessToken would
	// first wait out the interval in real time).
	resp, _ := srv.Client().PostForm(cfg.Endpoint.TokenURL, url.Values{"client_id": {cfg.ClientID},
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da.DeviceCode}})
	var tok struct {
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, tok.RefreshToken != "")
	// Output:
	// <nil>
	// 200 true
}

// ExampleServer_Reset: back to the world the server started with, between
// the tests that share it; the audit log starts afresh.
func ExampleServer_Reset() {
	srv, _ := mocks.New(mocks.Options{Providers: []string{"google"}})
	defer srv.Close()
	_, _ = srv.Google.Token(context.Background(), "alice@gmail.test", "https://mail.google.com/")
	srv.Advance(2 * time.Hour)
	fmt.Println(len(srv.Events()) > 0, time.Until(srv.Now()) > time.Hour)
	srv.Reset()
	fmt.Println(len(srv.Events()), time.Until(srv.Now()) < time.Minute)
	// Output:
	// true true
	// 0 true
}
