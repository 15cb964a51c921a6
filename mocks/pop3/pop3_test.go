package pop3_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/pop3"
	"github.com/mailoauth/mailoauth/mocks/world"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T) (*world.World, *mailtest.Conn) {
	t.Helper()
	return startWith(t, nil)
}

// startWith starts a server with two messages for mailtest.User, its
// configuration changed by mutate, and connects over implicit TLS.
func startWith(t *testing.T, mutate func(*pop3.Config)) (*world.World, *mailtest.Conn) {
	t.Helper()
	w := mailtest.World(t)
	for _, subject := range []string{"one", "two"} {
		if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte("Subject: "+subject+"\r\n\r\nbody of "+subject+"\r\n.dotted\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	ca := mailtest.CA(t)
	cfg := pop3.Config{ServerConfig: mailtest.Server(w, ca), Personality: mailtest.Personality.POP3}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := pop3.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	tlsConfig := ca.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"
	c := mailtest.Dial(t, srv.TLSAddr, tlsConfig)
	if g := c.Line(); !strings.HasPrefix(g, "+OK mx.test POP3 ready ") {
		t.Fatalf("greeting %q", g)
	}
	return w, c
}

// expect sends line and checks the reply's first line.
func expect(t *testing.T, c *mailtest.Conn, line, want string) {
	t.Helper()
	c.Send(line)
	if got := c.Line(); got != want {
		t.Fatalf("%s: %q, want %q", line, got, want)
	}
}

// multi reads a multi-line response's lines up to the final ".".
func multi(c *mailtest.Conn) []string {
	var out []string
	for {
		l := c.Line()
		if l == "." {
			return out
		}
		out = append(out, l)
	}
}

func TestSessionOverImplicitTLS(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	c.Send("CAPA")
	if l := c.Line(); l != "+OK Capability list follows" {
		t.Fatal(l)
	}
	if caps := strings.Join(multi(c), "|"); !strings.Contains(caps, "SASL XOAUTH2 OAUTHBEARER PLAIN") || strings.Contains(caps, "STLS") {
		t.Fatalf("CAPA %s", caps)
	}
	expect(t, c, "STAT", "-ERR Unknown command in AUTHORIZATION state")
	expect(t, c, "AUTH XOAUTH2 "+mailtest.XOAUTH2(mailtest.User, mailtest.Token), "+OK Welcome.")
	expect(t, c, "STAT", "+OK 2 "+strconv.Itoa(2*len("Subject: one\r\n\r\nbody of one\r\n.dotted\r\n")))
	c.Send("LIST")
	if l := c.Line(); l != "+OK" {
		t.Fatal(l)
	}
	if got := multi(c); len(got) != 2 || !strings.HasPrefix(got[0], "1 ") {
		t.Fatalf("LIST %q", got)
	}
	c.Send("UIDL 2")
	if l := c.Line(); !strings.HasPrefix(l, "+OK 2 ") {
		t.Fatal(l)
	}
	c.Send("RETR 1")
	if l := c.Line(); !strings.HasSuffix(l, " octets") {
		t.Fatal(l)
	}
	if body := multi(c); len(body) != 4 || body[0] != "Subject: one" || body[3] != "..dotted" {
		t.Fatalf("RETR %q", body)
	}
	c.Send("TOP 2 0")
	if l := c.Line(); l != "+OK" {
		t.Fatal(l)
	}
	if top := multi(c); len(top) != 2 || top[0] != "Subject: two" || top[1] != "" {
		t.Fatalf("TOP %q", top)
	}
	expect(t, c, "DELE 1", "+OK message 1 deleted")
	expect(t, c, "RETR 1", "-ERR No such message")
	expect(t, c, "RSET", "+OK")
	expect(t, c, "DELE 1", "+OK message 1 deleted")
	expect(t, c, "QUIT", "+OK Bye")
}

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"USER/PASS", []string{"USER a@x.test", "PASS pw"}, []string{"+OK send PASS", "-ERR [AUTH] Authentication failed."}},
		{"bad token, challenge, acknowledged", []string{"AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, "bad"), ""},
			[]string{"+ " + base64.StdEncoding.EncodeToString([]byte(`{"status":"invalid_token"}`)), "-ERR [AUTH] Authentication failed."}},
		{"two steps", []string{"AUTH XOAUTH2", mailtest.XOAUTH2(mailtest.User, mailtest.Token)}, []string{"+ ", "+OK Welcome."}},
		{"not base64", []string{"AUTH XOAUTH2 %%%"}, []string{"-ERR [AUTH] Invalid SASL argument."}},
		{"malformed", []string{"AUTH XOAUTH2 " + base64.StdEncoding.EncodeToString([]byte("user=a"))}, []string{"-ERR [AUTH] Invalid SASL argument."}},
		{"cancelled", []string{"AUTH XOAUTH2", "*"}, []string{"+ ", "-ERR [AUTH] Authentication cancelled"}},
		{"unknown mechanism", []string{"AUTH CRAM-MD5"}, []string{"-ERR Unknown authentication mechanism"}},
		{"lower case", []string{"auth xoauth2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token)}, []string{"+OK Welcome."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, c := start(t)
			for i, l := range tc.lines {
				expect(t, c, l, tc.want[i])
			}
		})
	}
}

