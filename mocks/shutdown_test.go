package mocks_test

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
)

// session is a client connection that read its greeting and sent the
// given commands, reading a reply to each (a STARTTLS or STLS upgrades it).
type session struct {
	c net.Conn
	r *bufio.Reader
}

func open(t *testing.T, addr string, cfg *tls.Config, implicit bool, commands ...string) *session {
	t.Helper()
	var c net.Conn
	var err error
	if implicit {
		c, err = tls.Dial("tcp", addr, cfg)
	} else {
		c, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	s := &session{c: c, r: bufio.NewReader(c)}
	s.line(t) // the greeting
	for _, cmd := range commands {
		if _, err := s.c.Write([]byte(cmd + "\r\n")); err != nil {
			t.Fatal(err)
		}
		// Read the whole reply: multi-line SMTP replies, IMAP's untagged lines.
		for {
			l := s.line(t)
			if !strings.HasPrefix(l, "250-") && !strings.HasPrefix(l, "* ") {
				break
			}
		}
		if up := strings.ToUpper(cmd); strings.HasSuffix(up, "STARTTLS") || up == "STLS" {
			upgraded := cfg.Clone()
			upgraded.ServerName, _, _ = net.SplitHostPort(addr)
			tc := tls.Client(s.c, upgraded)
			if err := tc.Handshake(); err != nil {
				t.Fatal(err)
			}
			s.c, s.r = tc, bufio.NewReader(tc)
		}
	}
	return s
}

func (s *session) line(t *testing.T) string {
	t.Helper()
	l, err := s.r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return strings.TrimRight(l, "\r\n")
}

// TestGoodbyeOnShutdown: when the world stops, an open SMTP session gets
// 421 (in the clear, and in TLS after STARTTLS), IMAP a BYE, POP3 -ERR,
// before the connection closes (issue 13, finding 6).
func TestGoodbyeOnShutdown(t *testing.T) {
	srv, err := mocks.New(mocks.Options{Providers: []string{google.Name}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.TLSConfig()
	m := srv.Google.Mail
	sessions := map[string]*session{
		"smtp":            open(t, m.SMTP, cfg, false, "EHLO client.test"),
		"smtp STARTTLS":   open(t, m.SMTP, cfg, false, "EHLO client.test", "STARTTLS", "EHLO client.test"),
		"smtps":           open(t, m.SMTPS, cfg, true, "EHLO client.test"),
		"imaps":           open(t, m.IMAPS, cfg, true, "a CAPABILITY"),
		"imap":            open(t, m.IMAP, cfg, false, "a CAPABILITY"),
		"imap STARTTLS":   open(t, m.IMAP, cfg, false, "a STARTTLS", "b CAPABILITY"),
		"pop3s":           open(t, m.POP3S, cfg, true, "USER bob@gmail.test"),
		"pop3 after STLS": open(t, m.POP3, cfg, false, "STLS", "NOOP"),
	}
	srv.Close()
	want := map[string]string{
		"smtp": "421 4.3.2 Service not available, closing transmission channel", "smtp STARTTLS": "421 4.3.2 Service not available, closing transmission channel",
		"smtps": "421 4.3.2 Service not available, closing transmission channel", "imaps": "* BYE Server shutting down",
		"imap": "* BYE Server shutting down", "imap STARTTLS": "* BYE Server shutting down",
		"pop3s": "-ERR [SYS/TEMP] Server shutting down", "pop3 after STLS": "-ERR [SYS/TEMP] Server shutting down",
	}
	// Each session has had a reply since its handshake, so the server has
	// read the client's Finished: a close then loses nothing in flight.
	for name, s := range sessions {
		if got := s.line(t); got != want[name] {
			t.Errorf("%s: %q, want %q", name, got, want[name])
		}
		s.c.Close()
	}
}
