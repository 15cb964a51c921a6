package mocks_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/world"
)

func arm(t *testing.T, srv *mocks.Server, target, kind string, count int) world.Fault {
	t.Helper()
	var f mocks.Fault
	var err error
	if kind == mocks.FaultDelay {
		f, err = srv.ArmDelay(target, 50*time.Millisecond, count)
	} else {
		f, err = srv.ArmFault(target, kind, count)
	}
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFaultsAtTheTokenEndpoint: an outage answers 503
// temporarily_unavailable once, then the endpoint works again; invalid_grant
// is in Google's words; a disconnect leaves the client with no reply; a
// delay only delays; a fault armed with count 0 lasts until cleared
// (issue 12, item 4).
func TestFaultsAtTheTokenEndpoint(t *testing.T) {
	srv := mocks.Start(t, mocks.Options{Providers: []string{google.Name}})
	ctx := context.Background()
	var re *oauth2.RetrieveError

	arm(t, srv, "google.token", world.FaultUnavailable, 1)
	_, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/")
	if !errors.As(err, &re) || re.Response.StatusCode != 503 || re.ErrorCode != "temporarily_unavailable" {
		t.Fatalf("unavailable: %v", err)
	}
	if _, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/"); err != nil {
		t.Fatalf("after the one outage: %v", err)
	}

	arm(t, srv, "google.token", world.FaultInvalidGrant, 1)
	if _, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/"); !errors.As(err, &re) ||
		re.ErrorCode != "invalid_grant" || re.ErrorDescription != "Bad Request" {
		t.Fatalf("invalid_grant: %v", err)
	}

	arm(t, srv, "google.token", world.FaultDisconnect, 1)
	if _, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/"); err == nil || errors.As(err, &re) {
		t.Fatalf("disconnect: %v, want a transport error", err)
	}

	arm(t, srv, "google.token", world.FaultDelay, 1)
	began := time.Now()
	if _, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/"); err != nil || time.Since(began) < 50*time.Millisecond {
		t.Fatalf("delay: %v after %v", err, time.Since(began))
	}

	arm(t, srv, "google.token", world.FaultServerError, 0)
	for range 3 {
		if _, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/"); !errors.As(err, &re) || re.Response.StatusCode != 500 {
			t.Fatalf("server_error until cleared: %v", err)
		}
	}
	if n := srv.World.ClearFaults(); n != 1 {
		t.Fatalf("cleared %d faults", n)
	}
	if _, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/"); err != nil {
		t.Fatalf("after clearing: %v", err)
	}
	faults := 0
	for _, e := range srv.World.Events() {
		if e.Outcome == "fault" {
			faults++
		}
	}
	if faults != 7 {
		t.Errorf("%d fault events, want 7", faults)
	}
}

