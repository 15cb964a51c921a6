package smtp_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// TestRepeatedRecipientOneCopy: a mailbox named by 100 RCPT TO, in any
// case, gets the message once: one message in its INBOX, one entry in its
// delivery log, one body. The figures (bodies the log returns, heap held
// after the delivery) are logged.
func TestRepeatedRecipientOneCopy(t *testing.T) {
	w, _, submission, _ := start(t, nil)
	c := submission()
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `235 .*`)
	c.Send("MAIL FROM:<" + mailtest.User + ">")
	expect(t, c.SMTPReply(), `250 .*`)
	for i := range 100 {
		rcpt := []string{"b@y.test", "B@y.test", "b@Y.TEST", "B@Y.TEST"}[i%4]
		c.Send("RCPT TO:<" + rcpt + ">")
		expect(t, c.SMTPReply(), `250 .*`)
	}
	c.Send("DATA")
	expect(t, c.SMTPReply(), `354 .*`)
	line := strings.Repeat("x", 998) + "\r\n"
	body := "Subject: big\r\n\r\n" + strings.Repeat(line, 5<<20/len(line))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c.Send(body + ".")
	expect(t, c.SMTPReply(), `250 .*`)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(body)

	msgs := w.Messages("b@y.test")
	logged := 0
	for _, m := range msgs {
		logged += len(m.Raw)
	}
	drop := w.Mailbox("B@Y.test").Drop()
	t.Logf("100 RCPT of one mailbox, a %d-byte message: %d in the INBOX, %d in the log (%d bytes of bodies), heap %+d bytes",
		len(body), len(drop), len(msgs), logged, int64(after.HeapAlloc)-int64(before.HeapAlloc))
	if len(drop) != 1 || len(msgs) != 1 || logged != len(body) {
		t.Fatalf("%d messages in the INBOX, %d in the log (%d bytes), want one of %d bytes", len(drop), len(msgs), logged, len(body))
	}
	if m := msgs[0]; len(m.To) != 1 {
		t.Fatalf("envelope recipients %q, want the mailbox once", m.To)
	}
}

// TestDataPastTheStore: a message the store has no room for is refused
// with 452 4.3.1 at the end of DATA, read no further than the room there
// was (mailstore's tests), and the session goes on.
func TestDataPastTheStore(t *testing.T) {
	t.Parallel()
	w, _, submission, _ := start(t, nil)
	w.SetMailLimits(mailstore.Limits{Mailbox: 1 << 20, Store: 64 << 10})
	c := submission()
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `235 .*`)
	c.Send("MAIL FROM:<" + mailtest.User + ">")
	expect(t, c.SMTPReply(), `250 .*`)
	c.Send("RCPT TO:<b@y.test>")
	expect(t, c.SMTPReply(), `250 .*`)
	c.Send("DATA")
	expect(t, c.SMTPReply(), `354 .*`)
	c.Send("Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 998)+"\r\n", 200) + ".")
	expect(t, c.SMTPReply(), `452 4\.3\.1 Insufficient system storage`)
	c.Send("MAIL FROM:<" + mailtest.User + ">")
	expect(t, c.SMTPReply(), `250 .*`)
	c.Send("RCPT TO:<b@y.test>")
	expect(t, c.SMTPReply(), `250 .*`)
	c.Send("DATA")
	expect(t, c.SMTPReply(), `354 .*`)
	c.Send("Subject: small\r\n\r\nhi\r\n.")
	expect(t, c.SMTPReply(), `250 .*`)
	if m := w.Messages("b@y.test"); len(m) != 1 || m[0].Subject != "small" {
		t.Fatalf("delivered %+v, want the small message only", m)
	}
}

// TestStrangersPastTheCap: every recipient is accepted (a submission
// server relays) until the mailboxes of addresses that are not accounts
// reach their cap; then a new one gets 452 4.3.1, while accounts and the
// mailboxes there are still get 250.
func TestStrangersPastTheCap(t *testing.T) {
	t.Parallel()
	w, _, submission, _ := start(t, nil)
	w.SetMailLimits(mailstore.Limits{Mailbox: 1 << 20, Store: 1 << 20, Strangers: 2})
	c := submission()
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `235 .*`)
	c.Send("MAIL FROM:<" + mailtest.User + ">")
	expect(t, c.SMTPReply(), `250 .*`)
	for _, rcpt := range []string{"b@y.test", "c@y.test"} {
		c.Send("RCPT TO:<" + rcpt + ">")
		expect(t, c.SMTPReply(), `250 .*`)
	}
	c.Send("DATA")
	expect(t, c.SMTPReply(), `354 .*`)
	c.Send("Subject: s\r\n\r\nhi\r\n.")
	expect(t, c.SMTPReply(), `250 .*`)
	c.Send("MAIL FROM:<" + mailtest.User + ">")
	expect(t, c.SMTPReply(), `250 .*`)
	c.Send("RCPT TO:<d@y.test>")
	expect(t, c.SMTPReply(), `452 4\.3\.1 Insufficient system storage`)
	for _, rcpt := range []string{mailtest.User, "B@y.test"} {
		c.Send("RCPT TO:<" + rcpt + ">")
		expect(t, c.SMTPReply(), `250 .*`)
	}
}
