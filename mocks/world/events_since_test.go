package world_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestEventsSince: EventsSince is the window of Events after since, its
// last limit, also once the log is a ring.
func TestEventsSince(t *testing.T) {
	t.Parallel()
	w := world.New()
	start := w.Clock.Now()
	for i := range world.MaxEvents + 25 {
		w.Clock.Advance(time.Second)
		w.Record(world.Event{Provider: google.Name, Reason: fmt.Sprint(i)})
	}
	all := w.Events()
	for _, tc := range []struct {
		since time.Time
		limit int
		want  []world.Event
	}{
		{time.Time{}, 0, all},
		{time.Time{}, 3, all[len(all)-3:]},
		{all[100].Time, 0, all[101:]},
		{all[100].Time, 5, all[len(all)-5:]},
		{all[len(all)-1].Time, 0, []world.Event{}},
		{start, world.MaxEvents + 1, all},
	} {
		if got := w.EventsSince(tc.since, tc.limit); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("EventsSince(%v, %d): %d events, want %d", tc.since, tc.limit, len(got), len(tc.want))
		}
	}
}
