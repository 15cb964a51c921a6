package mocks

import (
	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Snapshot is a running world at one moment (Server.Snapshot): its
// registrations, accounts, consents and settings, the codes, tokens and
// device grants every provider issued, the delivered mail and the clock's
// offset.
type Snapshot struct {
	world  *world.Snapshot
	grants map[*Provider]*authserver.Grants
}

// Snapshot copies the world as it is now, for ResetTo: a suite obtains its
// tokens once, takes a snapshot, and goes back to it before each test.
func (s *Server) Snapshot() *Snapshot {
	snap := &Snapshot{world: s.World.Capture(), grants: map[*Provider]*authserver.Grants{}}
	for _, p := range s.order {
		snap.grants[p] = p.oauth.Grants()
	}
	return snap
}

// ResetTo puts the world back as it was at snap (a Snapshot of this
// server), as Reset does to the start: a refresh token issued before snap
// works again, even if it was used or revoked since; one issued after it
// is unknown. The audit log is emptied and faults disarmed; delivered
// messages are back in their INBOX, unread (World.Capture). A snapshot
// may be gone back to any number of times.
func (s *Server) ResetTo(snap *Snapshot) {
	s.World.Restore(snap.world)
	for _, p := range s.order {
		if g := snap.grants[p]; g != nil {
			p.oauth.RestoreGrants(g)
		} else {
			p.oauth.Reset()
		}
	}
}
