// Package pop3 is the provider-neutral fake POP3 server: RFC 1939 over the
// world's mail store (the INBOX is the maildrop), CAPA (RFC 2449), AUTH
// with SASL XOAUTH2 and OAUTHBEARER decided by the provider's mail rule
// (RFC 5034, with or without an initial response), USER/PASS refused as
// basic authentication, STLS (RFC 2595) and implicit TLS listeners. No
// maintained Go POP3 server library was found (README), so the protocol is
// written here, small and fuzzed (FuzzSession).
package pop3

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Config configures a Server.
type Config struct {
	// Listener and TLSListener are the plain (STLS, like 110) and the
	// implicit-TLS (like 995) listeners; nil: a free port of 127.0.0.1.
	Listener, TLSListener net.Listener
	// Provider is the provider's key in the world ("google").
	Provider    string
	World       *world.World
	Rule        mailauth.Rule
	Personality mailauth.POP3Personality
	// TLS is the certificate configuration for STLS and implicit TLS.
	TLS *tls.Config
	// Timeout bounds every read (default 10 minutes, RFC 1939 §3).
	Timeout time.Duration
	// Limit caps the connections open at once, shared with the world's
	// other mail listeners; nil: no cap. One past it is told so and closed.
	Limit *mailconn.Limit
	// InsecureAuth allows authentication before STLS (benchmarks, clients
	// that cannot do TLS); the real providers never allow it.
	InsecureAuth bool
}

// Server is a running fake POP3 server with two listeners.
type Server struct {
	// Addr is the plain listener that offers STLS; TLSAddr the
	// implicit-TLS one.
	Addr, TLSAddr string

	cfg  Config
	gate mailauth.Gate

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	lns    []net.Listener
}

// maxLine bounds a command line; an AUTH response carries a token, so it
// may be long (RFC 5034 §4 sets no limit), but not without end.
const maxLine = 64 << 10

// Start serves the two listeners.
func Start(cfg Config) (*Server, error) {
	if err := mailconn.OrLoopback(&cfg.Listener, &cfg.TLSListener); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Minute
	}
	s := &Server{cfg: cfg, Addr: cfg.Listener.Addr().String(), TLSAddr: cfg.TLSListener.Addr().String(),
		gate:  mailauth.Gate{Provider: cfg.Provider, Protocol: "pop3", World: cfg.World, Rule: cfg.Rule},
		conns: map[net.Conn]struct{}{}}
	const busy, goodbye = "-ERR [SYS/TEMP] Too many connections, try again later", "-ERR [SYS/TEMP] Server shutting down"
	plain := mailconn.Wrap(cfg.Listener, mailconn.Config{Idle: cfg.Timeout, NewID: cfg.Personality.ConnID, Limit: cfg.Limit,
		Busy: busy, Goodbye: goodbye})
	implicit := mailconn.Wrap(cfg.TLSListener, mailconn.Config{Idle: cfg.Timeout, NewID: cfg.Personality.ConnID, TLS: cfg.TLS,
		Limit: cfg.Limit, Busy: busy, Goodbye: goodbye})
	for _, ln := range []net.Listener{plain, implicit} {
		s.lns = append(s.lns, ln)
		s.wg.Add(1)
		go s.serve(ln)
	}
	return s, nil
}

func (s *Server) serve(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				if v := recover(); v != nil {
					mailauth.PanicLog{World: s.cfg.World, Provider: s.cfg.Provider, Protocol: "pop3"}.Printf("panic serving: %v", v)
				}
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			newSession(s, c).run()
		}()
	}
}

// Close stops the listeners, closes every connection and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, ln := range s.lns {
		mailconn.Goodbye(ln)
		_ = ln.Close()
	}
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// session is one POP3 connection.
type session struct {
	s    *Server
	conn net.Conn
	mc   *mailconn.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	tls  bool

	user    string // the authenticated mailbox
	named   string // the USER command's argument
	drop    []message
	deleted map[int]bool
}

