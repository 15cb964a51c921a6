package authserver

import (
	"context"
	"hash/maphash"
	"slices"
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
	codes   map[key]entry
	access  map[key]entry
	tokens  map[key]entry // refresh tokens
	pkce    map[key]entry
	oidc    map[key]entry      // by authorization code
	family  map[string]*family // by fosite request id
	devices map[string]*deviceGrant
	byUser  map[string]string   // user code -> device code signature
	held    map[string][]string // user and client -> request ids holding a refresh token, oldest first

	recs      records            // the records entries point to
	intern    interned           // clients and scope lists, one copy each
	never     []fosite.TokenType // kinds of token fosite expires whose lifespan is Never
	forget    time.Duration      // how long an ended or expired entry is remembered
	lastSweep time.Time          // world time of the last sweep
	created   int                // entries created since the last sweep
}

// key is what a code or token is filed under: two seeded 64-bit hashes of
// its signature, held in the map itself. A world keeps hundreds of
// thousands of tokens; filed by value under such keys, with their record
// by number (records), they are no objects of their own and hold no
// pointer: the collector does not look into those maps at all, where a
// string key, an entry pointer and a record pointer made three pointers a
// token. Two signatures sharing a key would need a 128-bit collision of
// hashes seeded at random per process, and fosite checks each token's
// HMAC against its own signature besides.
type key struct{ a, b uint64 }

var keySeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// keyOf is the key of the signature sig.
func keyOf(sig string) key {
	return key{maphash.String(keySeeds[0], sig), maphash.String(keySeeds[1], sig)}
}

// entry is a stored code or token: the record of the request it was
// issued for, its own times (world time, to the nanosecond: 8 bytes each
// rather than a time.Time's 24, for a world keeps thousands of entries),
// and whether it is still usable. Maps hold entries by value: a change is
// written back.
type entry struct {
	at      stamp // when the request was made (fosite's RequestedAt)
	expires stamp // zero: never
	ended   stamp // when it was revoked or used up; zero while active
	used    stamp // when a refresh token was last used; zero: never
	ref     ref   // its record
	active  bool  // 40 bytes in all
}

// stamp is a world time in Unix nanoseconds; zero is no time.
type stamp int64

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return 0
	}
	return stamp(t.UnixNano())
}

// time is the stamp as a time.Time (UTC), or the zero time.
func (s stamp) time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(s)).UTC()
}

// touchRefresh notes that the refresh token sig was just used.
func (s *store) touchRefresh(sig string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := keyOf(sig)
	if e, ok := s.tokens[k]; ok {
		e.used = stampOf(s.world.Clock.Now())
		s.tokens[k] = e
	}
}

// end marks e unusable from now on.
func (e *entry) end(now time.Time) {
	if e.active {
		e.active, e.ended = false, stampOf(now)
	}
}

// family is every code and token issued under one grant (one fosite
// request id), and the record its newest entries share.
type family struct {
	code            key // the code's; zero for other grants
	access, refresh []key
	rec             *record
	ref             ref // rec's
}

// ref is the number of a record in store.recs; zero: none.
type ref uint32

// records numbers the records entries point to. A number stays taken
// until a sweep finds no entry and no family using it.
type records struct {
	all  []*record // by ref-1; nil: free
	free []ref
}

// add numbers rec.
func (t *records) add(rec *record) ref {
	if n := len(t.free); n > 0 {
		r := t.free[n-1]
		t.free = t.free[:n-1]
		t.all[r-1] = rec
		return r
	}
	t.all = append(t.all, rec)
	return ref(len(t.all))
}

// get is the record numbered r, nil for zero.
func (t *records) get(r ref) *record {
	if r == 0 {
		return nil
	}
	return t.all[r-1]
}

