package imap_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
)

// TestRefusedLiteralAnswersAtOnce: on the wire, a synchronizing literal
// go-imap refuses without a word (past 4096 bytes for a command other
// than APPEND) gets its tagged BAD at once instead of leaving the client
// waiting for a "+", also when the line comes in two writes; one of 4096
// bytes gets its "+"; an APPEND's literal is data (a line in it that looks
// like a refused literal changes nothing), and an APPEND past the
// server's size gets go-imap's own NO with nothing slipped in after it,
// one of exactly the server's size is data too.
func TestRefusedLiteralAnswersAtOnce(t *testing.T) {
	t.Parallel()
	_, _, dial, _ := start(t, nil)
	c := dial()
	c.Send("a LOGIN {4097}")
	match(t, c.Line(), `a BAD .*`)
	c.Send("b LOGIN {4096}")
	match(t, c.Line(), `\+ .*`)
	c.Send(strings.Repeat("x", 4096) + " password")
	// The whole literal was the user name: LOGIN's own refusal, not a
	// syntax error.
	match(t, c.Line(), `b NO \[AUTHENTICATIONFAILED\] .*`)
	if _, err := c.Raw().Write([]byte("c LOGIN {99999")); err != nil {
		t.Fatal(err)
	}
	c.Send("9999}")
	match(t, c.Line(), `c BAD .*`)
	c.Send("d NOOP")
	match(t, c.Line(), `d OK .*`)

	s := dial()
	s.Send("e AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	s.Until("e ")
	msg := "Subject: big\r\n\r\n" + strings.Repeat("y", 5000) + "\r\nf LOGIN {999999}"
	s.Send("g APPEND INBOX {" + strconv.Itoa(len(msg)) + "}")
	match(t, s.Line(), `\+ .*`)
	s.Send(msg)
	if got := s.Until("g "); !strings.HasPrefix(got, "g OK") {
		t.Fatalf("APPEND: %q", got)
	}
	s.Send("h NOOP")
	match(t, s.Line(), `h OK .*`)
	s.Send("i APPEND INBOX {999999999}")
	match(t, s.Line(), `i NO \[TOOBIG\] .*`)
	s.Send("j NOOP")
	match(t, s.Line(), `j OK .*`)
}

// TestAppendOfTheLimit: an APPEND of exactly the server's message size is
// taken whole, a line at its end that looks like a refused literal
// included, and nothing is slipped into the stream after it.
func TestAppendOfTheLimit(t *testing.T) {
	t.Parallel()
	msg := "Subject: limit\r\n\r\n" + strings.Repeat("y", 5000) + "\r\nf LOGIN {999999}"
	_, _, dial, _ := start(t, func(c *imap.Config) { c.MaxMessageBytes = int64(len(msg)) })
	s := dial()
	s.Send("e AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	s.Until("e ")
	s.Send("g APPEND INBOX {" + strconv.Itoa(len(msg)) + "}")
	match(t, s.Line(), `\+ .*`)
	s.Send(msg)
	if got := s.Until("g "); !strings.HasPrefix(got, "g OK") {
		t.Fatalf("APPEND: %q", got)
	}
	s.Send("h NOOP")
	match(t, s.Line(), `h OK .*`)
}
