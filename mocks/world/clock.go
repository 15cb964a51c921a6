package world

import (
	"sync"
	"time"
)

// Clock is the world's time: the real time plus an offset that only grows.
// Scenarios move it forward instead of sleeping; every expiry in the world
// (codes, tokens, device codes, secrets) is measured against it.
type Clock struct {
	mu     sync.RWMutex
	offset time.Duration
}

// Now returns the world's current time.
func (c *Clock) Now() time.Time {
	return time.Now().Add(c.Offset())
}

// Offset returns how far the world's time is ahead of the real time.
func (c *Clock) Offset() time.Duration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.offset
}

// MaxOffset bounds how far the world's time may run ahead of the real
// time: a century, so that it stays a sane instant (a time.Duration
// overflows after 292 years, and the world would wrap into the past).
const MaxOffset = 100 * 365 * 24 * time.Hour

// Advance moves the world's time forward by d, at most to MaxOffset ahead
// of the real time; it reports whether all of d was applied. A negative d
// is ignored: the world's time never goes back.
func (c *Clock) Advance(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > MaxOffset-c.offset {
		c.offset = MaxOffset
		return false
	}
	c.offset += d
	return true
}
