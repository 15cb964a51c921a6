package serve_test

import (
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestEventsLimitCopiesWhatItSends: a reader of the last 10 events of a
// full audit log costs those 10, not a copy of the whole log (1.4 MB of
// events).
func TestEventsLimitCopiesWhatItSends(t *testing.T) {
	inst := start(t)
	w := inst.Mocks.World
	for range world.MaxEvents + 10 {
		w.Record(world.Event{Provider: "google", Protocol: "smtp", Mechanism: "XOAUTH2", User: "alice@gmail.test", Outcome: "refused"})
	}
	n := allocated(t, inst.Manifest.AdminURL+"/api/events?limit=10")
	t.Logf("GET /api/events?limit=10 of %d events: %d bytes allocated", world.MaxEvents, n)
	if n > 256<<10 {
		t.Errorf("reading 10 events of %d allocated %d bytes", world.MaxEvents, n)
	}
}
