package trackdechets_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/trackdechets"
)

// heapAfter is the live heap once the collector ran.
func heapAfter() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestHeldTransactionKeepsNoJunk: a transaction held between the dialog's
// two steps keeps what the grant needs, not its request: 30 KB of junk
// parameters cost a transaction under 4 KB (35 KB before); the transaction still
// completes with its state.
func TestHeldTransactionKeepsNoJunk(t *testing.T) {
	f := start(t)
	f.signIn(f.hc)
	query := trackdechets.AuthorizePath + authorizeQuery("the-state") + "&junk=" + strings.Repeat("x", 30<<10)
	const n = 200
	ids := make([]string, n)
	before := heapAfter()
	for i := range ids {
		resp, body := f.do(f.hc, http.MethodGet, query, nil, "")
		var tx struct{ TransactionID string }
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &tx) != nil {
			t.Fatalf("authorize: %d %s", resp.StatusCode, body)
		}
		ids[i] = tx.TransactionID
	}
	per := (int64(heapAfter()) - int64(before)) / n
	t.Logf("%d bytes each", per)
	if per > 4<<10 {
		t.Errorf("a held transaction costs %d bytes", per)
	}
	resp, _ := f.do(f.hc, http.MethodPost, trackdechets.DecisionPath, form, "transaction_id="+ids[n-1])
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "code=") || !strings.Contains(loc, "state=the-state") {
		t.Errorf("decision: %d %s", resp.StatusCode, loc)
	}
}
