package authserver

import "slices"

// PendingUserCodes are the user codes of client's pending device
// authorizations (neither decided nor expired), sorted: what the user
// would read on the application's screen, for a harness that plays the
// user of an application it cannot read.
func (s *Server) PendingUserCodes(client string) []string {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	now := s.world.Clock.Now()
	var out []string
	for _, g := range s.store.devices {
		if g.client == client && g.status == devicePending && !now.After(g.expires) {
			out = append(out, g.userCode)
		}
	}
	slices.Sort(out)
	return out
}