func TestSTLSAndPlainPort(t *testing.T) {
	t.Parallel()
	w := mailtest.World(t)
	ca := mailtest.CA(t)
	srv, err := pop3.Start(pop3.Config{ServerConfig: mailtest.Server(w, ca), Personality: mailtest.Personality.POP3})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := mailtest.Dial(t, srv.Addr, nil)
	c.Line()
	c.Send("CAPA")
	c.Line()
	if caps := strings.Join(multi(c), "|"); !strings.Contains(caps, "STLS") || strings.Contains(caps, "SASL") {
		t.Fatalf("CAPA before STLS %s", caps)
	}
	expect(t, c, "AUTH XOAUTH2 "+mailtest.XOAUTH2(mailtest.User, mailtest.Token), "-ERR [AUTH] TLS is required")
	expect(t, c, "STLS", "+OK Begin TLS negotiation")
	c.Upgrade(ca.ClientConfig())
	expect(t, c, "AUTH XOAUTH2 "+mailtest.XOAUTH2(mailtest.User, mailtest.Token), "+OK Welcome.")
	expect(t, c, "QUIT", "+OK Bye")
}

func TestDeletionOnQuit(t *testing.T) {
	t.Parallel()
	w, c := start(t)
	expect(t, c, "AUTH XOAUTH2 "+mailtest.XOAUTH2(mailtest.User, mailtest.Token), "+OK Welcome.")
	expect(t, c, "DELE 2", "+OK message 2 deleted")
	expect(t, c, "QUIT", "+OK Bye")
	if !c.Closed() {
		t.Fatal("the connection stays open after QUIT")
	}
	if drop := w.Mailbox(mailtest.User).Drop(); len(drop) != 1 || !strings.HasPrefix(drop[0].Body, "Subject: one") {
		t.Fatalf("after QUIT the INBOX holds %d messages", len(drop))
	}
}

func TestLongLine(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	expect(t, c, "AUTH XOAUTH2 "+strings.Repeat("A", 70<<10), "-ERR Line too long")
}

// TestSTLSHandshakeBound: a client silent after STLS's go-ahead is let go
// at the handshake bound, as after SMTP's and IMAP's STARTTLS, not after
// the idle Timeout.
func TestSTLSHandshakeBound(t *testing.T) {
	t.Parallel()
	ca := mailtest.CA(t)
	cfg := mailtest.Server(mailtest.World(t), ca)
	cfg.Idle, cfg.Handshake = time.Hour, 50*time.Millisecond
	srv, err := pop3.Start(pop3.Config{ServerConfig: cfg, Personality: mailtest.Personality.POP3})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := mailtest.Dial(t, srv.Addr, nil)
	c.Line()
	expect(t, c, "STLS", "+OK Begin TLS negotiation")
	if !c.Closed() {
		t.Fatal("a client silent after STLS was not let go")
	}
}

// TestSTLSStartsAfresh: after STLS the session starts again in TLS
// (RFC 2595 §4): no greeting, USER forgotten, STLS no longer offered, and
// the server's goodbye reaches the client in TLS.
func TestSTLSStartsAfresh(t *testing.T) {
	t.Parallel()
	ca := mailtest.CA(t)
	srv, err := pop3.Start(pop3.Config{ServerConfig: mailtest.Server(mailtest.World(t), ca), Personality: mailtest.Personality.POP3})
	if err != nil {
		t.Fatal(err)
	}
	c := mailtest.Dial(t, srv.Addr, nil)
	c.Line()
	expect(t, c, "USER a@x.test", "+OK send PASS")
	expect(t, c, "STLS", "+OK Begin TLS negotiation")
	c.Upgrade(ca.ClientConfig())
	expect(t, c, "STLS", "-ERR Command not permitted when TLS active")
	c.Send("CAPA")
	c.Line()
	if caps := strings.Join(multi(c), "|"); strings.Contains(caps, "STLS") || !strings.Contains(caps, "SASL XOAUTH2") {
		t.Fatalf("CAPA after STLS %s", caps)
	}
	_ = srv.Close()
	if l := c.Line(); l != "-ERR [SYS/TEMP] Server shutting down" {
		t.Fatalf("goodbye %q", l)
	}
}

// TestListings: LIST gives each message's size, UIDL its unique id (the
// store's UID), TOP n k the header and k lines of the body.
func TestListings(t *testing.T) {
	t.Parallel()
	w, c := start(t)
	expect(t, c, "AUTH XOAUTH2 "+mailtest.XOAUTH2(mailtest.User, mailtest.Token), "+OK Welcome.")
	drop := w.Mailbox(mailtest.User).Drop()
	expect(t, c, "LIST 2", "+OK 2 "+strconv.Itoa(len(drop[1].Body)))
	expect(t, c, "UIDL 2", "+OK 2 "+strconv.Itoa(int(drop[1].UID)))
	if drop[1].UID == uint32(len(drop[1].Body)) {
		t.Fatal("the test cannot tell a size from a UID")
	}
	expect(t, c, "TOP 1 1", "+OK")
	if top := strings.Join(multi(c), "|"); top != "Subject: one||body of one" {
		t.Fatalf("TOP 1 1: %q", top)
	}
}