// message is a maildrop message: its IMAP UID and body.
type message struct {
	uid  uint32
	body string
}

func newSession(s *Server, c net.Conn) *session {
	return &session{s: s, conn: c, mc: mailconn.Of(c), r: bufio.NewReaderSize(c, 4096), w: bufio.NewWriter(c),
		tls: mailconn.IsTLS(c)}
}

// errQuit ends a session after its reply.
var errQuit = errors.New("quit")

func (ss *session) run() {
	p := ss.s.cfg.Personality
	ss.ok(p.Greeting)
	for {
		line, err := ss.readLine()
		if err != nil {
			if errors.Is(err, errTooLong) {
				ss.err("Line too long")
				_ = ss.w.Flush()
			}
			return
		}
		if err := ss.command(line); err != nil {
			return
		}
	}
}

var errTooLong = errors.New("line too long")

// readLine reads a CRLF (or LF) terminated line of at most maxLine bytes.
func (ss *session) readLine() (string, error) {
	if err := ss.w.Flush(); err != nil {
		return "", err
	}
	_ = ss.conn.SetReadDeadline(time.Now().Add(ss.s.cfg.Timeout))
	var b []byte
	for {
		chunk, more, err := ss.r.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, chunk...)
		if len(b) > maxLine {
			return "", errTooLong
		}
		if !more {
			return string(b), nil
		}
	}
}

func (ss *session) expand(text string) string {
	id, ip := "", ""
	if ss.mc != nil {
		id, ip = ss.mc.ID, ss.mc.IP
	}
	return mailauth.Expand(text, id, ip)
}

func (ss *session) ok(text string) {
	if text == "" {
		_, _ = ss.w.WriteString("+OK\r\n")
		return
	}
	_, _ = ss.w.WriteString("+OK " + ss.expand(text) + "\r\n")
}

func (ss *session) err(text string) {
	_, _ = ss.w.WriteString("-ERR " + ss.expand(text) + "\r\n")
}

// command runs one command; a non-nil error ends the session.
func (ss *session) command(line string) error {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "CAPA":
		ss.capa()
		return nil
	case "QUIT":
		return ss.quit()
	case "NOOP":
		if ss.user == "" {
			ss.err("Unknown command in AUTHORIZATION state")
			return nil
		}
		ss.ok("")
		return nil
	}
	if ss.user == "" {
		return ss.authorization(verb, arg)
	}
	ss.transaction(verb, arg)
	return nil
}

func (ss *session) capa() {
	p := ss.s.cfg.Personality
	ss.ok("Capability list follows")
	lines := []string{"TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"}
	if !ss.tls && ss.s.cfg.TLS != nil {
		lines = append(lines, "STLS")
	}
	if ss.mayAuth() && len(p.Mechanisms) > 0 {
		lines = append(lines, "SASL "+strings.Join(p.Mechanisms, " "))
	}
	for _, l := range lines {
		_, _ = ss.w.WriteString(l + "\r\n")
	}
	_, _ = ss.w.WriteString(".\r\n")
}

func (ss *session) mayAuth() bool { return ss.tls || ss.s.cfg.InsecureAuth }

