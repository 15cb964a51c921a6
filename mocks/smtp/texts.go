package smtp

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// invalidBase64 is go-smtp's answer to an AUTH argument or response that is
// not base64, which it decodes before a SASL server sees it.
var invalidBase64 = []byte("454 4.7.0 Invalid base64 data\r\n")

// tlsRequired is go-smtp's answer to AUTH before STARTTLS.
var tlsRequired = []byte("523 5.7.10 TLS is required\r\n")

// startTLS is go-smtp's go-ahead for STARTTLS: what follows is TLS.
var startTLS = []byte("220 2.0.0 Ready to start TLS\r\n")

// rewriter puts the personality's answers in place of go-smtp's, on c: to
// base64 that does not decode (a malformed SASL message) and to AUTH
// before STARTTLS; and it tells mailconn the STARTTLS go-ahead, after
// which the connection moves on in TLS (with a rewriter of its own).
// go-smtp writes a reply line by line; the lines of a multi-line reply
// ("250-...") are held and go out with its last, in one write (one TLS
// record), as the providers send them.
func (s *Server) rewriter(c *mailconn.Conn) func([]byte) ([]byte, bool) {
	malformed, tlsReq := s.cfg.Personality.Malformed, s.cfg.Personality.TLSRequired
	var held []byte
	return func(line []byte) ([]byte, bool) {
		if bytes.Equal(line, startTLS) {
			return line, true
		}
		switch {
		case malformed.Code != 0 && bytes.Equal(line, invalidBase64):
			line = []byte(replyLines(malformed, c))
		case tlsReq.Code != 0 && bytes.Equal(line, tlsRequired):
			line = []byte(replyLines(tlsReq, c))
		case len(line) > 4 && line[3] == '-':
			if held == nil {
				held = make([]byte, 0, 512) // an EHLO reply in one go
			}
			held = append(held, line...)
			return nil, false
		}
		if len(held) > 0 {
			// mailconn copies the reply before the next call: the buffer
			// is kept for the next multi-line reply.
			line, held = append(held, line...), held[:0]
		}
		return line, false
	}
}

// replyLines is r as it goes on the wire: one line per line of its text,
// all but the last with "-" after the code.
func replyLines(r mailauth.SMTPReply, c *mailconn.Conn) string {
	lines := strings.Split(mailauth.Expand(r.Text, c.ID, c.IP), "\n")
	var b strings.Builder
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%d%s%d.%d.%d %s\r\n", r.Code, sep, r.Enhanced[0], r.Enhanced[1], r.Enhanced[2], l)
	}
	return b.String()
}
