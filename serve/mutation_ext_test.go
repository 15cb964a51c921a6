package serve_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDeliverExactlyTheLimit: POST /api/messages takes a message of
// exactly 10 MB and answers 413 for one byte more.
func TestDeliverExactlyTheLimit(t *testing.T) {
	inst := start(t)
	head := "Subject: big\r\n\r\n"
	raw := head + strings.Repeat("a", 10<<20-len(head))
	if status, out := postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"alice@gmail.test"}, "raw": {raw}}); status != http.StatusOK {
		t.Fatalf("a message of exactly 10 MB: HTTP %d %v", status, out["error"])
	}
	if status, out := postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"alice@gmail.test"}, "raw": {raw + "a"}}); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("a message of 10 MB and a byte: HTTP %d %v", status, out["error"])
	}
}