// authorization is the AUTHORIZATION state (RFC 1939 §4).
func (ss *session) authorization(verb, arg string) error {
	switch verb {
	case "STLS":
		if ss.tls || ss.s.cfg.TLS == nil {
			ss.err("Command not permitted when TLS active")
			return nil
		}
		ss.ok("Begin TLS negotiation")
		if err := ss.w.Flush(); err != nil {
			return err
		}
		tc := tls.Server(ss.conn, ss.s.cfg.TLS)
		// From now on the client reads TLS only, even a goodbye written
		// while the handshake is under way.
		if mc := mailconn.Of(ss.conn); mc != nil {
			mc.SayThrough(tc)
		}
		if err := tc.Handshake(); err != nil {
			return err
		}
		ss.conn, ss.tls = tc, true
		ss.r, ss.w = bufio.NewReaderSize(tc, 4096), bufio.NewWriter(tc)
		return nil
	case "USER":
		ss.named = strings.TrimSpace(arg)
		ss.ok("send PASS")
		return nil
	case "PASS":
		if !ss.mayAuth() {
			ss.err("[AUTH] TLS is required")
			return nil
		}
		err := ss.answer(ss.s.gate.Authenticate(ss.ctx(), mailauth.Login{Mechanism: mailauth.UserPass, User: ss.named}))
		if pe, ok := err.(popError); ok {
			ss.err(pe.text)
			return nil
		}
		return err
	case "AUTH":
		return ss.auth(arg)
	}
	ss.err("Unknown command in AUTHORIZATION state")
	return nil
}

// popError is a refusal the gate hands back: the -ERR text to send.
type popError struct{ text string }

func (e popError) Error() string { return e.text }

// answer is the personality's reply to the gate's verdict: a popError
// with the -ERR text of a refusal, or nil with the session's user set.
func (ss *session) answer(v mailauth.Verdict) error {
	switch {
	case v.Reason == mailauth.ReasonDisconnect:
		_ = ss.conn.Close()
		return mailauth.ErrHungUp
	case !v.OK:
		return popError{ss.s.cfg.Personality.Refusal(v.Reason)}
	}
	ss.user = v.User
	return nil
}

// ctx is the connection's context (mailconn.Conn.Context).
func (ss *session) ctx() context.Context {
	if ss.mc == nil {
		return context.Background()
	}
	return ss.mc.Context()
}

// auth is RFC 5034's AUTH, with or without an initial response ("=" for
// an empty one).
func (ss *session) auth(arg string) error {
	p := ss.s.cfg.Personality
	mech, ir, hasIR := strings.Cut(strings.TrimSpace(arg), " ")
	if mech == "" {
		ss.err("Unknown authentication mechanism")
		return nil
	}
	if !ss.mayAuth() {
		ss.err("[AUTH] TLS is required")
		return nil
	}
	if !mailauth.Offers(p.Mechanisms, mech) {
		ss.err("Unknown authentication mechanism")
		return nil
	}
	srv := ss.s.gate.SASL(ss.ctx(), mech, ss.answer)
	var resp []byte
	if hasIR {
		if ir != "=" {
			b, err := base64.StdEncoding.DecodeString(ir)
			if err != nil {
				ss.err(p.Malformed)
				return nil
			}
			resp = b
		}
	} else {
		_, _ = ss.w.WriteString("+ \r\n")
		var ok bool
		if resp, ok = ss.response(); !ok {
			return nil
		}
	}
	for {
		challenge, done, err := srv.Next(resp)
		var pe popError
		switch {
		case errors.As(err, &pe):
			ss.user = ""
			ss.err(pe.text)
			return nil
		case err != nil:
			ss.err(p.Malformed)
			return nil
		case done:
			if ss.user == "" {
				ss.err(p.AuthFailed)
				return nil
			}
			return ss.begin()
		}
		_, _ = ss.w.WriteString("+ " + base64.StdEncoding.EncodeToString(challenge) + "\r\n")
		var ok bool
		if resp, ok = ss.response(); !ok {
			return nil
		}
	}
}

// response reads a client's SASL response; "*" cancels (RFC 5034 §4).
func (ss *session) response() ([]byte, bool) {
	line, err := ss.readLine()
	if err != nil {
		return nil, false
	}
	if line == "*" {
		ss.err("[AUTH] Authentication cancelled")
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		ss.err(ss.s.cfg.Personality.Malformed)
		return nil, false
	}
	return b, true
}

