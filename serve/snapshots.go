package serve

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// MaxSnapshots is how many snapshots serve keeps: taking one more forgets
// the oldest, whose id then answers 404 at POST /api/reset.
const MaxSnapshots = 16

// snapshots are the snapshots taken with POST /api/snapshots, oldest
// first.
type snapshots struct {
	mu   sync.Mutex
	next int
	kept []keptSnapshot
}

type keptSnapshot struct {
	id   string
	snap *mocks.Snapshot
}

// add keeps snap and returns its id.
func (s *snapshots) add(snap *mocks.Snapshot) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := "snap-" + strconv.Itoa(s.next)
	s.kept = append(s.kept, keptSnapshot{id, snap})
	if len(s.kept) > MaxSnapshots {
		s.kept = s.kept[1:]
	}
	return id
}

// get is the snapshot of id, or nil.
func (s *snapshots) get(id string) *mocks.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.kept {
		if k.id == id {
			return k.snap
		}
	}
	return nil
}

// takeSnapshot is POST /api/snapshots: the world as it is now (mocks.Server.Snapshot), for POST
// /api/reset with snapshot=ID.
func (a *admin) takeSnapshot(w http.ResponseWriter, _ *http.Request) {
	id := a.snaps.add(a.m.Snapshot())
	a.m.World.Record(world.Event{Provider: "world", Protocol: "admin", Mechanism: "snapshot", Outcome: "ok", Reason: id})
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "clock": clockOf(a.m.World)})
}

// resetTo is POST /api/reset ([snapshot], form, query or JSON): back to
// that snapshot (mocks.Server.ResetTo), or without one to the world serve
// started with.
func (a *admin) resetTo(w http.ResponseWriter, r *http.Request) {
	id, err := snapshotParam(w, r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	if id == "" {
		a.reset(w, r)
		return
	}
	snap := a.snaps.get(id)
	if snap == nil {
		writeJSON(w, http.StatusNotFound, apiError{"no such snapshot: " + id + " (serve keeps the last " + strconv.Itoa(MaxSnapshots) + ")"})
		return
	}
	start := time.Now()
	a.m.ResetTo(snap)
	a.m.World.Record(world.Event{Provider: "world", Protocol: "admin", Mechanism: "reset", Outcome: "ok", Reason: "to " + id})
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "snapshot": id, "took_ms": float64(time.Since(start).Microseconds()) / 1000})
}

// snapshotParam is the snapshot a reset names: the form's or query's
// snapshot, or a JSON body's; an empty body names none.
func snapshotParam(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var in struct {
			Snapshot string `json:"snapshot"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
			return "", errors.New("the JSON body: " + err.Error())
		}
		if in.Snapshot != "" {
			return in.Snapshot, nil
		}
		return r.URL.Query().Get("snapshot"), nil
	}
	if err := r.ParseForm(); err != nil {
		return "", errors.New("the form could not be parsed")
	}
	return r.Form.Get("snapshot"), nil
}
