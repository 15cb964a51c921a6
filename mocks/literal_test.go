package mocks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
)

// TestRefusedLiteralAnswersAtOnce: a literal past 4096 bytes on a command
// other than APPEND is answered at once, on implicit TLS and after
// STARTTLS, instead of when the command deadline passes (issue 13:
// `LOGIN {999999999}` waited 30 s then answered SERVERBUG); the session
// goes on.
func TestRefusedLiteralAnswersAtOnce(t *testing.T) {
	srv := mocks.Start(t, mocks.Options{Providers: []string{google.Name}})
	cfg := srv.TLSConfig()
	for _, starttls := range []bool{false, true} {
		var c *mailtest.Conn
		if starttls {
			c = mailtest.Dial(t, srv.Google.Mail.IMAP, nil)
			c.Line()
			c.Send("s STARTTLS")
			c.Until("s OK")
			c.Upgrade(cfg)
		} else {
			c = mailtest.Dial(t, srv.Google.Mail.IMAPS, cfg)
			c.Line()
		}
		_ = c.Raw().SetDeadline(time.Now().Add(2 * time.Second))
		c.Send("a LOGIN {999999999}")
		if got := c.Line(); !strings.HasPrefix(got, "a BAD ") && !strings.HasPrefix(got, "a NO ") {
			t.Fatalf("starttls %v: %q, want a tagged BAD or NO", starttls, got)
		}
		c.Send("b NOOP")
		if got := c.Until("b "); !strings.HasPrefix(got, "b OK") {
			t.Fatalf("starttls %v: after the refused literal: %q", starttls, got)
		}
	}
}
