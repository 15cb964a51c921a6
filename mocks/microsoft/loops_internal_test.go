package microsoft

import (
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestLoopGuard (M-14): loopLimit requests of a key in a window pass, the
// next is refused, and so is every one until the key has been quiet for
// loopQuiet; a key's window starts again after loopWindow; another key is
// not affected; reset forgets every count.
func TestLoopGuard(t *testing.T) {
	t.Parallel()
	g := newLoopGuard()
	contoso := world.Realm{Provider: Name, Tenant: "contoso"}
	app := world.Client{ID: "app"}
	alice, bob := world.Account{Email: "alice@contoso.test", Realm: contoso}, world.Account{Email: "bob@contoso.test", Realm: contoso}
	k := keyOf(app, alice, "refresh_token")
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range loopLimit {
		if g.refuses(k, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("request %d refused", i+1)
		}
	}
	last := t0.Add(loopLimit * time.Second)
	if !g.refuses(k, last) {
		t.Fatalf("request %d passed", loopLimit+1)
	}
	if g.refuses(keyOf(app, bob, "refresh_token"), last) || g.refuses(keyOf(app, alice, "password"), last) ||
		g.refuses(keyOf(world.Client{ID: "other"}, alice, "refresh_token"), last) {
		t.Fatal("another user, grant type or application was refused")
	}
	// Refused, the key's window no longer moves: only quiet clears it.
	last = last.Add(loopQuiet - time.Second)
	if !g.refuses(k, last) {
		t.Fatal("a request before loopQuiet of quiet passed")
	}
	if g.refuses(k, last.Add(loopQuiet)) {
		t.Fatal("a request after loopQuiet of quiet was refused")
	}
	// Requests spread over windows never trip it.
	k2 := keyOf(app, bob, "authorization_code")
	for i := range 10 * loopLimit {
		if g.refuses(k2, t0.Add(time.Duration(i)*loopWindow/loopLimit)) {
			t.Fatalf("request %d at %d a window refused", i+1, loopLimit)
		}
	}
	g.reset()
	if len(g.counts) != 0 {
		t.Fatalf("%d counts kept after reset", len(g.counts))
	}
}

// TestLoopGuardBounded: the guard keeps every key up to loopKeys, and at
// most loopKeys; quiet keys go first, then the quietest, and the busiest
// key's count stays.
func TestLoopGuardBounded(t *testing.T) {
	t.Parallel()
	g := newLoopGuard()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	busy := loopKey{0xff}
	for range loopLimit {
		g.refuses(busy, t0.Add(time.Hour))
	}
	for i := range 2 * loopKeys {
		g.refuses(loopKey{byte(i), byte(i >> 8), 1}, t0.Add(time.Duration(i)*time.Millisecond))
		if i == loopKeys-2 && len(g.counts) != loopKeys {
			t.Fatalf("%d keys kept of %d, none quiet, below the bound", len(g.counts), loopKeys)
		}
	}
	if len(g.counts) > loopKeys || len(g.counts) <= loopKeys*3/4 {
		t.Fatalf("%d keys kept, want at most %d and more than %d", len(g.counts), loopKeys, loopKeys*3/4)
	}
	newest := 2*loopKeys - 1
	if _, ok := g.counts[loopKey{0, 0, 1}]; ok {
		t.Fatal("the quietest key was kept")
	}
	if _, ok := g.counts[loopKey{byte(newest), byte(newest >> 8), 1}]; !ok {
		t.Fatal("the newest key was dropped")
	}
	if !g.refuses(busy, t0.Add(time.Hour)) {
		t.Fatal("the busiest key's count was dropped")
	}
	// Past loopQuiet, every kept key is quiet: the next sweep drops them
	// all, and only the new keys are left.
	fresh := loopKeys - len(g.counts) + 1
	for i := range fresh {
		g.refuses(loopKey{byte(i), byte(i >> 8), 2}, t0.Add(2*time.Hour))
	}
	if len(g.counts) != fresh {
		t.Fatalf("%d keys kept after a quiet spell, want %d", len(g.counts), fresh)
	}
}
