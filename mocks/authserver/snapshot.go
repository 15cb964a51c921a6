package authserver

import (
	"maps"
	"slices"
	"time"
)

// Grants are an authorization server's codes, tokens, PKCE and OpenID
// Connect requests and device grants at one moment (Server.Grants), to go
// back to with Server.RestoreGrants: a code or token issued before it
// works again after, as it did then; one issued after it is unknown.
type Grants struct{ state storeState }

// storeState is what a store holds beside its configuration.
type storeState struct {
	codes, access, tokens, pkce, oidc map[key]entry
	family                            map[string]*family
	devices                           map[string]*deviceGrant
	byUser                            map[string]string
	held                              map[string][]string
	recs                              records
	intern                            interned
	lastSweep                         time.Time
	created                           int
}

// Grants copies what the server issued so far.
func (s *Server) Grants() *Grants {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return &Grants{state: s.store.state().clone()}
}

// RestoreGrants puts back what the server had issued at g (taken from
// this server): what was issued since is forgotten, what was used or
// revoked since works again. Held transactions, browser sessions and the
// provider's own state (OnReset) are dropped, as Reset does.
func (s *Server) RestoreGrants(g *Grants) {
	s.Reset()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.setState(g.state.clone())
}

// state is the store's state, shared with the store. The caller holds
// s.mu.
func (s *store) state() storeState {
	return storeState{codes: s.codes, access: s.access, tokens: s.tokens, pkce: s.pkce, oidc: s.oidc,
		family: s.family, devices: s.devices, byUser: s.byUser, held: s.held, recs: s.recs, intern: s.intern,
		lastSweep: s.lastSweep, created: s.created}
}

// setState makes st the store's state. The caller holds s.mu.
func (s *store) setState(st storeState) {
	s.codes, s.access, s.tokens, s.pkce, s.oidc = st.codes, st.access, st.tokens, st.pkce, st.oidc
	s.family, s.devices, s.byUser, s.held = st.family, st.devices, st.byUser, st.held
	s.recs, s.intern, s.lastSweep, s.created = st.recs, st.intern, st.lastSweep, st.created
}

// clone is a copy of st that shares nothing the store changes: entries
// are values, records and interned values never change once made, and
// families and device grants are copied.
func (st storeState) clone() storeState {
	out := st
	out.codes, out.access, out.tokens = maps.Clone(st.codes), maps.Clone(st.access), maps.Clone(st.tokens)
	out.pkce, out.oidc = maps.Clone(st.pkce), maps.Clone(st.oidc)
	out.family = make(map[string]*family, len(st.family))
	for id, f := range st.family {
		c := *f
		c.access, c.refresh = slices.Clone(f.access), slices.Clone(f.refresh)
		out.family[id] = &c
	}
	out.devices = make(map[string]*deviceGrant, len(st.devices))
	for k, g := range st.devices {
		c := *g
		c.scopes = slices.Clone(g.scopes)
		out.devices[k] = &c
	}
	out.byUser = maps.Clone(st.byUser)
	out.held = make(map[string][]string, len(st.held))
	for k, ids := range st.held {
		out.held[k] = slices.Clone(ids)
	}
	out.recs = records{all: slices.Clone(st.recs.all), free: slices.Clone(st.recs.free)}
	out.intern = interned{clients: maps.Clone(st.intern.clients), lists: maps.Clone(st.intern.lists)}
	return out
}
