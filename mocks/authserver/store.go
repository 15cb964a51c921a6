package authserver

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// store is fosite's storage for one provider: codes, tokens, PKCE requests
// and device grants, in memory. fosite reads time.Now(); the world has its
// own clock. The store is where the two meet: what fosite hands it is
// shifted into the world's time when stored and back into real time when
// read, so a token stored an hour of world time ago looks an hour old to
// fosite even though no real time passed.
type store struct {
	world   *world.World
	clients func(ctx context.Context, id string) (fosite.Client, error)
	refresh RefreshPolicy

	mu      sync.Mutex
	codes   map[string]*entry
	access  map[string]*entry
	tokens  map[string]*entry // refresh tokens
	pkce    map[string]fosite.Requester
	oidc    map[string]fosite.Requester // by authorization code hash
	family  map[string]*family          // by fosite request id
	devices map[string]*deviceGrant
	byUser  map[string]string   // user code -> device code signature
	held    map[string][]string // user and client -> request ids holding a refresh token, oldest first

	never     []fosite.TokenType // kinds of token fosite expires whose lifespan is Never
	forget    time.Duration      // how long an ended or expired entry is remembered
	lastSweep time.Time          // world time of the last sweep
	created   int                // entries created since the last sweep
}

// entry is a stored code or token: the request it was issued for, in world
// time, and whether it is still usable.
type entry struct {
	req    fosite.Requester
	active bool
	ended  time.Time // world time it was revoked or used up; zero while active
	used   time.Time // world time a refresh token was last used; zero: never
}

// touchRefresh notes that the refresh token sig was just used.
func (s *store) touchRefresh(sig string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.tokens[sig]; e != nil {
		e.used = s.world.Clock.Now()
	}
}

// end marks e unusable from now on.
func (e *entry) end(now time.Time) {
	if e.active {
		e.active, e.ended = false, now
	}
}

// family is every token issued under one grant (one fosite request id).
type family struct{ access, refresh []string }

func newStore(w *world.World, clients func(context.Context, string) (fosite.Client, error), p Profile) *store {
	forget := p.Forget
	if forget <= 0 {
		forget = 24 * time.Hour
	}
	// fosite sets the expiry of codes and access tokens itself; refresh
	// tokens get theirs from the grant (Server.grant).
	var never []fosite.TokenType
	for kind, d := range map[fosite.TokenType]time.Duration{fosite.AuthorizeCode: p.CodeLifespan,
		fosite.AccessToken: p.AccessTokenLifespan} {
		if d == Never {
			never = append(never, kind)
		}
	}
	return &store{
		never:     never,
		forget:    forget,
		lastSweep: w.Clock.Now(),
		world:     w,
		clients:   clients,
		refresh:   p.Refresh,
		codes:     map[string]*entry{},
		access:    map[string]*entry{},
		tokens:    map[string]*entry{},
		pkce:      map[string]fosite.Requester{},
		oidc:      map[string]fosite.Requester{},
		family:    map[string]*family{},
		devices:   map[string]*deviceGrant{},
		byUser:    map[string]string{},
		held:      map[string][]string{},
	}
}

// reset forgets every stored code, token and grant.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes, s.access, s.tokens = map[string]*entry{}, map[string]*entry{}, map[string]*entry{}
	s.pkce, s.oidc = map[string]fosite.Requester{}, map[string]fosite.Requester{}
	s.family, s.devices = map[string]*family{}, map[string]*deviceGrant{}
	s.byUser, s.held = map[string]string{}, map[string][]string{}
	s.lastSweep, s.created = s.world.Clock.Now(), 0
}

// handedOut notes that the grant requestID of user and client gave the
// client a refresh token; beyond max such grants, the oldest grant's
// refresh tokens are revoked (max 0: no bound).
func (s *store) handedOut(user, client, requestID string, max int) {
	if max <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := user + "\x00" + client
	held := append(s.held[k], requestID)
	for len(held) > max {
		s.revoke(s.tokens, s.familyOf(held[0]).refresh)
		held = held[1:]
	}
	s.held[k] = held
}

