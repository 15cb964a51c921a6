package imap

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// TestResponsesGoOutWhole: the untagged lines of a response, literals
// included, go out with its tagged line, in order and nothing lost; a
// continuation request, what follows it until the tagged line, and a BYE
// (but LOGOUT's) go out at once; a response longer than maxHeld goes out in pieces.
func TestResponsesGoOutWhole(t *testing.T) {
	t.Parallel()
	r := &replies{c: &mailconn.Conn{}}
	steps := []struct{ line, out string }{
		{"* 2 EXISTS\r\n", ""},
		{"* 1 FETCH (BODY[] {14}\r\n", ""},
		{"a OK done\r\n", ""}, // inside the literal: its first 11 bytes
		{"x\r\n", ""},
		{")\r\n", ""},
		{"b OK FETCH completed\r\n", "* 2 EXISTS\r\n* 1 FETCH (BODY[] {14}\r\na OK done\r\nx\r\n)\r\nb OK FETCH completed\r\n"},
		// An empty literal, then one that ends inside a line which
		// announces another.
		{"* 5 FETCH (BODY[TEXT] {0}\r\n", ""},
		{")\r\n", ""},
		{"* 6 FETCH (BODY[HEADER] {2}\r\n", ""},
		{"ab BODY[TEXT] {12}\r\n", ""},
		{"cc OK done\r\n", ""},
		{")\r\n", ""},
		{"f OK FETCH completed\r\n", "* 5 FETCH (BODY[TEXT] {0}\r\n)\r\n* 6 FETCH (BODY[HEADER] {2}\r\nab BODY[TEXT] {12}\r\ncc OK done\r\n)\r\nf OK FETCH completed\r\n"},
		{"+ idling\r\n", "+ idling\r\n"},
		{"* 3 EXISTS\r\n", "* 3 EXISTS\r\n"},
		{"c OK IDLE completed\r\n", "c OK IDLE completed\r\n"},
		{"* 4 EXISTS\r\n", ""},
		{"* BYE Too many bad commands\r\n", "* 4 EXISTS\r\n* BYE Too many bad commands\r\n"},
		{"* BYE Logging out\r\n", ""},
		{"d OK LOGOUT completed\r\n", "* BYE Logging out\r\nd OK LOGOUT completed\r\n"},
	}
	for _, s := range steps {
		if out, _ := r.rewrite([]byte(s.line)); string(out) != s.out {
			t.Fatalf("after %q: wrote %q, want %q", s.line, out, s.out)
		}
	}
	var wrote bytes.Buffer
	line := "* SEARCH " + strings.Repeat("1 ", 500) + "\r\n"
	for range 200 {
		out, _ := r.rewrite([]byte(line))
		wrote.Write(out)
	}
	if held := 200*len(line) - wrote.Len(); held > maxHeld {
		t.Fatalf("%d bytes of a long response held, want at most %d", held, maxHeld)
	}
	out, _ := r.rewrite([]byte("e OK SEARCH completed\r\n"))
	if wrote.Write(out); wrote.Len() != 200*len(line)+len("e OK SEARCH completed\r\n") {
		t.Fatalf("%d bytes went out in all", wrote.Len())
	}
}

// FuzzReplies: whatever lines go-imap writes, the rewriter (with no texts
// of a personality to put in) writes them all, in order, and holds none
// once a tagged line outside a literal went out.
func FuzzReplies(f *testing.F) {
	f.Add([]byte("* 1 FETCH (BODY[] {5}\r\nab\r\n\r\n)\r\na OK done\r\n"))
	f.Add([]byte("+ idling\r\n* 2 EXISTS\r\nb OK IDLE completed\r\n* BYE Logging out\r\nc OK LOGOUT completed\r\n"))
	f.Add([]byte("* SEARCH 1 {3+}\r\n{0}\r\nx\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &replies{c: &mailconn.Conn{}}
		var wrote []byte
		for rest := data; len(rest) > 0; {
			i := bytes.Index(rest, []byte("\r\n"))
			if i < 0 {
				break
			}
			line := rest[:i+2]
			rest = rest[i+2:]
			within := r.inLiteral > 0 || r.afterLiteral
			out, _ := r.rewrite(line)
			wrote = append(wrote, out...)
			if !within && line[0] != '*' && line[0] != '+' && len(r.held) > 0 {
				t.Fatalf("after the tagged line %q, %d bytes held", line, len(r.held))
			}
		}
		whole := data[:0]
		if i := bytes.LastIndex(data, crlf); i >= 0 {
			whole = data[:i+2]
		}
		if got := append(wrote, r.held...); !bytes.Equal(got, whole) {
			t.Fatalf("wrote %q, want %q", got, whole)
		}
	})
}
