package pop3

import (
	"fmt"
	"strconv"
	"strings"
)

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
			ss.ok(fmt.Sprintf(textOctets, len(ss.drop[i].body)))
			ss.dotStuffed(ss.drop[i].body, -1)
		}
	case "TOP":
		n, lines, _ := strings.Cut(arg, " ")
		k, err := strconv.Atoi(strings.TrimSpace(lines))
		if err != nil || k < 0 {
			ss.err(textInvalidArgs)
			return
		}
		if i, ok := ss.msg(n); ok {
			ss.ok("")
			ss.dotStuffed(ss.drop[i].body, k)
		}
	case "DELE":
		if i, ok := ss.msg(arg); ok {
			ss.deleted[i] = true
			ss.ok(fmt.Sprintf(textDeleted, i+1))
		}
	case "RSET":
		ss.deleted = map[int]bool{}
		ss.ok("")
	default:
		ss.err(textUnknown)
	}
}

// msg finds a message by its number, not deleted.
func (ss *session) msg(arg string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(arg))
	if err != nil || n < 1 || n > len(ss.drop) || ss.deleted[n-1] {
		ss.err(textNoSuchMessage)
		return 0, false
	}
	return n - 1, true
}

// listing is LIST (sizes) and UIDL (unique ids), of one message or all.
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
			ss.line(line(i))
		}
	}
	ss.line(".")
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
		ss.line(line)
		rest = after
	}
	ss.line(".")
}