// begin enters the TRANSACTION state with the user's INBOX as maildrop.
func (ss *session) begin() error {
	for _, m := range ss.s.cfg.World.Mailbox(ss.user).Drop() {
		ss.drop = append(ss.drop, message{uid: m.UID, body: m.Body})
	}
	ss.deleted = map[int]bool{}
	ss.ok(ss.s.cfg.Personality.AuthSucceeded)
	return nil
}

// transaction is the TRANSACTION state (RFC 1939 §5).
func (ss *session) transaction(verb, arg string) {
	switch verb {
	case "STAT":
		n, size := 0, 0
		for i, m := range ss.drop {
			if !ss.deleted[i] {
				n, size = n+1, size+len(m.body)
			}
		}
		ss.ok(fmt.Sprintf("%d %d", n, size))
	case "LIST", "UIDL":
		ss.listing(verb, arg)
	case "RETR":
		if i, ok := ss.msg(arg); ok {
			ss.ok(fmt.Sprintf("%d octets", len(ss.drop[i].body)))
			ss.dotStuffed(ss.drop[i].body, -1)
		}
	case "TOP":
		n, lines, _ := strings.Cut(arg, " ")
		k, err := strconv.Atoi(strings.TrimSpace(lines))
		if err != nil || k < 0 {
			ss.err("Invalid arguments")
			return
		}
		if i, ok := ss.msg(n); ok {
			ss.ok("")
			ss.dotStuffed(ss.drop[i].body, k)
		}
	case "DELE":
		if i, ok := ss.msg(arg); ok {
			ss.deleted[i] = true
			ss.ok(fmt.Sprintf("message %d deleted", i+1))
		}
	case "RSET":
		ss.deleted = map[int]bool{}
		ss.ok("")
	default:
		ss.err("Unknown command")
	}
}

// msg finds a message by its number, not deleted.
func (ss *session) msg(arg string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(arg))
	if err != nil || n < 1 || n > len(ss.drop) || ss.deleted[n-1] {
		ss.err("No such message")
		return 0, false
	}
	return n - 1, true
}

func (ss *session) listing(verb, arg string) {
	line := func(i int) string {
		if verb == "LIST" {
			return fmt.Sprintf("%d %d", i+1, len(ss.drop[i].body))
		}
		return fmt.Sprintf("%d %d", i+1, ss.drop[i].uid)
	}
	if strings.TrimSpace(arg) != "" {
		if i, ok := ss.msg(arg); ok {
			ss.ok(line(i))
		}
		return
	}
	ss.ok("")
	for i := range ss.drop {
		if !ss.deleted[i] {
			_, _ = ss.w.WriteString(line(i) + "\r\n")
		}
	}
	_, _ = ss.w.WriteString(".\r\n")
}

// dotStuffed writes body as a multi-line response: the header and, with
// lines >= 0, that many lines of the body (TOP), lines beginning with "."
// doubled, then the terminating ".".
func (ss *session) dotStuffed(body string, lines int) {
	inBody, n := false, 0
	for rest := body; rest != ""; {
		line, after, found := strings.Cut(rest, "\n")
		if !found {
			line, after = rest, ""
		}
		line = strings.TrimSuffix(line, "\r")
		if inBody && lines >= 0 {
			if n >= lines {
				break
			}
			n++
		}
		if line == "" && !inBody {
			inBody = true
		}
		if strings.HasPrefix(line, ".") {
			line = "." + line
		}
		_, _ = ss.w.WriteString(line + "\r\n")
		rest = after
	}
	_, _ = ss.w.WriteString(".\r\n")
}

// quit ends the session: in the TRANSACTION state, the deleted messages
// are removed (the UPDATE state, RFC 1939 §6).
func (ss *session) quit() error {
	if ss.user != "" {
		var uids []uint32
		for i := range ss.deleted {
			uids = append(uids, ss.drop[i].uid)
		}
		ss.s.cfg.World.Mailbox(ss.user).Remove(uids)
	}
	ss.ok("Bye")
	_ = ss.w.Flush()
	return errQuit
}
