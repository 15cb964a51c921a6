package smtp

import (
	"testing"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// TestRepliesGoOutWhole: the lines of a multi-line reply go out with its
// last line, in order; a one-line reply and the STARTTLS go-ahead at once.
func TestRepliesGoOutWhole(t *testing.T) {
	t.Parallel()
	rewrite := (&Server{}).rewriter(&mailconn.Conn{})
	steps := []struct {
		line, out string
		last      bool
	}{
		{"250-Hello client.test\r\n", "", false},
		{"250-PIPELINING\r\n", "", false},
		{"250 STARTTLS\r\n", "250-Hello client.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n", false},
		{"220 2.0.0 Ready to start TLS\r\n", "220 2.0.0 Ready to start TLS\r\n", true},
		{"250 2.0.0 OK\r\n", "250 2.0.0 OK\r\n", false},
	}
	for _, s := range steps {
		if out, last := rewrite([]byte(s.line)); string(out) != s.out || last != s.last {
			t.Fatalf("after %q: wrote %q (last %v), want %q (%v)", s.line, out, last, s.out, s.last)
		}
	}
}

// TestEHLOAndTexts: the EHLO reply in the personality's order, go-smtp's
// STARTTLS and AUTH lines at AuthState, LIMITS gone; a library text the
// personality owns replaced, with the part go-smtp filled in; one it does
// not own kept.
func TestEHLOAndTexts(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{Personality: mailauth.SMTPPersonality{
		Hello:          "mx.test Hello [{ip}]",
		Extensions:     []string{"SIZE 10", mailauth.AuthState, "8BITMIME"},
		StartTLS:       mailauth.SMTPReply{Code: 220, Enhanced: [3]int{2, 0, 0}, Text: "go on"},
		UnknownCommand: mailauth.SMTPReply{Code: 500, Enhanced: [3]int{5, 3, 3}, Text: "Unrecognized command '{command}'"},
		StartData:      mailauth.SMTPReply{Code: 354, Text: "send it"},
	}}}
	rewrite := s.rewriter(&mailconn.Conn{IP: "127.0.0.1"})
	for _, l := range []string{"250-Hello c.test\r\n", "250-PIPELINING\r\n", "250-STARTTLS\r\n", "250-AUTH XOAUTH2\r\n"} {
		if out, _ := rewrite([]byte(l)); len(out) != 0 {
			t.Fatalf("%q went out before the end of the reply: %q", l, out)
		}
	}
	want := "250-mx.test Hello [127.0.0.1]\r\n250-SIZE 10\r\n250-STARTTLS\r\n250-AUTH XOAUTH2\r\n250 8BITMIME\r\n"
	if out, _ := rewrite([]byte("250 LIMITS RCPTMAX=100\r\n")); string(out) != want {
		t.Fatalf("EHLO %q, want %q", out, want)
	}
	for _, c := range []struct {
		line, out string
		last      bool
	}{
		{"220 2.0.0 Ready to start TLS\r\n", "220 2.0.0 go on\r\n", true},
		{"500 5.5.2 Syntax errors, XYZW command unrecognized\r\n", "500 5.3.3 Unrecognized command 'XYZW'\r\n", false},
		{"354 Go ahead. End your data with <CR><LF>.<CR><LF>\r\n", "354 send it\r\n", false},
		{"250 2.0.0 Hello c.test\r\n", "250 mx.test Hello [127.0.0.1]\r\n", false},
		{"221 2.0.0 Bye\r\n", "221 2.0.0 Bye\r\n", false},
	} {
		if out, last := rewrite([]byte(c.line)); string(out) != c.out || last != c.last {
			t.Errorf("%q: %q (last %v), want %q (%v)", c.line, out, last, c.out, c.last)
		}
	}
}

// TestSessionCount: the sessions of a mailbox, in any case, counted up
// and down, and forgotten at none.
func TestSessionCount(t *testing.T) {
	t.Parallel()
	s := &Server{sessions: map[string]int{}}
	for range 4 {
		s.join("Alice@x.test")
	}
	s.leave("alice@x.test")
	if n := s.open("ALICE@x.test"); n != 3 {
		t.Fatalf("%d open, want 3", n)
	}
	for range 3 {
		s.leave("alice@x.test")
	}
	if n := s.open("alice@x.test"); n != 0 || len(s.sessions) != 0 {
		t.Fatalf("%d open, %v kept", n, s.sessions)
	}
}
