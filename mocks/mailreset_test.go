package mocks_test

import (
	"context"
	"testing"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
)

// TestResetEndsMailSessions: a reset of the world (serve's POST
// /api/reset, PUT /api/world) ends every open mail session with its
// goodbye, as shutdown does, so that none acts on mailboxes that are
// gone; the servers go on serving.
func TestResetEndsMailSessions(t *testing.T) {
	srv := mocks.Start(t, mocks.Options{Providers: []string{google.Name}})
	tok, err := srv.Google.Token(context.Background(), "alice@gmail.test", google.MailScope)
	if err != nil {
		t.Fatal(err)
	}
	login := mailtest.XOAUTH2("alice@gmail.test", tok.AccessToken)
	cfg, m := srv.TLSConfig(), srv.Google.Mail

	smtp := mailtest.Dial(t, m.SMTPS, cfg)
	smtp.SMTPReply()
	smtp.Send("EHLO client.test")
	smtp.SMTPReply()
	smtp.Send("AUTH XOAUTH2 " + login)
	smtp.SMTPReply()
	smtp.Send("MAIL FROM:<alice@gmail.test>")
	smtp.SMTPReply()

	imap := mailtest.Dial(t, m.IMAPS, cfg)
	imap.Line()
	imap.Send("a AUTHENTICATE XOAUTH2 " + login)
	imap.Until("a OK")
	imap.Send("b SELECT INBOX")
	imap.Until("b OK")

	pop := mailtest.Dial(t, m.POP3S, cfg)
	pop.Line()
	pop.Send("AUTH XOAUTH2 " + login)
	pop.Until("+OK")

	srv.Reset()
	for name, c := range map[string]struct {
		conn *mailtest.Conn
		want string
	}{
		"smtp": {smtp, "421 4.3.2 Service not available, closing transmission channel"},
		"imap": {imap, "* BYE Server shutting down"},
		"pop3": {pop, "-ERR [SYS/TEMP] Server shutting down"},
	} {
		if got := c.conn.Line(); got != c.want {
			t.Errorf("%s after the reset: %q, want %q", name, got, c.want)
		}
		if !c.conn.Closed() {
			t.Errorf("%s: the session went on after the reset", name)
		}
	}
	again := mailtest.Dial(t, m.IMAPS, cfg)
	again.Line()
	again.Send("a CAPABILITY")
	again.Until("a OK")
}
