package world_test

import (
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestRecordCutsPastTheBoundOnly: a field or a Seen value of exactly
// MaxEventField bytes is kept whole; one byte more is cut to the bound,
// marked "…".
func TestRecordCutsPastTheBoundOnly(t *testing.T) {
	t.Parallel()
	w := world.New()
	exact, over := strings.Repeat("x", world.MaxEventField), strings.Repeat("y", world.MaxEventField+1)
	w.Record(world.Event{Detail: exact, Reason: over, Seen: map[string]string{"exact": exact, "over": over}})
	e := w.Events()[0]
	if e.Detail != exact || e.Seen["exact"] != exact {
		t.Errorf("a value of exactly %d bytes was changed: %q, %q", world.MaxEventField, e.Detail, e.Seen["exact"])
	}
	for _, got := range []string{e.Reason, e.Seen["over"]} {
		if want := over[:world.MaxEventField-len("…")] + "…"; got != want {
			t.Errorf("cut to %q, want %q", got, want)
		}
	}
}
