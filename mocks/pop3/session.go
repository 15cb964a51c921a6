package pop3

import (
	"bufio"
	"errors"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// session is one POP3 connection, in the AUTHORIZATION state until a login
// is accepted, then in the TRANSACTION state (RFC 1939 §3).
type session struct {
	s    *Server
	conn net.Conn
	mc   *mailconn.Conn // nil for a connection of no Listener (FuzzSession)
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

// maxLine bounds a command line; an AUTH response carries a token, so it
// may be long (RFC 5034 §4 sets no limit), but not without end.
const maxLine = 64 << 10

func newSession(s *Server, c net.Conn) *session {
	return &session{s: s, conn: c, mc: mailconn.Of(c), r: bufio.NewReaderSize(c, 4096), w: bufio.NewWriter(c),
		tls: mailconn.IsTLS(c)}
}

// errQuit ends a session after its reply.
var errQuit = errors.New("quit")

// errTooLong is a command line past maxLine.
var errTooLong = errors.New("line too long")

// run greets the client and runs its commands until QUIT, an error or
// the end of the connection.
func (ss *session) run() {
	ss.ok(ss.s.cfg.Personality.Greeting)
	for {
		line, err := ss.readLine()
		if err != nil {
			if errors.Is(err, errTooLong) {
				ss.err(textLineTooLong)
				_ = ss.w.Flush()
			}
			return
		}
		if err := ss.command(line); err != nil {
			return
		}
	}
}

// readLine writes the replies so far, then reads a CRLF (or LF)
// terminated line of at most maxLine bytes, within the Idle bound.
func (ss *session) readLine() (string, error) {
	if err := ss.w.Flush(); err != nil {
		return "", err
	}
	_ = ss.conn.SetReadDeadline(time.Now().Add(ss.s.cfg.Idle))
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
			ss.err(textUnknownInAuth)
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

// capa answers CAPA: STLS where it may be used, SASL where a login may be.
// The personality's Capabilities, if any, are the lines in its order,
// the state's at mailauth.AuthState.
func (ss *session) capa() {
	p := ss.s.cfg.Personality
	var state []string
	if ss.mayStartTLS() {
		state = append(state, "STLS")
	}
	if ss.mayAuth() && len(p.Mechanisms) > 0 {
		state = append(state, "SASL "+strings.Join(p.Mechanisms, " "))
	}
	var lines []string
	if p.Capabilities == nil {
		ss.ok(textCapabilities)
		lines = append(slices.Clip(capabilities), state...)
	} else {
		ss.ok(p.CapaText)
		for _, l := range p.Capabilities {
			if l == mailauth.AuthState {
				lines = append(lines, state...)
			} else {
				lines = append(lines, l)
			}
		}
	}
	for _, l := range lines {
		ss.line(l)
	}
	ss.line(".")
}

func (ss *session) mayAuth() bool { return ss.tls || ss.s.cfg.InsecureAuth }

func (ss *session) mayStartTLS() bool { return !ss.tls && ss.s.cfg.TLS != nil && ss.mc != nil }

// authorization is the AUTHORIZATION state (RFC 1939 §4).
func (ss *session) authorization(verb, arg string) error {
	switch verb {
	case "STLS":
		return ss.startTLS()
	case "USER":
		ss.named = strings.TrimSpace(arg)
		ss.ok(textSendPass)
		return nil
	case "PASS":
		return ss.pass()
	case "AUTH":
		return ss.auth(arg)
	}
	ss.err(textUnknownInAuth)
	return nil
}

// startTLS is STLS (RFC 2595 §4): after the go-ahead, the connection goes
// on in TLS as a new session, on the server of mailconn.Upgraded, within
// the handshake bound; this one ends.
func (ss *session) startTLS() error {
	if !ss.mayStartTLS() {
		ss.err(textTLSActive)
		return nil
	}
	ss.ok(textBeginTLS)
	if err := ss.w.Flush(); err != nil {
		return err
	}
	ss.mc.StartTLS()
	return errQuit
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
	ss.ok(textBye)
	_ = ss.w.Flush()
	return errQuit
}

// expand fills in the connection's id and address in a personality's text.
func (ss *session) expand(text string) string {
	id, ip := "", ""
	if ss.mc != nil {
		id, ip = ss.mc.ID, ss.mc.IP
	}
	return mailauth.Expand(text, id, ip)
}

// ok writes "+OK" and text.
func (ss *session) ok(text string) {
	if text == "" {
		ss.line("+OK")
		return
	}
	ss.line("+OK " + ss.expand(text))
}

// err writes "-ERR" and text.
func (ss *session) err(text string) { ss.line("-ERR " + ss.expand(text)) }

// line writes one line of a reply; readLine sends them.
func (ss *session) line(l string) { _, _ = ss.w.WriteString(l + "\r\n") }