// shifted returns a copy of r whose times are moved by d.
func shifted(r fosite.Requester, d time.Duration) fosite.Requester {
	form := r.GetRequestForm()
	c := r.Sanitize(keys(form)).(*fosite.Request)
	c.Form = maps.Clone(form)
	c.RequestedAt = c.RequestedAt.Add(d)
	if s, ok := r.GetSession().(*Session); ok {
		cs := s.Clone().(*Session)
		cs.shift(d)
		c.Session = cs
	}
	return c
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// toWorld returns a copy of r in the world's time. fosite gives every
// token an expiry; a kind whose lifespan is Never loses it here.
func (s *store) toWorld(r fosite.Requester) fosite.Requester {
	c := shifted(r, s.world.Clock.Offset())
	if sess, ok := c.GetSession().(*Session); ok {
		for _, kind := range s.never {
			delete(sess.ExpiresAt, kind)
		}
	}
	return c
}

func (s *store) toReal(r fosite.Requester) fosite.Requester {
	return shifted(r, -s.world.Clock.Offset())
}

// read returns the stored request in real time and hydrates into, the
// session fosite passed, with its session: fosite validates expiry against
// that session right after the read ("for the session to be hydrated
// properly"), as a database-backed store would fill it. Expiries fosite
// already set on into (the new access token's) are kept.
func (s *store) read(stored fosite.Requester, into fosite.Session) fosite.Requester {
	r := s.toReal(stored)
	if dst, ok := into.(*Session); ok && dst != nil {
		if src, ok := r.GetSession().(*Session); ok {
			dst.User, dst.Offline = src.User, src.Offline
			if dst.Claims == nil {
				dst.Claims, dst.Headers = src.Claims, src.Headers
			}
			for k, t := range src.ExpiresAt {
				if _, set := dst.ExpiresAt[k]; !set {
					dst.SetExpiresAt(k, t)
				}
			}
		}
	}
	return r
}

// GetClient implements fosite.ClientManager.
func (s *store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	return s.clients(ctx, id)
}

// ClientAssertionJWTValid implements fosite.ClientManager; mailoauth clients
// do not authenticate with JWT assertions, so no JTI is ever known.
func (s *store) ClientAssertionJWTValid(context.Context, string) error { return nil }

// SetClientAssertionJWT implements fosite.ClientManager.
func (s *store) SetClientAssertionJWT(context.Context, string, time.Time) error { return nil }

// CreateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (s *store) CreateAuthorizeCodeSession(_ context.Context, sig string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due()
	s.codes[sig] = &entry{req: s.toWorld(r), active: true}
	return nil
}

// GetAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage. A used
// code comes back with fosite.ErrInvalidatedAuthorizeCode and its request,
// so that fosite revokes what was issued with it (RFC 6749 §4.1.2).
func (s *store) GetAuthorizeCodeSession(_ context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepIfStale()
	e, ok := s.codes[sig]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	if !e.active {
		return s.read(e.req, into), fosite.ErrInvalidatedAuthorizeCode
	}
	return s.read(e.req, into), nil
}

// InvalidateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (s *store) InvalidateAuthorizeCodeSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.codes[sig]
	if !ok {
		return fosite.ErrNotFound
	}
	e.end(s.world.Clock.Now())
	return nil
}

func (s *store) familyOf(id string) *family {
	f := s.family[id]
	if f == nil {
		f = &family{}
		s.family[id] = f
	}
	return f
}

// CreateAccessTokenSession implements oauth2.AccessTokenStorage.
func (s *store) CreateAccessTokenSession(_ context.Context, sig string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due()
	s.access[sig] = &entry{req: s.toWorld(r), active: true}
	f := s.familyOf(r.GetID())
	f.access = append(f.access, sig)
	return nil
}

// GetAccessTokenSession implements oauth2.AccessTokenStorage. A revoked
// token comes back with fosite.ErrInactiveToken.
func (s *store) GetAccessTokenSession(_ context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(s.access, sig, into)
}

func (s *store) get(m map[string]*entry, sig string, into fosite.Session) (fosite.Requester, error) {
	s.sweepIfStale()
	e, ok := m[sig]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	if !e.active {
		return s.read(e.req, into), fosite.ErrInactiveToken
	}
	return s.read(e.req, into), nil
}

// DeleteAccessTokenSession implements oauth2.AccessTokenStorage.
func (s *store) DeleteAccessTokenSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.access, sig)
	return nil
}

// CreateRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *store) CreateRefreshTokenSession(_ context.Context, sig, _ string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due()
	s.tokens[sig] = &entry{req: s.toWorld(r), active: true}
	f := s.familyOf(r.GetID())
	f.refresh = append(f.refresh, sig)
	return nil
}

// GetRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *store) GetRefreshTokenSession(_ context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(s.tokens, sig, into)
}

// DeleteRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *store) DeleteRefreshTokenSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, sig)
	return nil
}

// RotateRefreshToken implements oauth2.RefreshTokenStorage: what happens to
// the used refresh token and its access tokens when a new pair is issued is
// the provider's refresh policy.
func (s *store) RotateRefreshToken(_ context.Context, requestID, sig string) error {
	if !s.refresh.RevokeUsed {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.tokens[sig]; ok {
		e.end(s.world.Clock.Now())
	}
	s.revoke(s.access, s.familyOf(requestID).access)
	return nil
}

// RevokeRefreshToken implements oauth2.TokenRevocationStorage: every refresh
// token of the grant stops working.
func (s *store) RevokeRefreshToken(_ context.Context, requestID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoke(s.tokens, s.familyOf(requestID).refresh)
	return nil
}

// revokeGrants ends every code, access token and refresh token that user
// granted to client.
func (s *store) revokeGrants(user, client string) {
	s.revokeWhere(func(u, c string) bool { return strings.EqualFold(u, user) && c == client })
	s.mu.Lock()
	delete(s.held, user+"\x00"+client)
	s.mu.Unlock()
}

// revokeWhere ends every code, access token and refresh token whose user
// and client match.
func (s *store) revokeWhere(match func(user, client string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.world.Clock.Now()
	for _, m := range []map[string]*entry{s.codes, s.access, s.tokens} {
		for _, e := range m {
			sess, _ := e.req.GetSession().(*Session)
			if sess != nil && match(sess.User, e.req.GetClient().GetID()) {
				e.end(now)
			}
		}
	}
}

// authorizations maps each client holding an access token of user (still
// remembered) to whether one of them is live.
func (s *store) authorizations(user string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.world.Clock.Now()
	out := map[string]bool{}
	for _, e := range s.access {
		if sess, ok := e.req.GetSession().(*Session); ok && strings.EqualFold(sess.User, user) {
			id := e.req.GetClient().GetID()
			out[id] = out[id] || (e.active && !expiredBefore(e.req, fosite.AccessToken, now))
		}
	}
	return out
}

// RevokeRefreshTokenMaybeGracePeriod implements oauth2.TokenRevocationStorage.
func (s *store) RevokeRefreshTokenMaybeGracePeriod(ctx context.Context, requestID, _ string) error {
	return s.RevokeRefreshToken(ctx, requestID)
}

// RevokeAccessToken implements oauth2.TokenRevocationStorage: every access
// token of the grant stops working.
func (s *store) RevokeAccessToken(_ context.Context, requestID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoke(s.access, s.familyOf(requestID).access)
	return nil
}

func (s *store) revoke(m map[string]*entry, sigs []string) {
	now := s.world.Clock.Now()
	for _, sig := range sigs {
		if e, ok := m[sig]; ok {
			e.end(now)
		}
	}
}

// GetPKCERequestSession implements pkce.PKCERequestStorage.
func (s *store) GetPKCERequestSession(_ context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.pkce[sig]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return s.read(r, into), nil
}

// CreatePKCERequestSession implements pkce.PKCERequestStorage.
func (s *store) CreatePKCERequestSession(_ context.Context, sig string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due()
	s.pkce[sig] = s.toWorld(r)
	return nil
}

// DeletePKCERequestSession implements pkce.PKCERequestStorage.
func (s *store) DeletePKCERequestSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pkce, sig)
	return nil
}

// CreateOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *store) CreateOpenIDConnectSession(_ context.Context, code string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oidc[deviceKey(code)] = s.toWorld(r)
	return nil
}

// GetOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *store) GetOpenIDConnectSession(_ context.Context, code string, into fosite.Requester) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.oidc[deviceKey(code)]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return s.read(r, into.GetSession()), nil
}

// DeleteOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *store) DeleteOpenIDConnectSession(_ context.Context, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.oidc, deviceKey(code))
	return nil
}
