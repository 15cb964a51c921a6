package imap_test

import (
	"testing"

	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// TestLibraryTexts pins the go-imap lines the rewriter replaces (texts.go):
// with a personality that sets none of its texts, each goes out as go-imap
// writes it, and this test says which. A go-imap whose texts changed makes
// it fail, instead of letting its own text reach the wire where the
// personality's was meant to be.
func TestLibraryTexts(t *testing.T) {
	t.Parallel()
	_, srv, ca := launch(t, func(c *imap.Config) {
		c.Personality = mailauth.IMAPPersonality{Greeting: "pin", Mechanisms: []string{"XOAUTH2"}}
	})
	c := mailtest.Dial(t, srv.TLSAddr, ca.ClientConfig())
	c.Line()
	c.Send("a1 CAPABILITY")
	c.Line()
	match(t, c.Line(), `a1 OK CAPABILITY completed`)
	c.Send("a2 AUTHENTICATE XOAUTH2 !!!")
	match(t, c.Line(), `a2 NO \[SERVERBUG\] Internal server error`)
	c.Send("a3 AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	match(t, c.Line(), `a3 OK \[CAPABILITY [^]]+\] XOAUTH2 authentication successful`)
	c.Send("a4 LOGOUT")
	match(t, c.Line(), `\* BYE Logging out`)
	match(t, c.Line(), `a4 OK LOGOUT completed`)

	plain := mailtest.Dial(t, srv.Addr, nil)
	plain.Line()
	plain.Send("s1 STARTTLS")
	match(t, plain.Line(), `s1 OK Begin TLS negotiation now`)
}
