package imap

import (
	"bytes"
	"strconv"
	"testing"
)

// FuzzUnblocker: whatever a client sends, in whatever pieces, the
// unblocker never panics and hands the library nothing but the end of a
// line; a refused literal at the end of a piece is ended.
func FuzzUnblocker(f *testing.F) {
	f.Add([]byte("a LOGIN {999999999}\r\n"), 5)
	f.Add([]byte("a APPEND INBOX {10}\r\n0123{5000}\r\n\r\nb NOOP\r\n"), 3)
	f.Add([]byte("a LOGIN {5}\r\nalice {99999}\r\n"), 13)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		u := &unblocker{maxAppend: 1 << 20}
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		for _, piece := range [][]byte{data[:cut], data[cut:]} {
			if out := u.next(piece); out != nil && !bytes.Equal(out, []byte("\r\n")) {
				t.Fatalf("handed %q", out)
			}
		}
	})
}

func TestUnblocker(t *testing.T) {
	t.Parallel()
	u := &unblocker{maxAppend: 1 << 20}
	if out := u.next([]byte("a LOGIN {999999999}\r\n")); string(out) != "\r\n" {
		t.Fatalf("LOGIN past 4096: %q", out)
	}
	// An APPEND's literal is data: a line in it that looks like a refused
	// literal is not one.
	msg := "Subject: x\r\n\r\nb LOGIN {999999}\r\n"
	if out := u.next([]byte("c APPEND INBOX {" + itoa(len(msg)) + "}\r\n")); out != nil {
		t.Fatalf("APPEND: %q", out)
	}
	if out := u.next([]byte(msg)); out != nil {
		t.Fatalf("inside an APPEND literal: %q", out)
	}
	if out := u.next([]byte("\r\nd LOGIN {5000}\r\n")); string(out) != "\r\n" {
		t.Fatalf("after the APPEND: %q", out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestNonSynchronizingLiteral: a client's "{n+}" literal (RFC 7888) is
// data that comes without a "+": a line in it that looks like a refused
// literal is not one, whatever the command.
func TestNonSynchronizingLiteral(t *testing.T) {
	t.Parallel()
	u := &unblocker{maxAppend: 1 << 20}
	msg := "b LOGIN {999999}\r\n"
	if out := u.next([]byte("a LOGIN {" + itoa(len(msg)) + "+}\r\n")); out != nil {
		t.Fatalf("a non-synchronizing literal: %q", out)
	}
	if out := u.next([]byte(msg)); out != nil {
		t.Fatalf("inside it: %q", out)
	}
	for _, tc := range []struct {
		line string
		n    int64
		sync bool
	}{
		{"a LOGIN {5}\r\n", 5, true}, {"a LOGIN {5+}\r\n", 5, false}, {"a LOGIN {}\r\n", -1, false},
		{"a LOGIN {5x}\r\n", -1, false}, {"a LOGIN {1234567890}\r\n", 1234567890, true}, {"a LOGIN {12345678901}\r\n", -1, false}, {"a LOGIN 5}\r\n", -1, false},
		{"a LOGIN {5}", -1, false},
	} {
		if n, sync := literalOf([]byte(tc.line)); n != tc.n || sync != tc.sync {
			t.Errorf("literalOf(%q) = %d, %v; want %d, %v", tc.line, n, sync, tc.n, tc.sync)
		}
	}
}
