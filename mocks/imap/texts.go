package imap

import (
	"bytes"
	"regexp"
	"strconv"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// statusLine is a status response as go-imap writes it: tag, type, an
// optional response code, text.
var statusLine = regexp.MustCompile(`^(\S+) (OK|NO|BAD|BYE) (?:\[[^\]]*\] )?(.*)\r\n$`)

// authSuccess is go-imap's text after a successful AUTHENTICATE.
var authSuccess = regexp.MustCompile(`^\S+ authentication successful$`)

// literalStart is the end of a line that announces a literal: "{n}".
var literalStart = regexp.MustCompile(`\{(\d{1,10})\}\r\n$`)

// literalOf is the size of the literal line announces, or -1.
func literalOf(line []byte) int64 {
	if !bytes.HasSuffix(line, []byte("}\r\n")) {
		return -1
	}
	m := literalStart.FindSubmatch(line)
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// serverBug is go-imap's answer to a command it could not read as it
// expected: before authentication, an AUTHENTICATE argument or response
// that is not base64, or a command line too long.
var serverBug = []byte(" NO [SERVERBUG] Internal server error\r\n")

// rewriter puts the personality's texts in place of go-imap's on c. Only
// status lines whose whole text is one of the library's are touched, and
// never a line inside a literal (a message that contains such a line).
// Before authentication, go-imap's internal error is the personality's
// answer to a malformed SASL message.
func (s *Server) rewriter(c *mailconn.Conn) func([]byte) ([]byte, bool) {
	p := s.cfg.Personality
	if p.AuthSucceeded == "" && p.CapabilityCompleted == "" && p.LogoutBye == "" && p.LogoutCompleted == "" && p.Malformed.Type == "" {
		return nil
	}
	authenticated := false
	var inLiteral int64 // bytes of a literal still to come
	return func(line []byte) ([]byte, bool) {
		if inLiteral > 0 {
			inLiteral -= int64(len(line))
			if inLiteral >= 0 {
				return line, false
			}
			// The literal ended inside this line; what follows it may
			// announce another.
			rest := line[len(line)+int(inLiteral):]
			inLiteral = 0
			inLiteral = max(literalOf(rest), 0)
			return line, false
		}
		if m := literalOf(line); m >= 0 {
			inLiteral = m
			return line, false
		}
		if !authenticated && bytes.Contains(line, []byte(" OK ")) &&
			(bytes.Contains(line, []byte(" authentication successful\r\n")) || bytes.HasSuffix(line, []byte(" OK LOGIN completed\r\n"))) {
			authenticated = true
		}
		if !authenticated && p.Malformed.Type != "" && bytes.HasSuffix(line, serverBug) && bytes.IndexByte(line, ' ') == len(line)-len(serverBug) {
			tag := string(line[:len(line)-len(serverBug)])
			return []byte(tag + " " + imapStatus(p.Malformed, c) + "\r\n"), false
		}
		if len(line) > 200 || !bytes.HasPrefix(line, []byte("* BYE")) && !bytes.Contains(line, []byte(" OK ")) {
			return line, false
		}
		m := statusLine.FindSubmatch(line)
		if m == nil {
			return line, false
		}
		tag, typ, text := string(m[1]), string(m[2]), string(m[3])
		var mine string
		switch {
		case typ == "OK" && text == "Begin TLS negotiation now":
			return line, true
		case typ == "OK" && authSuccess.MatchString(text):
			mine = p.AuthSucceeded
		case typ == "OK" && text == "CAPABILITY completed":
			mine = p.CapabilityCompleted
		case typ == "OK" && text == "LOGOUT completed":
			mine = p.LogoutCompleted
		case typ == "BYE" && tag == "*" && text == "Logging out":
			mine = p.LogoutBye
		}
		if mine == "" {
			return line, false
		}
		return []byte(tag + " " + typ + " " + mailauth.Expand(mine, c.ID, c.IP) + "\r\n"), false
	}
}

// imapStatus is r as the text after a tag: type, response code, text.
func imapStatus(r mailauth.IMAPReply, c *mailconn.Conn) string {
	out := r.Type
	if r.Code != "" {
		out += " [" + r.Code + "]"
	}
	return out + " " + mailauth.Expand(r.Text, c.ID, c.IP)
}