// keep frees every number used is false for (used[r-1]).
func (t *records) keep(used []bool) {
	for i, u := range used {
		if !u && t.all[i] != nil {
			t.all[i] = nil
			t.free = append(t.free, ref(i+1))
		}
	}
}

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
		codes:     map[key]entry{},
		access:    map[key]entry{},
		tokens:    map[key]entry{},
		pkce:      map[key]entry{},
		oidc:      map[key]entry{},
		intern:    newInterned(),
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
	s.codes, s.access, s.tokens = map[key]entry{}, map[key]entry{}, map[key]entry{}
	s.pkce, s.oidc = map[key]entry{}, map[key]entry{}
	s.intern, s.recs = newInterned(), records{}
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

// newEntry is the entry of a code or token of kind issued for r, in the
// world's time, sharing its family's record when it can. fosite gives
// every token an expiry; a kind whose lifespan is Never loses it here.
func (s *store) newEntry(r fosite.Requester, kind fosite.TokenType) entry {
	d := s.world.Clock.Offset()
	e := entry{at: stampOf(r.GetRequestedAt().Add(d)), active: true}
	if exp := r.GetSession().GetExpiresAt(kind); !exp.IsZero() && !slices.Contains(s.never, kind) {
		e.expires = stampOf(exp.Add(d))
	}
	f := s.family[r.GetID()]
	switch {
	case f == nil:
		e.ref = s.recs.add(s.newRecord(r, kind, nil))
	case f.rec.same(r, kind):
		e.ref = f.ref
	default:
		e.ref = s.recs.add(s.newRecord(r, kind, f.rec))
	}
	return e
}

// share makes the record r its family's; a code already exchanged now
// shares it too (what a used code is asked about, its id, client and
// redirect URI, is the same in the token request that used it).
func (s *store) share(f *family, r ref) {
	if f.ref == r {
		return
	}
	rec := s.recs.get(r)
	f.rec, f.ref = rec, r
	if c, ok := s.codes[f.code]; ok && !c.active {
		if old := s.recs.get(c.ref); old.id == rec.id && old.formValue("redirect_uri") == rec.formValue("redirect_uri") {
			c.ref = r
			s.codes[f.code] = c
		}
	}
}

// read returns the request of e in real time and hydrates into, the
// session fosite passed, with its session: fosite validates expiry against
// that session right after the read ("for the session to be hydrated
// properly"), as a database-backed store would fill it. Expiries fosite
// already set on into (the new access token's) are kept.
func (s *store) read(ctx context.Context, e *entry, kind fosite.TokenType, into fosite.Session) fosite.Requester {
	r := s.request(ctx, e, kind)
	if dst, ok := into.(*Session); ok && dst != nil {
		src := r.Session.(*Session)
		dst.User, dst.Offline = src.User, src.Offline
		if dst.Claims == nil {
			dst.Claims, dst.Headers = src.Claims, src.Headers
		}
		for _, x := range src.expires {
			if dst.GetExpiresAt(x.kind).IsZero() {
				dst.SetExpiresAt(x.kind, x.at)
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
	k, e := keyOf(sig), s.newEntry(r, fosite.AuthorizeCode)
	s.codes[k] = e
	f := s.familyOf(r.GetID())
	f.code, f.rec, f.ref = k, s.recs.get(e.ref), e.ref
	return nil
}

// GetAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage. A used
// code comes back with fosite.ErrInvalidatedAuthorizeCode and its request,
// so that fosite revokes what was issued with it (RFC 6749 §4.1.2).
func (s *store) GetAuthorizeCodeSession(ctx context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepIfStale()
	e, ok := s.codes[keyOf(sig)]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	if !e.active {
		return s.read(ctx, &e, fosite.AuthorizeCode, into), fosite.ErrInvalidatedAuthorizeCode
	}
	return s.read(ctx, &e, fosite.AuthorizeCode, into), nil
}

// InvalidateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (s *store) InvalidateAuthorizeCodeSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := keyOf(sig)
	e, ok := s.codes[k]
	if !ok {
		return fosite.ErrNotFound
	}
	e.end(s.world.Clock.Now())
	s.codes[k] = e
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
	k, e := keyOf(sig), s.newEntry(r, fosite.AccessToken)
	s.access[k] = e
	f := s.familyOf(r.GetID())
	f.access = append(f.access, k)
	s.share(f, e.ref)
	return nil
}

// GetAccessTokenSession implements oauth2.AccessTokenStorage. A revoked
// token comes back with fosite.ErrInactiveToken.
func (s *store) GetAccessTokenSession(ctx context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(ctx, s.access, fosite.AccessToken, sig, into)
}

func (s *store) get(ctx context.Context, m map[key]entry, kind fosite.TokenType, sig string, into fosite.Session) (fosite.Requester, error) {
	s.sweepIfStale()
	e, ok := m[keyOf(sig)]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	if !e.active {
		return s.read(ctx, &e, kind, into), fosite.ErrInactiveToken
	}
	return s.read(ctx, &e, kind, into), nil
}

// DeleteAccessTokenSession implements oauth2.AccessTokenStorage.
func (s *store) DeleteAccessTokenSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.access, keyOf(sig))
	return nil
}

// CreateRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *store) CreateRefreshTokenSession(_ context.Context, sig, _ string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due()
	k, e := keyOf(sig), s.newEntry(r, fosite.RefreshToken)
	s.tokens[k] = e
	f := s.familyOf(r.GetID())
	f.refresh = append(f.refresh, k)
	s.share(f, e.ref)
	return nil
}

// GetRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *store) GetRefreshTokenSession(ctx context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(ctx, s.tokens, fosite.RefreshToken, sig, into)
}

// DeleteRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *store) DeleteRefreshTokenSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, keyOf(sig))
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
	s.revoke(s.tokens, []key{keyOf(sig)})
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
	for _, m := range []map[key]entry{s.codes, s.access, s.tokens} {
		for k, e := range m {
			if rec := s.recs.get(e.ref); e.active && rec.session != nil && rec.client != nil && match(rec.session.User, rec.client.id) {
				e.end(now)
				m[k] = e
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
		if rec := s.recs.get(e.ref); rec.session != nil && rec.client != nil && strings.EqualFold(rec.session.User, user) {
			id := rec.client.id
			out[id] = out[id] || (e.active && !e.expiredBefore(now))
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

// revoke ends the entries of m filed under keys.
func (s *store) revoke(m map[key]entry, keys []key) {
	now := s.world.Clock.Now()
	for _, k := range keys {
		if e, ok := m[k]; ok && e.active {
			e.end(now)
			m[k] = e
		}
	}
}

// GetPKCERequestSession implements pkce.PKCERequestStorage.
func (s *store) GetPKCERequestSession(ctx context.Context, sig string, into fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.pkce[keyOf(sig)]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return s.read(ctx, &e, fosite.AuthorizeCode, into), nil
}

// CreatePKCERequestSession implements pkce.PKCERequestStorage.
func (s *store) CreatePKCERequestSession(_ context.Context, sig string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due()
	s.pkce[keyOf(sig)] = s.newEntry(r, fosite.AuthorizeCode)
	return nil
}

// DeletePKCERequestSession implements pkce.PKCERequestStorage.
func (s *store) DeletePKCERequestSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pkce, keyOf(sig))
	return nil
}

// CreateOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *store) CreateOpenIDConnectSession(_ context.Context, code string, r fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oidc[keyOf(code)] = s.newEntry(r, fosite.AuthorizeCode)
	return nil
}

// GetOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *store) GetOpenIDConnectSession(ctx context.Context, code string, into fosite.Requester) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.oidc[keyOf(code)]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return s.read(ctx, &e, fosite.AuthorizeCode, into.GetSession()), nil
}

// DeleteOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *store) DeleteOpenIDConnectSession(_ context.Context, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.oidc, keyOf(code))
	return nil
}

// Authenticate implements fosite's ResourceOwnerPasswordCredentialsGrantStorage:
// every name passes here, the token endpoint having checked the user with
// the profile (Profile.Password) before fosite issues anything.
func (s *store) Authenticate(_ context.Context, name, _ string) (string, error) { return name, nil }
