package serve_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// allocated is how many bytes the process allocated while get read the
// reply of u to its end.
func allocated(t *testing.T, u string) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %d bytes, %v", u, resp.StatusCode, n, err)
	}
	return after.TotalAlloc - before.TotalAlloc
}

// getJSON decodes the reply of u into v and returns its text.
func getJSON(t *testing.T, u string, v any) string {
	t.Helper()
	status, body := call(t, http.MethodGet, u, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v in %.200s", u, err, body)
	}
	return body
}

// TestMessagesStreamed: a mailbox's delivery log is the same JSON as the
// messages themselves (HTML characters, non-ASCII text and bytes that are
// not UTF-8 included, a raw text longer than a chunk), not HTML-escaped;
// reading 8 MB of "<" allocates less than twice the raw text (66 times
// before; under -race, where sync.Pool keeps nothing, about 1.2 times, 0.02
// without); limit and since keep the last messages.
func TestMessagesStreamed(t *testing.T) {
	inst := start(t)
	w := inst.Mocks.World
	a := inst.Manifest.AdminURL
	const bob = "bob@gmail.test"
	raws := []string{
		"Subject: <b>&</b>\r\n\r\nnaïve ☃ " + strings.Repeat("é", 40000) + "\xff\xe2\x82",
		"Subject: two\r\n\r\n" + strings.Repeat("\u2028<>&", 20000),
	}
	for _, raw := range raws {
		if err := w.Deliver("alice@gmail.test", []string{bob}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	want := w.Messages(bob)
	var got []world.Message
	body := getJSON(t, a+"/api/messages?mailbox="+bob, &got)
	if len(got) != 2 || strings.Contains(body, `\u003c`) {
		t.Fatalf("%d messages, %.100s", len(got), body)
	}
	if !reflect.DeepEqual(got, roundTrip(t, want)) {
		t.Errorf("the messages differ from their JSON")
	}
	got = nil
	getJSON(t, a+"/api/messages?limit=1&mailbox="+bob, &got)
	if len(got) != 1 || got[0].Subject != "two" {
		t.Errorf("limit=1: %d messages", len(got))
	}
	got = nil
	getJSON(t, a+"/api/messages?mailbox="+bob+"&since="+url.QueryEscape(want[1].Time.Format(time.RFC3339Nano)), &got)
	if len(got) != 0 {
		t.Errorf("since the last one: %d messages", len(got))
	}
	for _, q := range []string{"limit=0", "limit=x", "since=yesterday"} {
		if status, body := call(t, http.MethodGet, a+"/api/messages?mailbox="+bob+"&"+q, nil); status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}

	const size = 8 << 20
	const carol = "carol@gmail.test"
	if err := w.Deliver("alice@gmail.test", []string{carol}, []byte("Subject: x\r\n\r\n"+strings.Repeat("<", size))); err != nil {
		t.Fatal(err)
	}
	n := allocated(t, a+"/api/messages?mailbox="+carol)
	if n > 2*size {
		t.Errorf("reading a message of %d bytes allocated %d bytes", size, n)
	}
}

// TestEventsStreamed: the audit log is the same JSON as the events, not
// HTML-escaped; reading a full log allocates less than four times its
// text (58 times before; under -race about 2.6 times, 0.6 without); limit
// and since keep the last events.
func TestEventsStreamed(t *testing.T) {
	inst := start(t)
	w := inst.Mocks.World
	a := inst.Manifest.AdminURL
	reason := strings.Repeat("<", world.MaxEventField)
	for range world.MaxEvents {
		w.Record(world.Event{Provider: "google", Protocol: "smtp", Mechanism: "XOAUTH2", User: "alice@gmail.test", Outcome: "refused", Reason: reason})
	}
	want := w.Events()
	var got []world.Event
	body := getJSON(t, a+"/api/events", &got)
	if !reflect.DeepEqual(got, roundTrip(t, want)) || strings.Contains(body, `\u003c`) {
		t.Fatalf("%d events, %.200s", len(got), body)
	}
	got = nil
	getJSON(t, a+"/api/events?limit=2&since="+url.QueryEscape(want[len(want)-4].Time.Format(time.RFC3339Nano)), &got)
	if !reflect.DeepEqual(got, roundTrip(t, want[len(want)-2:])) {
		t.Errorf("limit=2: %d events", len(got))
	}
	if status, body := call(t, http.MethodGet, a+"/api/events?limit=-1", nil); status != http.StatusBadRequest {
		t.Errorf("limit=-1: %d %s", status, body)
	}
	text := 0
	for _, e := range want {
		text += len(e.Provider + e.Protocol + e.Mechanism + e.User + e.Client + e.Outcome + e.Reason)
	}
	n := allocated(t, a+"/api/events")
	if n > 4*uint64(text) {
		t.Errorf("reading %d events (%d bytes of text) allocated %d bytes", len(want), text, n)
	}
}

// roundTrip is v as encoding/json writes it and reads it back.
func roundTrip[T any](t *testing.T, v []T) []T {
	t.Helper()
	b, err := json.Marshal(v)
	var out []T
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}
