package imap

import (
	"bytes"
	"strings"
)

// maxBufferedLiteral is the largest literal go-imap reads for a command
// other than APPEND ("Literals are limited to 4096 bytes").
const maxBufferedLiteral = 4096

// unblocker follows what an IMAP client sends (commands, and literals as
// data) to find a synchronizing literal go-imap refuses without saying
// so: past 4096 bytes for any command but APPEND, go-imap drops the
// literal's NO [TOOBIG] and reads on for the rest of the command, while
// the client waits for its "+" (`a LOGIN {999999999}` would wait for the
// command deadline). The library is handed the end of the line
// then, so that it answers at once (BAD) instead of waiting.
type unblocker struct {
	maxAppend int64
	remaining int64  // literal bytes still to come
	partial   []byte // a command line not yet ended
	inCommand bool   // the next line continues a command after a literal
	command   string // the command the line belongs to
}

// maxPartial bounds a command line held until its CRLF; go-imap's own
// limit on a command is larger, but a longer line cannot end with a
// literal we need to see.
const maxPartial = 8 << 10

func (u *unblocker) next(read []byte) []byte {
	for len(read) > 0 {
		if u.remaining > 0 {
			k := min(u.remaining, int64(len(read)))
			read, u.remaining = read[k:], u.remaining-k
			u.inCommand = u.remaining == 0
			continue
		}
		i := bytes.Index(read, crlf)
		if i < 0 {
			if len(u.partial)+len(read) <= maxPartial {
				u.partial = append(u.partial, read...)
			} else {
				u.partial = u.partial[:0]
			}
			return nil
		}
		line := read[:i+2]
		if len(u.partial) > 0 {
			line = append(u.partial, line...)
			u.partial = u.partial[:0]
		}
		read = read[i+2:]
		n, sync := literalOf(line)
		if !u.inCommand && n >= 0 {
			// A line without a literal ends its command: only one
			// that announces a literal needs its command named.
			u.command = commandOf(line)
		}
		u.inCommand = false
		switch {
		case n < 0:
		case !sync:
			// Non-synchronizing: the client sends it without waiting.
			u.remaining = n
			u.inCommand = n == 0
		case u.command == "APPEND" && n <= u.maxAppend, u.command != "APPEND" && n <= maxBufferedLiteral:
			u.remaining = n
			u.inCommand = n == 0
		case u.command == "APPEND":
			// go-imap answers NO [TOOBIG] itself; the literal never comes.
		case len(read) == 0:
			// Refused, and the client waits: end the command for the
			// library.
			u.command = ""
			return []byte("\r\n")
		}
	}
	return nil
}

var crlf = []byte("\r\n")

// commandOf is the command of a line (after its tag; "UID" is followed
// by the command it qualifies), upper case.
func commandOf(line []byte) string {
	_, rest := field(line)
	c, rest := field(rest)
	if strings.EqualFold(c, "UID") {
		if q, _ := field(rest); q != "" {
			c = q
		}
	}
	return strings.ToUpper(c)
}

// field splits the first field (up to a space, a tab or the line's end)
// off line, spaces before it skipped.
func field(line []byte) (string, []byte) {
	line = bytes.TrimLeft(line, " \t")
	i := bytes.IndexAny(line, " \t\r\n")
	if i < 0 {
		i = len(line)
	}
	return string(line[:i]), line[i:]
}
