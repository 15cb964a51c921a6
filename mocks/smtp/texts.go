package smtp

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// libraryText is one of go-smtp's reply lines that a personality may
// replace: the line as go-smtp writes it (without CRLF), "*" standing for
// the part it fills in (a name, an address, a command), and the
// personality's reply in its place; a zero reply keeps go-smtp's line.
// TestLibraryTexts drives go-smtp itself and fails if it stops writing
// any of these lines: a library upgrade that changes a text fails loudly
// instead of letting the library's text through.
type libraryText struct {
	lib  string
	mine func(p *mailauth.SMTPPersonality) mailauth.SMTPReply
	// arg is the placeholder the "*" part fills in the personality's
	// text ("" for none).
	arg string
	// goAhead marks the STARTTLS go-ahead, the last line in clear.
	goAhead bool
}

// libraryTexts are every go-smtp line a personality owns, EHLO's apart
// (ehlo).
var libraryTexts = []libraryText{
	{lib: "220 2.0.0 Ready to start TLS", goAhead: true,
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply { return p.StartTLS }},
	{lib: "250 2.0.0 Roger, accepting mail from <*>",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply { return p.SenderOK }},
	{lib: "250 2.0.0 I'll make sure <*> gets this",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply { return p.RecipientOK }},
	{lib: "354 Go ahead. End your data with <CR><LF>.<CR><LF>",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply { return p.StartData }},
	{lib: "221 2.0.0 Bye",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply { return p.Closing }},
	{lib: "500 5.5.2 Syntax errors, * command unrecognized", arg: "{command}",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply { return p.UnknownCommand }},
	// go-smtp decodes an AUTH argument or response before a SASL server
	// sees it: one that is not base64 is a malformed SASL message.
	{lib: "454 4.7.0 Invalid base64 data",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply { return p.Malformed }},
	{lib: "523 5.7.10 TLS is required",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply {
			if p.AuthWithoutTLS.Code != 0 {
				return p.AuthWithoutTLS
			}
			return p.TLSRequired
		}},
	// HELO's reply; EHLO's first line is ehloFirst.
	{lib: "250 2.0.0 Hello *",
		mine: func(p *mailauth.SMTPPersonality) mailauth.SMTPReply {
			if p.Hello == "" {
				return mailauth.SMTPReply{}
			}
			return mailauth.SMTPReply{Code: 250, Text: p.Hello}
		}},
}

// ehloFirst is the start of go-smtp's EHLO reply, "250-Hello <name>".
var ehloFirst = []byte("250-Hello ")

// match reports whether line (without CRLF) is t's, and the part "*"
// stands for.
func (t libraryText) match(line string) (string, bool) {
	pre, suf, wild := strings.Cut(t.lib, "*")
	if !wild {
		return "", line == t.lib
	}
	if len(line) < len(pre)+len(suf) || !strings.HasPrefix(line, pre) || !strings.HasSuffix(line, suf) {
		return "", false
	}
	return line[len(pre) : len(line)-len(suf)], true
}

// rewriter puts the personality's lines in place of go-smtp's on c (the
// libraryTexts and the EHLO reply), and tells mailconn the STARTTLS
// go-ahead, after which the connection moves on in TLS (with a rewriter
// of its own). go-smtp writes a reply line by line; the lines of a
// multi-line reply ("250-...") are held and go out with its last, in one
// write (one TLS record), as the providers send them.
func (s *Server) rewriter(c *mailconn.Conn) func([]byte) ([]byte, bool) {
	p := &s.cfg.Personality
	var held []byte
	return func(line []byte) ([]byte, bool) {
		if len(line) > 4 && line[3] == '-' {
			if held == nil {
				held = make([]byte, 0, 512) // an EHLO reply in one go
			}
			held = append(held, line...)
			return nil, false
		}
		last := false
		switch {
		case len(held) > 0 && bytes.HasPrefix(held, ehloFirst):
			line = []byte(ehlo(p, append(held, line...), c))
			held = held[:0]
		default:
			line, last = ownLine(p, line, c)
		}
		if len(held) > 0 {
			// mailconn copies the reply before the next call: the buffer
			// is kept for the next multi-line reply.
			line, held = append(held, line...), held[:0]
		}
		return line, last
	}
}

// ownLine is the personality's reply in place of go-smtp's line, if it
// has one, and whether line is the STARTTLS go-ahead.
func ownLine(p *mailauth.SMTPPersonality, line []byte, c *mailconn.Conn) ([]byte, bool) {
	text := strings.TrimSuffix(string(line), "\r\n")
	for _, t := range libraryTexts {
		arg, ok := t.match(text)
		if !ok {
			continue
		}
		if r := t.mine(p); r.Code != 0 {
			if t.arg != "" {
				r.Text = strings.ReplaceAll(r.Text, t.arg, arg)
			}
			return []byte(replyLines(r, c)), t.goAhead
		}
		return line, t.goAhead
	}
	return line, false
}

// ehlo is the personality's EHLO reply in place of go-smtp's reply, lib:
// its Hello and Extensions, with go-smtp's STARTTLS and AUTH lines at
// AuthState. Without either, lib's own parts stay.
func ehlo(p *mailauth.SMTPPersonality, lib []byte, c *mailconn.Conn) string {
	lines := strings.Split(strings.TrimSuffix(string(lib), "\r\n"), "\r\n")
	hello, exts := lines[0][4:], make([]string, 0, len(lines))
	for _, l := range lines[1:] {
		exts = append(exts, l[4:])
	}
	if p.Hello != "" {
		hello = mailauth.Expand(p.Hello, c.ID, c.IP)
	}
	if p.Extensions != nil {
		var state []string
		for _, e := range exts {
			if e == "STARTTLS" || strings.HasPrefix(e, "AUTH ") {
				state = append(state, e)
			}
		}
		exts = exts[:0]
		for _, e := range p.Extensions {
			if e == mailauth.AuthState {
				exts = append(exts, state...)
			} else {
				exts = append(exts, e)
			}
		}
	}
	var b strings.Builder
	b.WriteString("250")
	if len(exts) > 0 {
		b.WriteByte('-')
	} else {
		b.WriteByte(' ')
	}
	b.WriteString(hello + "\r\n")
	for i, e := range exts {
		sep := "-"
		if i == len(exts)-1 {
			sep = " "
		}
		b.WriteString("250" + sep + e + "\r\n")
	}
	return b.String()
}

// replyLines is r as it goes on the wire: one line per line of its text,
// all but the last with "-" after the code; no enhanced code when r's is
// zero.
func replyLines(r mailauth.SMTPReply, c *mailconn.Conn) string {
	lines := strings.Split(mailauth.Expand(r.Text, c.ID, c.IP), "\n")
	enh := ""
	if r.Enhanced != [3]int{} {
		enh = fmt.Sprintf("%d.%d.%d ", r.Enhanced[0], r.Enhanced[1], r.Enhanced[2])
	}
	var b strings.Builder
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%d%s%s%s\r\n", r.Code, sep, enh, l)
	}
	return b.String()
}
