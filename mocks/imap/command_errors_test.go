package imap_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// misplaced are commands go-imap refuses for their state or arguments,
// each with what go-imap answers (its text after the tag) and what
// Exchange does (EX-09), in order on one connection: before
// authentication, after it, then with INBOX selected.
var misplaced = []struct{ cmd, lib, exchange string }{
	{"SELECT INBOX", "BAD [CLIENTBUG] This command is only valid in the authenticated state", "BAD Command received in Invalid state."},
	{"FETCH 1 (FLAGS)", "BAD [CLIENTBUG] This command is only valid in the selected state", "BAD Command received in Invalid state."},
	{"AUTHENTICATE", `BAD [CLIENTBUG] Syntax error: expected SP, got "\r"`, "BAD Command Argument Error. 11"},
	{"AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token), "", ""},
	{"LOGIN a b", "BAD [CLIENTBUG] This command is only valid in the not authenticated state", "BAD Command received in Invalid state."},
	{"EXPUNGE", "BAD [CLIENTBUG] This command is only valid in the selected state", "BAD Command received in Invalid state."},
	{"SELECT INBOX", "", ""},
	{"FETCH 1", `BAD [CLIENTBUG] Syntax error: expected SP, got "\r"`, "BAD Command Argument Error. 11"},
	{"FETCH (1) FLAGS", `BAD [CLIENTBUG] Syntax error: expected sequence-set, got "("`, "BAD Command Argument Error. 11"},
	{"FETCH 1 (BOGUS)", "BAD [CLIENTBUG] Unknown FETCH data item", "BAD Command Argument Error. 11"},
	{"FETCH 1 (BODY[FOO])", "BAD [CLIENTBUG] unknown body section specifier", "BAD Command Argument Error. 11"},
	{"FETCH 1 (ALL)", "BAD [CLIENTBUG] FETCH macros are not allowed in a list", "BAD Command Argument Error. 11"},
	{"FROBNICATE", "BAD Unknown command", "BAD Unknown command"},
}

// answers sends misplaced on one connection to srv with personality p
// and returns each tagged reply without its tag.
func answers(t *testing.T, p mailauth.IMAPPersonality) []string {
	t.Helper()
	w, srv, ca := launch(t, func(c *imap.Config) { c.Personality = p })
	if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte("Subject: x\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	c := mailtest.Dial(t, srv.TLSAddr, ca.ClientConfig())
	c.Line()
	var got []string
	for i, m := range misplaced {
		tag := "t" + string(rune('a'+i))
		c.Send(tag + " " + m.cmd)
		got = append(got, strings.TrimPrefix(c.Until(tag+" "), tag+" "))
	}
	return got
}

// TestLibraryErrors pins the go-imap texts commandError replaces
// (command_errors.go): with a personality that sets none of its texts,
// each goes out as go-imap writes it, and every entry of the table is
// one of them. A go-imap whose texts changed makes it fail, instead of
// letting its own text reach the wire where the personality's was meant
// to be.
func TestLibraryErrors(t *testing.T) {
	t.Parallel()
	got := answers(t, mailauth.IMAPPersonality{Greeting: "pin", Mechanisms: []string{"XOAUTH2"}})
	for i, m := range misplaced {
		if m.lib != "" && got[i] != m.lib {
			t.Errorf("%s: go-imap answered %q, want %q", m.cmd, got[i], m.lib)
		}
	}
	for _, lib := range imap.LibraryErrors() {
		re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(lib), `\*`, ".+") + "$")
		if !slices.ContainsFunc(got, re.MatchString) {
			t.Errorf("go-imap no longer writes %q (it wrote %q)", lib, got)
		}
	}
}