// TestNOOP: NOOP is a TRANSACTION state command (RFC 1939 §5).
func TestNOOP(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	expect(t, c, "NOOP", "-ERR Unknown command in AUTHORIZATION state")
	expect(t, c, "AUTH XOAUTH2 "+mailtest.XOAUTH2(mailtest.User, mailtest.Token), "+OK Welcome.")
	expect(t, c, "NOOP", "+OK")
}

// TestLineOfMaxLength: a line of maxLine bytes is a command; one more
// byte is too long.
func TestLineOfMaxLength(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	expect(t, c, strings.Repeat("X", 64<<10), "-ERR Unknown command in AUTHORIZATION state")
	expect(t, c, strings.Repeat("X", 64<<10+1), "-ERR Line too long")
}

// TestNoMechanisms: a personality without SASL mechanisms lists no SASL
// capability.
func TestNoMechanisms(t *testing.T) {
	t.Parallel()
	_, c := startWith(t, func(c *pop3.Config) { c.Personality.Mechanisms = nil })
	c.Send("CAPA")
	c.Line()
	if caps := strings.Join(multi(c), "|"); strings.Contains(caps, "SASL") {
		t.Fatalf("CAPA %s", caps)
	}
}

// TestPLAINMalformed: a PLAIN message that does not parse gets the
// personality's Malformed text; a well-formed one is basic authentication.
func TestPLAINMalformed(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	expect(t, c, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("no separators")), "-ERR [AUTH] Invalid SASL argument.")
	expect(t, c, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00a@x.test\x00pw")), "-ERR [AUTH] Authentication failed.")
}

// TestFaults: an unavailable fault answers -ERR [SYS/TEMP], USER/PASS
// too, and a session that ends leaves no panic in the audit log; a
// disconnect fault closes the connection without a reply.
func TestFaults(t *testing.T) {
	t.Parallel()
	arm := func(w *world.World, kind string) {
		if _, err := w.ArmFault(world.Fault{Target: "test.pop3", Kind: kind, Count: 1}); err != nil {
			t.Fatal(err)
		}
	}
	w, c := start(t)
	arm(w, world.FaultUnavailable)
	expect(t, c, "USER a@x.test", "+OK send PASS")
	expect(t, c, "PASS pw", "-ERR [SYS/TEMP] Temporary authentication failure")
	expect(t, c, "QUIT", "+OK Bye")
	// The session records a panic, if any, before it closes the connection.
	if !c.Closed() {
		t.Fatal("QUIT left the connection open")
	}
	for _, e := range w.Events() {
		if e.Outcome == "panic" {
			t.Fatalf("a session recorded %+v", e)
		}
	}
	w, c = start(t)
	arm(w, world.FaultDisconnect)
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	if !c.Closed() {
		t.Fatal("a disconnect fault left the connection open")
	}
}

// TestPersonalityCapabilitiesAndTwoSteps: CAPA in the personality's
// order, the state's lines at mailauth.AuthState; a one-line AUTH refused
// and the connection closed when the personality takes two steps only;
// PASS answered with PasswordRefused.
func TestPersonalityCapabilitiesAndTwoSteps(t *testing.T) {
	t.Parallel()
	_, c := startWith(t, func(cfg *pop3.Config) {
		cfg.Personality.Capabilities = []string{"TOP", mailauth.AuthState, "USER"}
		cfg.Personality.TwoStepOnly = true
		cfg.Personality.OneLineRefused = "one line"
		cfg.Personality.PasswordRefused = "no password"
	})
	c.Send("CAPA")
	var lines []string
	for l := c.Line(); l != "."; l = c.Line() {
		lines = append(lines, l)
	}
	if want := "+OK|TOP|SASL " + strings.Join(mailtest.Personality.POP3.Mechanisms, " ") + "|USER"; strings.Join(lines, "|") != want {
		t.Fatalf("CAPA %q, want %q", lines, want)
	}
	expect(t, c, "USER "+mailtest.User, "+OK send PASS")
	expect(t, c, "PASS secret", "-ERR no password")
	expect(t, c, "AUTH XOAUTH2", "+ ")
	expect(t, c, mailtest.XOAUTH2(mailtest.User, mailtest.Token), "+OK "+mailtest.Personality.POP3.AuthSucceeded)
	_, c = startWith(t, func(cfg *pop3.Config) {
		cfg.Personality.TwoStepOnly = true
		cfg.Personality.OneLineRefused = "one line"
	})
	expect(t, c, "AUTH XOAUTH2 "+mailtest.XOAUTH2(mailtest.User, mailtest.Token), "-ERR one line")
	if !c.Closed() {
		t.Fatal("the connection stays open after a one-line AUTH")
	}
}
