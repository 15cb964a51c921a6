package imap

import (
	"bytes"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// libraryError is one of go-imap's tagged BAD texts that a personality may
// replace: the status as go-imap writes it after the tag (without CRLF),
// "*" standing for the part it fills in, and the personality's reply in
// its place; a zero reply keeps go-imap's line. TestLibraryTexts drives
// go-imap itself and fails if it stops writing any of these: a library
// upgrade that changes a text fails loudly instead of letting the
// library's text through.
type libraryError struct {
	lib  string
	mine func(p *mailauth.IMAPPersonality) mailauth.IMAPReply
}

func invalidState(p *mailauth.IMAPPersonality) mailauth.IMAPReply  { return p.InvalidState }
func argumentError(p *mailauth.IMAPPersonality) mailauth.IMAPReply { return p.ArgumentError }

// libraryErrors are go-imap's replies to a command in the wrong state
// (imapserver's checkState, state "not authenticated", "authenticated"
// or "selected") and to arguments that do not parse: any syntax error of
// its decoder, and FETCH's own (an unknown data item or section, a macro
// in a list). Its "Unknown command" is not one: Exchange's reply to an
// unknown command is NOT FOUND (EX-09).
var libraryErrors = []libraryError{
	{lib: "BAD [CLIENTBUG] This command is only valid in the * state", mine: invalidState},
	{lib: "BAD [CLIENTBUG] Syntax error: *", mine: argumentError},
	{lib: "BAD [CLIENTBUG] Unknown FETCH data item", mine: argumentError},
	{lib: "BAD [CLIENTBUG] unknown body section specifier", mine: argumentError},
	{lib: "BAD [CLIENTBUG] FETCH macros are not allowed in a list", mine: argumentError},
}

// match reports whether status (a tagged line without its tag and CRLF)
// is e's.
func (e libraryError) match(status string) bool {
	pre, suf, wild := strings.Cut(e.lib, "*")
	if !wild {
		return status == e.lib
	}
	return len(status) >= len(pre)+len(suf) && strings.HasPrefix(status, pre) && strings.HasSuffix(status, suf)
}

// commandError is the personality's line in place of go-imap's tagged
// line, if it has one: one of libraryErrors, or the reply to the stand-in
// of a command cut for its length (bound.go).
func (r *replies) commandError(line []byte) ([]byte, bool) {
	tag, status, ok := bytes.Cut(bytes.TrimSuffix(line, crlf), space)
	if !ok || len(tag) == 0 || tag[0] == '*' || tag[0] == '+' || !bytes.HasSuffix(line, crlf) {
		return nil, false
	}
	if orig, cut := bytes.CutSuffix(tag, tooLongMarker); cut {
		if len(orig) == 0 {
			orig = []byte("*")
		}
		return []byte(string(orig) + " " + imapStatus(r.p.CommandTooLong, r.c) + "\r\n"), true
	}
	if len(status) < 4 || string(status[:4]) != "BAD " {
		return nil, false
	}
	for _, e := range libraryErrors {
		if !e.match(string(status)) {
			continue
		}
		if r.wrongState != nil && e.lib == libraryErrors[0].lib {
			if out, ok := r.wrongState(r.c, tag); ok {
				return out, true
			}
		}
		if mine := e.mine(&r.p); mine.Type != "" {
			return []byte(string(tag) + " " + imapStatus(mine, r.c) + "\r\n"), true
		}
		return nil, false
	}
	return nil, false
}