// TestExchangeCommandErrors: Exchange's texts in place of go-imap's
// (EX-09), "Unknown command" left as it is (Exchange's is NOT FOUND);
// Gmail's personality, silent on these, keeps go-imap's.
func TestExchangeCommandErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		p    mailauth.IMAPPersonality
		want func(lib, exchange string) string
	}{
		"microsoft": {microsoft.Personality().IMAP, func(_, ex string) string { return ex }},
		"google":    {google.Personality().IMAP, func(lib, _ string) string { return lib }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := answers(t, tc.p)
			for i, m := range misplaced {
				if want := tc.want(m.lib, m.exchange); want != "" && got[i] != want {
					t.Errorf("%s: %q, want %q", m.cmd, got[i], want)
				}
			}
		})
	}
}

// TestCommandBound: Exchange's bound on a command (MaxCommand, bound.go):
// a command of exactly that many bytes reaches go-imap, one byte more is
// not run and gets "Command Error. 10" (EX-09), and the session goes on
// with the next command, nothing of the cut line read as one; a
// non-synchronizing literal the cut line announces is dropped with it;
// a continuation line after a literal that passes the bound ends its
// command with the argument error.
func TestCommandBound(t *testing.T) {
	t.Parallel()
	p := microsoft.Personality().IMAP
	w, srv, ca := launch(t, func(c *imap.Config) { c.Personality = p })
	if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte("Subject: x\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	c := mailtest.Dial(t, srv.TLSAddr, ca.ClientConfig())
	c.Line()
	noop := func(tag string) {
		t.Helper()
		c.Send(tag + " NOOP")
		match(t, c.Line(), tag+` OK NOOP completed`)
	}
	// "a1 NOOP x...x\r\n": p.MaxCommand bytes in all, then one more.
	pad := strings.Repeat("x", p.MaxCommand-len("a1 NOOP \r\n"))
	c.Send("a1 NOOP " + pad)
	match(t, c.Line(), `a1 BAD Command Argument Error\. 11`)
	c.Send("a2 NOOP " + pad + "x")
	match(t, c.Line(), `a2 BAD Command Error\. 10`)
	noop("a3")
	c.Send("a4 AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	match(t, c.Line(), `a4 OK AUTHENTICATE completed\.`)
	c.Send("a5 SELECT INBOX")
	match(t, c.Until("a5 "), `a5 OK .*`)
	// EX-09's 40,000-character UID SEARCH; a shorter one is run.
	c.Send("a6 UID SEARCH" + strings.Repeat(" UID 1", 40000/6))
	match(t, c.Line(), `a6 BAD Command Error\. 10`)
	noop("a7")
	c.Send("a8 UID SEARCH" + strings.Repeat(" UID 1", 30000/6))
	match(t, c.Line(), `\* SEARCH 1`)
	match(t, c.Line(), `a8 OK UID SEARCH completed`)
	// The cut line's literal never reaches the mailbox, nor its lines
	// the library.
	c.Send(`a9 APPEND INBOX (` + strings.Repeat(`\Seen `, 7000) + `) {21+}` + "\r\nSubject: y\r\n\r\nbody\r\n")
	match(t, c.Line(), `a9 BAD Command Error\. 10`)
	noop("a10")
	c.Send("a11 STATUS INBOX (MESSAGES)")
	match(t, c.Line(), `\* STATUS INBOX \(MESSAGES 1\)`)
	c.Line()
	// A command whose line after a literal passes the bound.
	c.Send("a12 STATUS {5+}\r\nINBOX (MESSAGES" + strings.Repeat(" MESSAGES", 40000/9) + ")")
	match(t, c.Line(), `a12 BAD Command Argument Error\. 11`)
	noop("a13")
	// Sent in pieces, the line is cut all the same, with its tag.
	for i, piece := range []string{"a14 UID SEARCH", strings.Repeat(" UID 1", 3000), strings.Repeat(" UID 1", 4000), "\r\n"} {
		if _, err := c.Raw().Write([]byte(piece)); err != nil {
			t.Fatalf("piece %d: %v", i, err)
		}
	}
	match(t, c.Line(), `a14 BAD Command Error\. 10`)
	noop("a15")
}
