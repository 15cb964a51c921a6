package imap

import (
	"bytes"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// statusLine splits a status response as go-imap writes it: tag, type
// (OK, NO, BAD or BYE), an optional response code, text; ok is false for
// any other line. The parts are line's own bytes.
func statusLine(line []byte) (tag, typ, text []byte, ok bool) {
	rest, ok := bytes.CutSuffix(line, crlf)
	if !ok {
		return nil, nil, nil, false
	}
	tag, rest, ok1 := bytes.Cut(rest, space)
	typ, rest, ok2 := bytes.Cut(rest, space)
	if !ok1 || !ok2 || len(tag) == 0 || bytes.IndexByte(tag, '\t') >= 0 {
		return nil, nil, nil, false
	}
	switch string(typ) {
	case "OK", "NO", "BAD", "BYE":
	default:
		return nil, nil, nil, false
	}
	if code, after, found := bytes.Cut(rest, codeEnd); found && len(code) > 0 && code[0] == '[' && bytes.IndexByte(code, ']') < 0 {
		rest = after
	}
	return tag, typ, rest, true
}

var (
	space   = []byte(" ")
	codeEnd = []byte("] ")
)

// authSuccess reports whether text is go-imap's after a successful
// AUTHENTICATE: "<mechanism> authentication successful".
func authSuccess(text []byte) bool {
	mech, ok := bytes.CutSuffix(text, []byte(" authentication successful"))
	return ok && len(mech) > 0 && !bytes.ContainsAny(mech, " \t")
}

// literalOf is the size of the literal line announces at its end
// ("{n}\r\n", or a client's non-synchronizing "{n+}\r\n", RFC 7888), or -1;
// sync is false for the non-synchronizing kind.
func literalOf(line []byte) (n int64, sync bool) {
	rest, ok := bytes.CutSuffix(line, []byte("}\r\n"))
	if !ok {
		return -1, false
	}
	rest, plus := bytes.CutSuffix(rest, []byte("+"))
	i := bytes.LastIndexByte(rest, '{')
	digits := rest[i+1:]
	if i < 0 || len(digits) == 0 || len(digits) > 10 {
		return -1, false
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return -1, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, !plus
}

// serverBug is go-imap's answer to a command it could not read as it
// expected: before authentication, an AUTHENTICATE argument or response
// that is not base64, or a command line too long.
var serverBug = []byte(" NO [SERVERBUG] Internal server error\r\n")

// rewriter puts the personality's texts in place of go-imap's on c
// (replies.text) and writes each response whole (replies.rewrite).
func (s *Server) rewriter(c *mailconn.Conn) func([]byte) ([]byte, bool) {
	r := &replies{p: s.cfg.Personality, c: c, wrongState: s.wrongState}
	return r.rewrite
}

// replies follows what go-imap writes on one connection.
type replies struct {
	p mailauth.IMAPPersonality
	c *mailconn.Conn
	// wrongState answers a wrong-state BAD on an unconnected session
	// (Server.wrongState); nil: go-imap's BAD is rewritten as any other.
	wrongState func(c *mailconn.Conn, tag []byte) ([]byte, bool)

	authenticated bool
	inLiteral     int64  // bytes of a literal still to come
	afterLiteral  bool   // a literal ended with the last line: its response goes on
	held          []byte // the response so far, written with its tagged reply
	continued     bool   // a continuation request went out: no holding until the tagged reply
}

// maxHeld bounds what a connection holds of a response before writing it;
// past maxKept, the buffer is not kept between responses.
const (
	maxHeld = 64 << 10
	maxKept = 4 << 10
)

var (
	bye       = []byte("* BYE")
	logoutBye = []byte("* BYE Logging out\r\n") // go-imap's, before LOGOUT's tagged reply
)

// rewrite is the connection's mailconn rewriter. go-imap writes a
// response line by line; the untagged lines (and the literals in them) are
// held and go out with the tagged reply, in one write (one TLS record), as
// a server that answers a command at once does. Not held: a continuation
// request and what follows it until the tagged reply (IDLE's updates, an
// AUTHENTICATE exchange), a BYE other than LOGOUT's (which its tagged
// reply follows), and beyond maxHeld.
func (r *replies) rewrite(line []byte) ([]byte, bool) {
	within := r.inLiteral > 0 || r.afterLiteral
	out, last := r.text(line)
	hold := within || line[0] == '*' && (!bytes.HasPrefix(line, bye) || bytes.Equal(line, logoutBye))
	switch {
	case line[0] == '+' && !within:
		r.continued = true
	case !hold:
		r.continued = false
	}
	if hold && !r.continued && len(r.held)+len(out) <= maxHeld {
		if r.held == nil {
			r.held = make([]byte, 0, 1024)
		}
		r.held = append(r.held, out...)
		return nil, false
	}
	if len(r.held) > 0 {
		// The buffer is kept for the next response, unless it grew large:
		// mailconn copies what a rewriter returns before calling it again.
		out = append(r.held, out...)
		r.held = r.held[:0]
		if cap(r.held) > maxKept {
			r.held = nil
		}
	}
	return out, last
}

// text puts the personality's texts in place of go-imap's. Only status
// lines whose whole text is one of the library's are touched, and never a
// line inside a literal (a message that contains such a line). Before
// authentication, go-imap's internal error is the personality's answer to
// a malformed SASL message.
func (r *replies) text(line []byte) ([]byte, bool) {
	p, c := r.p, r.c
	r.afterLiteral = false
	if r.inLiteral > 0 {
		r.inLiteral -= int64(len(line))
		if r.inLiteral >= 0 {
			r.afterLiteral = r.inLiteral == 0
			return line, false
		}
		// The literal ended inside this line; what follows it may
		// announce another.
		rest := line[len(line)+int(r.inLiteral):]
		n, _ := literalOf(rest)
		r.inLiteral = max(n, 0)
		return line, false
	}
	if m, _ := literalOf(line); m >= 0 {
		r.inLiteral = m
		r.afterLiteral = m == 0
		return line, false
	}
	if bytes.HasPrefix(line, capabilityLine) {
		return r.capabilities(line), false
	}
	if !r.authenticated && bytes.Contains(line, []byte(" OK ")) &&
		(bytes.Contains(line, []byte(" authentication successful\r\n")) || bytes.HasSuffix(line, []byte(" OK LOGIN completed\r\n"))) {
		r.authenticated = true
	}
	if !r.authenticated && p.Malformed.Type != "" && bytes.HasSuffix(line, serverBug) && bytes.IndexByte(line, ' ') == len(line)-len(serverBug) {
		tag := string(line[:len(line)-len(serverBug)])
		return []byte(tag + " " + imapStatus(p.Malformed, c) + "\r\n"), false
	}
	if out, ok := r.commandError(line); ok {
		return out, false
	}
	if len(line) > 200 || !bytes.HasPrefix(line, bye) && !bytes.Contains(line, []byte(" OK ")) {
		return line, false
	}
	tag, typ, text, ok := statusLine(line)
	if !ok {
		return line, false
	}
	var mine string
	switch {
	case string(typ) == "OK" && string(text) == "Begin TLS negotiation now":
		return line, true
	case string(typ) == "OK" && authSuccess(text):
		mine = p.AuthSucceeded
	case string(typ) == "OK" && string(text) == "CAPABILITY completed":
		mine = p.CapabilityCompleted
	case string(typ) == "OK" && string(text) == "LOGOUT completed":
		mine = p.LogoutCompleted
	case string(typ) == "BYE" && string(tag) == "*" && string(text) == "Logging out":
		mine = p.LogoutBye
	}
	if mine == "" {
		return line, false
	}
	return []byte(string(tag) + " " + string(typ) + " " + mailauth.Expand(mine, c.ID, c.IP) + "\r\n"), false
}

var capabilityLine = []byte("* CAPABILITY ")

// capabilities puts the personality's list, if it has one for the
// connection's state, in place of go-imap's in an untagged CAPABILITY
// line; go-imap's state-dependent capabilities (STARTTLS, LOGINDISABLED,
// AUTH=) keep their place at mailauth.AuthState.
func (r *replies) capabilities(line []byte) []byte {
	listed := r.p.ListedBefore
	if r.authenticated {
		listed = r.p.ListedAfter
	}
	if listed == nil {
		return line
	}
	var state []string
	for _, c := range strings.Fields(string(line[len(capabilityLine):])) {
		if c == "STARTTLS" || c == "LOGINDISABLED" || strings.HasPrefix(c, "AUTH=") {
			state = append(state, c)
		}
	}
	out := []string{"*", "CAPABILITY"}
	placed := false
	for _, c := range listed {
		if c == mailauth.AuthState {
			out, placed = append(out, state...), true
		} else {
			out = append(out, c)
		}
	}
	if !placed {
		out = append(out, state...)
	}
	return []byte(strings.Join(out, " ") + "\r\n")
}

// imapStatus is r as the text after a tag: type, response code, text.
func imapStatus(r mailauth.IMAPReply, c *mailconn.Conn) string {
	out := r.Type
	if r.Code != "" {
		out += " [" + r.Code + "]"
	}
	return out + " " + mailauth.Expand(r.Text, c.ID, c.IP)
}
