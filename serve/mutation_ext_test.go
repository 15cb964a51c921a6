package serve_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
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

// TestSnapshotsKeepSixteen: snapshots are snap-1, snap-2... (docs/serve.md);
// after MaxSnapshots+1 of them the second is still kept, the first is not.
func TestSnapshotsKeepSixteen(t *testing.T) {
	inst := start(t)
	for i := range serve.MaxSnapshots + 1 {
		if _, snap := postJSON(t, inst, "/api/snapshots", nil); snap["id"] != "snap-"+strconv.Itoa(i+1) {
			t.Fatalf("snapshot %d: id %v", i+1, snap["id"])
		}
	}
	if status, out := postJSON(t, inst, "/api/reset", url.Values{"snapshot": {"snap-2"}}); status != http.StatusOK {
		t.Fatalf("reset to the oldest kept, snap-2: HTTP %d %v", status, out)
	}
	if status, _ := postJSON(t, inst, "/api/reset", url.Values{"snapshot": {"snap-1"}}); status != http.StatusNotFound {
		t.Fatalf("reset to the forgotten snap-1: HTTP %d", status)
	}
}
