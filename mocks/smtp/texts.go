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

// startTLS is go-smtp's go-ahead for STARTTLS: what follows is TLS.
var startTLS = []byte("220 2.0.0 Ready to start TLS\r\n")

// rewriter puts the personality's answer to a malformed SASL message in
// place of go-smtp's to base64 that does not decode, on c. Lines after
// STARTTLS are encrypted and pass untouched (mailconn); on the implicit
// TLS port every line is seen.
func (s *Server) rewriter(c *mailconn.Conn) func([]byte) ([]byte, bool) {
	malformed := s.cfg.Personality.Malformed
	if malformed.Code == 0 {
		return nil
	}
	return func(line []byte) ([]byte, bool) {
		if bytes.Equal(line, startTLS) {
			return line, true
		}
		if !bytes.Equal(line, invalidBase64) {
			return line, false
		}
		return []byte(replyLines(malformed, c)), false
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
