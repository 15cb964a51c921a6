package smtp_test

import (
	"testing"

	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
)

// TestDefaultRecipientLimit: without Config.MaxRecipients a message takes
// 100 RCPT TO, and the 101st gets go-smtp's 452 4.5.3 (RFC 5321
// §4.5.3.1.10).
func TestDefaultRecipientLimit(t *testing.T) {
	t.Parallel()
	_, _, _, implicit := start(t, nil)
	c := implicit()
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `235 .*`)
	c.Send("MAIL FROM:<" + mailtest.User + ">")
	expect(t, c.SMTPReply(), `250 .*`)
	for range 100 {
		c.Send("RCPT TO:<b@y.test>")
		expect(t, c.SMTPReply(), `250 .*`)
	}
	c.Send("RCPT TO:<b@y.test>")
	expect(t, c.SMTPReply(), `452 4\.5\.3 Maximum limit of 100 recipients reached`)
}