// TestFaultsAtTheAuthorizationEndpoint: the outage is answered the
// provider's way: Google shows its error page (503), Microsoft goes back
// to the application's redirect URI with RFC 6749 §4.1.2.1's
// temporarily_unavailable.
func TestFaultsAtTheAuthorizationEndpoint(t *testing.T) {
	srv := mocks.Start(t)
	hc := *srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	authorize := func(p *mocks.Provider, user string, scopes ...string) (*http.Response, string) {
		cfg, _ := p.Config("web", scopes...)
		resp, err := hc.Get(cfg.AuthCodeURL("st", oauth2.SetAuthURLParam("login_hint", user)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	arm(t, srv, "google.authorize", world.FaultUnavailable, 1)
	if resp, body := authorize(srv.Google, "alice@gmail.test", "https://mail.google.com/"); resp.StatusCode != 503 ||
		!strings.Contains(body, "Error 503: temporarily_unavailable") {
		t.Errorf("Google: HTTP %d %.300s", resp.StatusCode, body)
	}
	arm(t, srv, "microsoft.authorize", world.FaultUnavailable, 1)
	resp, _ := authorize(srv.Microsoft, "alice@contoso.test", "https://outlook.office.com/SMTP.Send")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "temporarily_unavailable" || loc.Query().Get("state") != "st" {
		t.Errorf("Microsoft: HTTP %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestFaultsAtTheMailServers: each protocol's own "try again later" at
// authentication, and a disconnect with no reply at all.
func TestFaultsAtTheMailServers(t *testing.T) {
	srv := mocks.Start(t, mocks.Options{Providers: []string{google.Name}})
	tok, err := srv.Google.Token(context.Background(), "alice@gmail.test", "https://mail.google.com/")
	if err != nil {
		t.Fatal(err)
	}
	smtpAuth := func() error {
		c, err := smtp.DialStartTLS(srv.Google.Mail.SMTP, srv.TLSConfig())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.Auth(sasl.NewXOAUTH2Client("alice@gmail.test", tok.AccessToken, nil))
	}
	arm(t, srv, "google.smtp", world.FaultUnavailable, 1)
	var se *smtp.SMTPError
	if err := smtpAuth(); !errors.As(err, &se) || se.Code != 454 || se.EnhancedCode != (smtp.EnhancedCode{4, 7, 0}) {
		t.Errorf("SMTP unavailable: %v", err)
	}
	arm(t, srv, "google.smtp", world.FaultDisconnect, 1)
	if err := smtpAuth(); err == nil || errors.As(err, &se) {
		t.Errorf("SMTP disconnect: %v, want the connection closed", err)
	}
	if err := smtpAuth(); err != nil {
		t.Errorf("SMTP after the faults: %v", err)
	}

	xoauth2 := "user=alice@gmail.test\x01auth=Bearer " + tok.AccessToken + "\x01\x01"
	for _, c := range []struct{ target, addr, send, want string }{
		{"google.imap", srv.Google.Mail.IMAPS, "a AUTHENTICATE XOAUTH2 " + b64(xoauth2), "a NO [UNAVAILABLE] Temporary authentication failure"},
		{"google.pop3", srv.Google.Mail.POP3S, "AUTH XOAUTH2 " + b64(xoauth2), "-ERR [SYS/TEMP] Temporary authentication failure"},
	} {
		arm(t, srv, c.target, world.FaultUnavailable, 1)
		if got := lineAfter(t, c.addr, srv.TLSConfig(), c.send); got != c.want {
			t.Errorf("%s: %q, want %q", c.target, got, c.want)
		}
	}
}

// lineAfter sends line after the greeting of a TLS mail server and
// returns the first reply line.
func lineAfter(t *testing.T, addr string, cfg *tls.Config, line string) string {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(line + "\r\n")); err != nil {
		t.Fatal(err)
	}
	reply, _ := r.ReadString('\n')
	return strings.TrimRight(reply, "\r\n")
}

// TestArmFaultRefusesBadInput: a target, fault, count or delay that does
// not apply is refused with a message naming what does.
func TestArmFaultRefusesBadInput(t *testing.T) {
	srv := mocks.Start(t, mocks.Options{Providers: []string{google.Name}})
	for _, f := range []world.Fault{
		{Target: "google.nowhere", Kind: world.FaultUnavailable},
		{Target: "microsoft.token", Kind: world.FaultUnavailable}, // not running
		{Target: "google.token", Kind: "explode"},
		{Target: "google.smtp", Kind: world.FaultInvalidGrant},
		{Target: "google.token", Kind: world.FaultUnavailable, Count: -1},
		{Target: "google.token", Kind: world.FaultDelay},
		{Target: "google.token", Kind: world.FaultDelay, DelayMS: 3600000},
	} {
		var err error
		if f.Kind == world.FaultDelay {
			_, err = srv.ArmDelay(f.Target, time.Duration(f.DelayMS)*time.Millisecond, f.Count)
		} else {
			_, err = srv.ArmFault(f.Target, f.Kind, f.Count)
		}
		if err == nil {
			t.Errorf("armed %+v", f)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestFaultPointsAreTheDeclaredOnes: the targets are those the endpoints
// and mail servers declared where they are mounted, for the providers
// that run.
func TestFaultPointsAreTheDeclaredOnes(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t)
	want := []string{
		"google.authorize", "google.device", "google.imap", "google.pop3", "google.revoke", "google.smtp", "google.token", "google.userinfo",
		"microsoft.authorize", "microsoft.device", "microsoft.imap", "microsoft.pop3", "microsoft.smtp", "microsoft.token",
		"trackdechets.api", "trackdechets.authorize", "trackdechets.token",
	}
	if got := srv.FaultPoints(); !slices.Equal(got, want) {
		t.Errorf("fault points\n got %v\nwant %v", got, want)
	}
	only := mocks.Start(t, mocks.Options{Providers: []string{"trackdechets"}})
	if got := only.FaultPoints(); !slices.Equal(got, want[len(want)-3:]) {
		t.Errorf("Trackdéchets alone: %v", got)
	}
}
