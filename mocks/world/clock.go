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

// Advance moves the world's time forward by d. A negative d is ignored:
// the world's time never goes back.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
