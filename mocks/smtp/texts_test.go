package smtp

import (
	"testing"

	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// TestRepliesGoOutWhole: the lines of a multi-line reply go out with its
// last line, in order; a one-line reply and the STARTTLS go-ahead at once.
func TestRepliesGoOutWhole(t *testing.T) {
	t.Parallel()
	rewrite := (&Server{}).rewriter(&mailconn.Conn{})
	steps := []struct {
		line, out string
		last      bool
	}{
		{"250-Hello client.test\r\n", "", false},
		{"250-PIPELINING\r\n", "", false},
		{"250 STARTTLS\r\n", "250-Hello client.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n", false},
		{"220 2.0.0 Ready to start TLS\r\n", "220 2.0.0 Ready to start TLS\r\n", true},
		{"250 2.0.0 OK\r\n", "250 2.0.0 OK\r\n", false},
	}
	for _, s := range steps {
		if out, last := rewrite([]byte(s.line)); string(out) != s.out || last != s.last {
			t.Fatalf("after %q: wrote %q (last %v), want %q (%v)", s.line, out, last, s.out, s.last)
		}
	}
}
