package world

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultWorld(t *testing.T) {
	w := Default()
	for _, name := range []string{"web", "other-web", "desktop", "tv"} {
		if _, ok := w.ClientNamed("google", name); !ok {
			t.Errorf("default world lacks the Google %q client", name)
		}
	}
	web, _ := w.ClientNamed("google", "web")
	if web.Type != Web || len(web.RedirectURIs) != 1 || web.RedirectURIs[0] != "http://localhost:3017/" {
		t.Errorf("web client %+v, want seed 001's http://localhost:3017/", web)
	}
	if got := len(w.Accounts("google")); got != 2 {
		t.Errorf("%d Google users, want 2", got)
	}
	if _, ok := w.Account("google", "ALICE@gmail.test"); !ok {
		t.Error("account look-up is not case-insensitive")
	}
}

func TestLoadRejects(t *testing.T) {
	cases := map[string]string{
		"unknown key":   "providers:\n  google:\n    clients:\n      - {name: x, id: y, type: web, colour: red}\n",
		"unknown type":  "providers:\n  google:\n    clients:\n      - {name: x, id: y, type: mainframe}\n",
		"no id":         "providers:\n  google:\n    clients:\n      - {name: x, type: web}\n",
		"bad email":     "providers:\n  google:\n    users:\n      - {email: alice}\n",
		"not a mapping": "- 1\n- 2\n",
	}
	for name, doc := range cases {
		if _, err := Load(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
	if _, err := Load(strings.NewReader("")); err != nil {
		t.Errorf("empty document: %v", err)
	}
	if _, err := LoadFile("../../testdata/world/google.yaml"); err != nil {
		t.Errorf("testdata world: %v", err)
	}
}

func TestConsent(t *testing.T) {
	w := New()
	if w.Consented("google", "a@x.test", "c", nil) {
		t.Fatal("consented before any grant")
	}
	w.GrantConsent("google", "A@x.test", "c", []string{"s1"})
	if !w.Consented("google", "a@x.test", "c", []string{"s1"}) {
		t.Fatal("grant not remembered (case-insensitively)")
	}
	if w.Consented("google", "a@x.test", "c", []string{"s1", "s2"}) {
		t.Fatal("consent to s1 counted for s2")
	}
	if w.Consented("google", "a@x.test", "other", []string{"s1"}) {
		t.Fatal("consent leaked to another client")
	}
}

func TestClockOnlyMovesForward(t *testing.T) {
	var c Clock
	before := c.Now()
	c.Advance(time.Hour)
	c.Advance(-2 * time.Hour)
	if d := c.Now().Sub(before); d < time.Hour || d > time.Hour+time.Minute {
		t.Fatalf("clock moved %v, want about an hour", d)
	}
}

func TestEventsAreBounded(t *testing.T) {
	w := New()
	for i := range MaxEvents + 5 {
		w.Record(Event{Provider: "google", Reason: string(rune('a' + i%26))})
	}
	ev := w.Events()
	if len(ev) != MaxEvents {
		t.Fatalf("%d events kept, want %d", len(ev), MaxEvents)
	}
	if ev[len(ev)-1].Reason != string(rune('a'+(MaxEvents+4)%26)) {
		t.Fatal("the newest event was not kept")
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(string(DefaultYAML()))
	f.Add("providers: {google: {clients: [{id: a, type: web}]}}")
	f.Fuzz(func(t *testing.T, doc string) {
		w, err := Load(strings.NewReader(doc))
		if err == nil && w == nil {
			t.Fatal("nil world without error")
		}
	})
}
