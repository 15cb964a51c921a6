package serve_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
	"github.com/mailoauth/mailoauth/serve"
)

// TestEventLinesCarryBothTimes: an event line says when it was written
// ("time", the real clock) and when it happened in the world
// ("world_time", which /api/clock moves).
func TestEventLinesCarryBothTimes(t *testing.T) {
	var buf lockedBuffer
	w := mocks.DefaultWorld()
	inst, err := serve.Start(serve.Config{World: w, StateDir: t.TempDir(), Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(context.Background())
	w.Clock.Advance(72 * time.Hour)
	w.Record(world.Event{Provider: "google", Protocol: "smtp", Outcome: "ok"})
	var line struct {
		Msg       string    `json:"msg"`
		Time      time.Time `json:"time"`
		WorldTime time.Time `json:"world_time"`
	}
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if err := json.Unmarshal([]byte(l), &line); err == nil && line.Msg == "event" {
			break
		}
	}
	if line.Msg != "event" {
		t.Fatalf("no event line:\n%s", buf.String())
	}
	if ahead := line.WorldTime.Sub(line.Time); ahead < 71*time.Hour || ahead > 73*time.Hour {
		t.Errorf("world_time %s is %s from time %s, want the clock's 72h offset", line.WorldTime, ahead, line.Time)
	}
}
