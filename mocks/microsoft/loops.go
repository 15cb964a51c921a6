package microsoft

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Entra's loop detection (M-14): repeated token requests of one user at
// one application in a short window (ROPC in a loop, a refresh loop) are answered AADSTS50196 until the
// application has sent none for about two minutes (pnp/powershell#2995).
// The limit and the window are NOT FOUND; these are [INF], chosen so that
// an application that caches its tokens never meets them: more than
// loopLimit requests within loopWindow of world time.
const (
	// loopLimit is how many token requests of one key a window takes;
	// the next is refused [INF].
	loopLimit = 20
	// loopWindow is the window the requests are counted in [INF].
	loopWindow = 60 * time.Second
	// loopQuiet is how long without a request clears a refused key
	// (M-14: "clears after about 2 minutes of waiting").
	loopQuiet = 2 * time.Minute
	// loopKeys bounds the keys kept; beyond it the quiet ones are
	// dropped, then the ones quiet longest.
	loopKeys = 4096
)

// loopKey names what is counted: a user (their home tenant and object
// id) at an application (its id), by grant type. It is a digest: nothing
// of a request is kept but its count and times.
type loopKey [16]byte

// keyOf is the loopKey of user's grantType requests at client.
func keyOf(client world.Client, user world.Account, grantType string) loopKey {
	sum := sha256.Sum256([]byte(user.Realm.Tenant + "\x00" + objectID(user) + "\x00" + client.ID + "\x00" + grantType))
	var k loopKey
	copy(k[:], sum[:])
	return k
}

// loopCount is a key's window: when it started, the latest request and
// how many it had. A count above loopLimit is a refused key: its window
// no longer moves until it is quiet for loopQuiet.
type loopCount struct {
	start, last time.Time
	n           int
}

// loopGuard is the loop detection's state, reset with the world.
type loopGuard struct {
	mu     sync.Mutex
	counts map[loopKey]loopCount
}

// newLoopGuard returns a guard that has seen no request.
func newLoopGuard() *loopGuard { return &loopGuard{counts: map[loopKey]loopCount{}} }

// reset forgets every count (the world's reset).
func (g *loopGuard) reset() {
	g.mu.Lock()
	g.counts = map[loopKey]loopCount{}
	g.mu.Unlock()
}

// refuses counts a request of k at now and reports whether loop
// detection refuses it.
func (g *loopGuard) refuses(k loopKey, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.counts[k]
	if !ok || now.Sub(c.last) >= loopQuiet {
		g.room(now)
		c = loopCount{start: now}
	} else if c.n <= loopLimit && now.Sub(c.start) >= loopWindow {
		c = loopCount{start: now}
	}
	c.n++
	c.last = now
	g.counts[k] = c
	return c.n > loopLimit
}

// room makes room for one more key when loopKeys are kept: it drops the
// keys quiet for loopQuiet (they count as new), then the quietest until
// a quarter of the room is free, so that a full guard sorts once per
// loopKeys/4 new keys.
func (g *loopGuard) room(now time.Time) {
	if len(g.counts) < loopKeys {
		return
	}
	kept := make([]loopKey, 0, len(g.counts))
	for k, c := range g.counts {
		if now.Sub(c.last) >= loopQuiet {
			delete(g.counts, k)
			continue
		}
		kept = append(kept, k)
	}
	if len(kept) <= loopKeys*3/4 {
		return
	}
	slices.SortFunc(kept, func(a, b loopKey) int { return g.counts[a].last.Compare(g.counts[b].last) })
	for _, k := range kept[:len(kept)-loopKeys*3/4] {
		delete(g.counts, k)
	}
}

// loopRefusal is AADSTS50196 for user's grantType token request at the
// call's application when it is one too many (M-14), else nil. Device
// code polls are not counted: the 2019 50196 of a device polling at its
// interval was a service bug, fixed (M-05), and a poll early is 70016.
// Client credentials are not counted either: every recorded 50196 is a
// user's [INF]. Nor are code redemptions: each needs a sign-in of its
// own, and a test suite minting a fresh token per case (Provider.Mint,
// /api/tokens, --approve-as) must not meet a loop it did not make [INF];
// the refresh and ROPC loops are the application's.
func (p profile) loopRefusal(c authserver.Call, user world.Account, grantType string) *authserver.Failure {
	if p.loops.refuses(keyOf(c.Client, user, grantType), c.Now) {
		return refusal(50196, vars{})
	}
	return nil
}
