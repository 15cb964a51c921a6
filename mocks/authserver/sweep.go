package authserver

import (
	"slices"
	"time"
)

// sweepEvery bounds how much the store grows, in entries created or in
// world time, between two sweeps.
const (
	sweepEvery    = 4096
	sweepInterval = time.Minute
)

// due sweeps the store when enough was created or enough world time passed
// since the last sweep. Enough is sweepEvery entries, or half as many as
// the store holds if that is more: a sweep walks every entry, and a store
// of 100,000 live tokens swept every 4,096 would spend more time sweeping
// than serving. The caller holds s.mu.
func (s *store) due() {
	s.created++
	now := s.world.Clock.Now()
	if (s.created < sweepEvery || s.created < (len(s.codes)+len(s.access)+len(s.tokens))/2) &&
		now.Sub(s.lastSweep) < sweepInterval {
		return
	}
	s.sweep(now)
}

// sweepIfStale sweeps when world time moved on since the last sweep, so a
// look-up after "13 hours pass" sees what the provider would. The caller
// holds s.mu.
func (s *store) sweepIfStale() {
	if now := s.world.Clock.Now(); now.Sub(s.lastSweep) >= sweepInterval {
		s.sweep(now)
	}
}

// sweep forgets what has been expired or unusable for longer than the
// provider remembers it (Profile.Forget): after that it is answered as an
// unknown token (at Google, "Bad Request" instead of "Token has been
// expired or revoked.", G-07). It keeps a long-running serve from growing
// without end. The caller holds s.mu.
func (s *store) sweep(now time.Time) {
	s.created, s.lastSweep = 0, now
	horizon := now.Add(-s.forget)
	gone := func(m map[key]entry) {
		for k, e := range m {
			if (e.ended != 0 && e.ended.time().Before(horizon)) || e.expiredBefore(horizon) {
				delete(m, k)
			}
		}
	}
	for _, m := range []map[key]entry{s.codes, s.access, s.tokens, s.pkce, s.oidc} {
		gone(m)
	}
	for k, g := range s.devices {
		if g.expires.Before(horizon) {
			delete(s.devices, k)
			delete(s.byUser, g.userCode)
		}
	}
	for id, f := range s.family {
		f.access = slices.DeleteFunc(f.access, func(k key) bool { _, ok := s.access[k]; return !ok })
		f.refresh = slices.DeleteFunc(f.refresh, func(k key) bool { _, ok := s.tokens[k]; return !ok })
		if _, ok := s.codes[f.code]; !ok {
			f.code = key{}
		}
		if len(f.access) == 0 && len(f.refresh) == 0 && f.code == (key{}) {
			delete(s.family, id)
		}
	}
	used := make([]bool, len(s.recs.all))
	for _, m := range []map[key]entry{s.codes, s.access, s.tokens, s.pkce, s.oidc} {
		for _, e := range m {
			used[e.ref-1] = true
		}
	}
	for _, f := range s.family {
		if f.ref != 0 {
			used[f.ref-1] = true
		}
	}
	s.recs.keep(used)
	for k, ids := range s.held {
		ids = slices.DeleteFunc(ids, func(id string) bool { return s.family[id] == nil })
		if len(ids) == 0 {
			delete(s.held, k)
		} else {
			s.held[k] = ids
		}
	}
}

// expiredBefore reports whether e expired (in world time) before t.
func (e *entry) expiredBefore(t time.Time) bool {
	return e.expires != 0 && e.expires.time().Before(t)
}
