package smtp_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// lastEvent is the newest event of mechanism.
func lastEvent(t *testing.T, w *world.World, mechanism string) world.Event {
	t.Helper()
	evs := w.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Mechanism == mechanism {
			return evs[i]
		}
	}
	t.Fatalf("no %s event in %+v", mechanism, evs)
	return world.Event{}
}

// TestSeen: an authentication says the user= sent, whose token it was, its
// client and the transport; each accepted message its envelope, as the
// recipients were given, and its decoded subject; never the token.
func TestSeen(t *testing.T) {
	t.Parallel()
	w, _, submission, implicit := start(t, nil)
	for transport, dial := range map[string]func() *mailtest.Conn{"starttls": submission, "tls": implicit} {
		c := dial()
		c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, "a-wrong-token"))
		c.SMTPReply()
		c.Send("")
		c.SMTPReply()
		ev := lastEvent(t, w, "XOAUTH2")
		if want := map[string]string{"sasl_user": mailtest.User, "transport": transport}; ev.Outcome != "refused" || !maps.Equal(ev.Seen, want) {
			t.Errorf("%s, refused: %+v, want seen %v", transport, ev, want)
		}
		c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
		c.SMTPReply()
		ev = lastEvent(t, w, "XOAUTH2")
		want := map[string]string{"sasl_user": mailtest.User, "token_user": mailtest.User, "token_client": "test-client",
			"transport": transport}
		if ev.Outcome != "ok" || !maps.Equal(ev.Seen, want) {
			t.Errorf("%s, accepted: %+v, want seen %v", transport, ev, want)
		}
		c.Send("MAIL FROM:<" + mailtest.User + ">")
		c.SMTPReply()
		for _, to := range []string{"b@y.test", "C@y.test", "B@Y.test"} {
			c.Send("RCPT TO:<" + to + ">")
			c.SMTPReply()
		}
		c.Send("DATA")
		c.SMTPReply()
		c.Send("From: a@x.test\r\nSubject: =?UTF-8?B?w4AgYmllbnTDtHQ=?= " + transport + "\r\n\r\nhello\r\n.")
		expect(t, c.SMTPReply(), `250 .*`)
		c.Send("QUIT")
		c.SMTPReply()
		ev = lastEvent(t, w, "message")
		want = map[string]string{"from": mailtest.User, "to": "b@y.test,C@y.test", "subject": "À bientôt " + transport}
		if ev.Protocol != "smtp" || ev.Outcome != "accepted" || ev.User != mailtest.User || !maps.Equal(ev.Seen, want) {
			t.Errorf("%s, message: %+v, want seen %v", transport, ev, want)
		}
	}
	raw, _ := json.Marshal(w.Events())
	if strings.Contains(string(raw), mailtest.Token) || strings.Contains(string(raw), "a-wrong-token") {
		t.Errorf("an event carries a token: %s", raw)
	}
}

// TestSeenSubjectOfBareLFHeader: a header whose lines end with a bare LF
// (go-smtp passes them through) ends at its first empty line too, so a
// Subject line in the body is not the subject.
func TestSeenSubjectOfBareLFHeader(t *testing.T) {
	t.Parallel()
	w, _, _, implicit := start(t, nil)
	c := implicit()
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	c.SMTPReply()
	c.Send("MAIL FROM:<" + mailtest.User + ">")
	c.SMTPReply()
	c.Send("RCPT TO:<b@y.test>")
	c.SMTPReply()
	c.Send("DATA")
	c.SMTPReply()
	c.Send("From: a@x.test\nSubject: Bare LF\n\nSubject: the body's\r\n.")
	expect(t, c.SMTPReply(), `250 .*`)
	if ev := lastEvent(t, w, "message"); ev.Seen["subject"] != "Bare LF" {
		t.Errorf("seen %+v, want the subject %q", ev.Seen, "Bare LF")
	}
}
