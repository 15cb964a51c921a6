package microsoft_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// imapLogin authenticates to Exchange's IMAP with token as user and
// returns the gate's event.
func imapLogin(t *testing.T, srv *mocks.Server, user, token string) mocks.Event {
	t.Helper()
	cl, err := imapclient.DialTLS(srv.Provider(microsoft.Name).Mail.IMAPS, &imapclient.Options{TLSConfig: srv.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_ = cl.Authenticate(sasl.NewXOAUTH2Client(user, token, nil))
	evs := srv.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Protocol == "imap" && evs[i].Mechanism == sasl.XOAUTH2 {
			return evs[i]
		}
	}
	t.Fatalf("no IMAP login event in %+v", evs)
	return mocks.Event{}
}

// TestRefusalDetails: Exchange's refusals say what was expected and what
// was found (issue 24's "why"): the object id of the service principal
// registered against the enterprise application's (F-02), the missing
// mailbox permission, the missing permission with the ones the token
// has, the expiry against the world's time; and whose the token was.
func TestRefusalDetails(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{microsoft.Name}})
	p := srv.Provider(microsoft.Name)
	wrongSP, err := p.AppToken(t.Context(), "wrong-sp", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := imapLogin(t, srv, mailbox, wrongSP.AccessToken)
	if want := "service principal registered with object id 1f2e3d4c-5b6a-4978-8a7b-6c5d4e3f2a1b (the app registration's); " +
		"Exchange needs the enterprise application's 4d3c2b1a-0f9e-4d8c-b7a6-958473625140"; ev.Reason != "no_service_principal" || ev.Detail != want {
		t.Errorf("F-02: %s %q, want %q", ev.Reason, ev.Detail, want)
	}
	if ev.Seen["token_client"] != "3c8d2e1f-6a4b-4f7c-9d0e-2b3c4d5e6f7a" || ev.Seen["sasl_user"] != mailbox || ev.Seen["transport"] != "tls" {
		t.Errorf("F-02 seen %v", ev.Seen)
	}

	daemon, err := p.AppToken(t.Context(), "daemon", "")
	if err != nil {
		t.Fatal(err)
	}
	ev = imapLogin(t, srv, "bob@contoso.test", daemon.AccessToken)
	if ev.Reason != "no_mailbox_permission" || !strings.Contains(ev.Detail, "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d") ||
		!strings.Contains(ev.Detail, "bob@contoso.test") {
		t.Errorf("no mailbox permission: %s %q", ev.Reason, ev.Detail)
	}

	smtpOnly, err := p.Token(t.Context(), mailbox, "https://outlook.office.com/SMTP.Send")
	if err != nil {
		t.Fatal(err)
	}
	ev = imapLogin(t, srv, mailbox, smtpOnly.AccessToken)
	if ev.Reason != "wrong_scope" || !strings.Contains(ev.Detail, "IMAP.AccessAsUser.All") || !strings.Contains(ev.Detail, "SMTP.Send") {
		t.Errorf("wrong scope: %s %q", ev.Reason, ev.Detail)
	}
	if ev.Seen["token_user"] != mailbox {
		t.Errorf("wrong scope: token_user %q", ev.Seen["token_user"])
	}

	imap, err := p.Token(t.Context(), mailbox, "https://outlook.office.com/IMAP.AccessAsUser.All")
	if err != nil {
		t.Fatal(err)
	}
	ev = imapLogin(t, srv, "bob@contoso.test", imap.AccessToken)
	if ev.Reason != "wrong_user" || ev.Detail != "user= bob@contoso.test, but the token is alice@contoso.test's, who has no FullAccess to bob@contoso.test" ||
		ev.Seen["sasl_user"] != "bob@contoso.test" || ev.Seen["token_user"] != mailbox {
		t.Errorf("wrong user: %s %q %v", ev.Reason, ev.Detail, ev.Seen)
	}
	srv.Advance(2 * time.Hour)
	ev = imapLogin(t, srv, mailbox, imap.AccessToken)
	if ev.Reason != "expired" || !strings.HasPrefix(ev.Detail, "token expired at ") || !strings.Contains(ev.Detail, "(world time now "+srv.Now().UTC().Format("2006-01-02T15:04:05Z")) ||
		ev.Seen["token_user"] != mailbox {
		t.Errorf("expired: %s %q %v", ev.Reason, ev.Detail, ev.Seen)
	}
	for _, e := range srv.Events() {
		for _, tok := range []string{wrongSP.AccessToken, daemon.AccessToken, imap.AccessToken} {
			if strings.Contains(e.Detail, tok) || strings.Contains(strings.Join(mapValues(e.Seen), " "), tok) {
				t.Errorf("an event carries a token: %+v", e)
			}
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
