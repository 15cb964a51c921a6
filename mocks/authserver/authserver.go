// Package authserver is the provider-neutral OAuth 2.0 authorization server
// of mailoauth, built on ory/fosite: authorization code with PKCE, refresh,
// client credentials, revocation (RFC 7009), introspection (RFC 7662) and
// the device flow (RFC 8628, as fosite handlers). A provider package gives it
// a Profile (token shapes, lifetimes, grant rules, error answers) and mounts
// its endpoints, putting the realm of each request (a tenant, or none) in
// the request's context; the core reads and changes only the world.
package authserver

import (
	"context"
	"crypto/rand"
	"errors"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/hmac"
	"github.com/ory/fosite/token/jwt"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// maxFormBytes bounds the body of every form the server reads.
const maxFormBytes = 64 << 10

// placeholderLifespan is what fosite is told of a lifespan that is Never
// (it adds lifespans to the time); the store then drops that expiry.
const placeholderLifespan = time.Hour

// Server is one provider's authorization server.
type Server struct {
	world    *world.World
	profile  Profile
	store    *store
	strategy *strategy
	idTokens *openid.DefaultStrategy
	config   *fosite.Config
	keys     keyring
	oauth    fosite.OAuth2Provider
	pages    *pages
	cookies  *signIns
	held     transactions
	baseURL  string
	onReset  []func()
}

func lifespan(d time.Duration) time.Duration {
	if d == Never {
		return placeholderLifespan
	}
	return d
}

// New builds the authorization server of profile over w.
func New(w *world.World, profile Profile) *Server {
	s := &Server{world: w, profile: profile, keys: keyring{shared: profile.SharedKeys}}
	s.store = newStore(w, s.fositeClient, profile)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	cfg := &fosite.Config{
		AccessTokenLifespan: lifespan(profile.AccessTokenLifespan),
		// The refresh token's expiry is set on the session when the grant
		// is resolved; -1 keeps fosite from replacing it.
		RefreshTokenLifespan:  -1,
		AuthorizeCodeLifespan: lifespan(profile.CodeLifespan),
		GlobalSecret:          secret,
		// The profile decides who gets a refresh token (Grant.Offline); an
		// empty list makes fosite issue one to every client allowed the
		// refresh grant, and the token writer withholds it when it must.
		RefreshTokenScopes:             []string{},
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		EnablePKCEPlainChallengeMethod: profile.PKCEPlain,
		AudienceMatchingStrategy:       fosite.DefaultAudienceMatchingStrategy,
		ClientAuthenticationStrategy:   s.authenticateClient,
		ClientSecretsHasher:            sha256Hasher{},
	}
	if profile.Scopes == nil {
		cfg.ScopeStrategy = func([]string, string) bool { return true }
	}
	h := &hmac.HMACStrategy{Config: cfg}
	s.strategy = &strategy{
		code:    s.newMinter(profile.Tokens.Code, h),
		access:  s.newMinter(profile.Tokens.Access, h),
		refresh: s.newMinter(profile.Tokens.Refresh, h),
	}
	s.config = cfg
	s.idTokens = &openid.DefaultStrategy{Signer: idTokenSigner{&jwt.DefaultSigner{GetPrivateKey: s.privateKey}}, Config: cfg}
	common := &compose.CommonStrategy{CoreStrategy: s.strategy, OpenIDConnectTokenStrategy: s.idTokens}
	factories := []compose.Factory{
		// First: the checks that give each refusal its typed cause.
		func(fosite.Configurator, any, any) any { return &grantCheck{server: s} },
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2PKCEFactory,
	}
	if profile.Password != nil {
		// Deprecated by fosite as OAuth 2.1 drops the grant; Entra still
		// answers it (M-11), so its fake must.
		//lint:ignore SA1019 a provider that still has ROPC is faked with it
		factories = append(factories, compose.OAuth2ResourceOwnerPasswordCredentialsFactory)
	}
	if profile.Device != nil {
		factories = append(factories, func(cfg fosite.Configurator, _ any, _ any) any {
			return &deviceGrantHandler{server: s, config: cfg}
		})
	}
	s.oauth = compose.Compose(cfg, s.store, common, factories...)
	for i, h := range cfg.TokenEndpointHandlers {
		cfg.TokenEndpointHandlers[i] = ifHandled{h}
	}
	s.pages = newPages(profile.DisplayName)
	s.cookies = newSignIns("mailoauth_" + profile.Name + "_sid")
	return s
}

// ifHandled asks a token endpoint handler whether it handles a request
// before asking it to answer: fosite asks every handler to answer, and
// each that does not handle the request says so with an error carrying a
// stack trace, which cost a refresh as much as its HMACs.
type ifHandled struct{ fosite.TokenEndpointHandler }

// PopulateTokenEndpointResponse implements fosite.TokenEndpointHandler.
func (h ifHandled) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	return h.TokenEndpointHandler.PopulateTokenEndpointResponse(ctx, r, resp)
}

// Reset forgets every code, token, device grant, held transaction and
// browser session, as if none had been issued (the world's reset); the
// signing keys stay, so clients' cached keys still verify.
func (s *Server) Reset() {
	s.store.reset()
	s.held.mu.Lock()
	s.held.m = nil
	s.held.mu.Unlock()
	s.cookies.reset()
	for _, f := range s.onReset {
		f()
	}
}

// OnReset adds f to what Reset does: a provider's own state beside the
// world.
func (s *Server) OnReset(f func()) { s.onReset = append(s.onReset, f) }

// World returns the world the server reads and changes.
func (s *Server) World() *world.World { return s.world }

// Realm returns the world's realm of a request realm.
func (s *Server) Realm(realm string) world.Realm {
	return world.Realm{Provider: s.profile.Name, Tenant: realm}
}

// call is the Call of an HTTP request about client.
func (s *Server) call(r *http.Request, client world.Client) Call {
	c := Call{Client: client, Now: s.world.Clock.Now(), Request: r}
	if r != nil {
		c.Realm = RealmOf(r.Context())
	}
	return c
}

// findClient looks a client up the profile's way.
func (s *Server) findClient(c Call, id string) (world.Client, *Failure) {
	if s.profile.FindClient != nil {
		return s.profile.FindClient(c, id)
	}
	reg, ok := s.world.Client(s.Realm(c.Realm), id)
	if !ok {
		return world.Client{}, &Failure{Kind: UnknownClient, Detail: id}
	}
	return reg, nil
}

// FindAccount looks a user up the profile's way.
func (s *Server) FindAccount(c Call, email string) (world.Account, bool) {
	if s.profile.FindAccount != nil {
		return s.profile.FindAccount(c, email)
	}
	return s.world.Account(s.Realm(c.Realm), email)
}

// TokenReason says why an access token is not active.
type TokenReason string

// The reasons a token is not active; the values are the audit log's words.
const (
	// TokenUnknown is a token the server never issued, a refresh token, or
	// one that does not verify.
	TokenUnknown TokenReason = "unknown"
	// TokenExpired is a token past its expiry by the world's clock.
	TokenExpired TokenReason = "expired"
	// TokenRevoked is a revoked token, or one of a revoked grant.
	TokenRevoked TokenReason = "revoked"
)

// TokenInfo is what the server knows of an access token.
type TokenInfo struct {
	// Active is false for an unknown, expired or revoked token; Reason then
	// says which (empty for an active one), and for an expired or revoked
	// one User, Client and Expiry still say whose it was.
	Active bool
	Reason TokenReason
	User   string
	Client string
	Scopes []string
	// Claims are the grant's claims (Grant.Claims).
	Claims map[string]any
	// Expiry is in the world's time; zero for a token that never expires.
	Expiry time.Time
}

// Introspect looks an access token up, as a resource server does before it
// serves a request (fosite's introspection, RFC 7662 semantics). ctx
// carries the realm whose keys verify a JWT.
func (s *Server) Introspect(ctx context.Context, token string) TokenInfo {
	looked := newSession("")
	use, ar, err := s.oauth.IntrospectToken(ctx, token, fosite.AccessToken, looked)
	switch {
	case errors.Is(err, fosite.ErrTokenExpired):
		return s.inactive(ctx, token, TokenExpired, looked)
	case errors.Is(err, fosite.ErrInactiveToken):
		return s.inactive(ctx, token, TokenRevoked, looked)
	case err != nil || use != fosite.AccessToken:
		// fosite falls back to refresh tokens; one never opens a resource.
		return TokenInfo{Reason: TokenUnknown}
	}
	info := TokenInfo{Active: true, Client: ar.GetClient().GetID(), Scopes: ar.GetGrantedScopes()}
	if sess, ok := ar.GetSession().(*Session); ok {
		info.User, info.Claims = sess.User, maps.Clone(sess.Access) // the grant's own is shared
		if exp := sess.GetExpiresAt(fosite.AccessToken); !exp.IsZero() {
			info.Expiry = exp.Add(s.world.Clock.Offset())
		}
	}
	return info
}

// Revoke revokes token (access or refresh) and every token of its grant,
// whichever client holds it. It reports whether the token was known and
// live.
func (s *Server) Revoke(ctx context.Context, token string) bool {
	for _, use := range []fosite.TokenUse{fosite.AccessToken, fosite.RefreshToken} {
		_, ar, err := s.oauth.IntrospectToken(ctx, token, use, newSession(""))
		if err != nil {
			continue
		}
		id := ar.GetID()
		_ = s.store.RevokeAccessToken(ctx, id)
		_ = s.store.RevokeRefreshToken(ctx, id)
		if sess, ok := ar.GetSession().(*Session); ok && s.profile.RevokeGrants && sess.User != "" {
			client := ar.GetClient().GetID()
			s.store.revokeGrants(sess.User, client)
			if acct, ok := s.FindAccount(Call{Realm: RealmOf(ctx), Now: s.world.Clock.Now()}, sess.User); ok {
				s.world.ForgetConsent(acct.Realm, acct.Email, client)
			}
		}
		return true
	}
	return false
}

// RevokeAccess ends every code and token user granted client and forgets
// the user's consent: what a user does in their account's list of
// applications with access (Trackdéchets' "Applications et API", T-06).
func (s *Server) RevokeAccess(user, client string) {
	s.store.revokeGrants(user, client)
	if acct, ok := s.FindAccount(Call{Now: s.world.Clock.Now()}, user); ok {
		s.world.ForgetConsent(acct.Realm, acct.Email, client)
	}
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: "revoke-access",
		User: user, Client: client, Outcome: "ok"})
}

// RevokeClient ends every code and token issued to client: what deleting
// its registration does.
func (s *Server) RevokeClient(client string) {
	s.store.revokeWhere(func(_, c string) bool { return c == client })
}

// RevokeUser ends every code and token user granted: what deleting the
// account does.
func (s *Server) RevokeUser(user string) {
	s.store.revokeWhere(func(u, _ string) bool { return u != "" && strings.EqualFold(u, user) })
}

// Authorizations lists the clients user was ever issued access tokens
// for, each with whether one of them is still usable (neither revoked nor
// expired).
func (s *Server) Authorizations(user string) map[string]bool {
	return s.store.authorizations(user)
}

// RevocationEndpoint is the RFC 7009 endpoint: an authenticated client
// revokes one of its tokens (fosite's handler; revoking either kind revokes
// the whole grant). Providers whose endpoint takes no client authentication
// build theirs on Revoke instead.
func (s *Server) RevocationEndpoint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ctx := r.Context()
	s.oauth.WriteRevocationResponse(ctx, w, s.oauth.NewRevocationRequest(ctx, r))
}

// IntrospectionEndpoint is the RFC 7662 endpoint: an authenticated client
// asks whether one of its tokens is active. Another client's token is
// answered inactive (§2.2: the server may decline to say), so a client
// learns nothing of tokens it was not issued.
func (s *Server) IntrospectionEndpoint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ctx := r.Context()
	ir, err := s.oauth.NewIntrospectionRequest(ctx, r, newSession(""))
	if err != nil {
		s.oauth.WriteIntrospectionError(ctx, w, err)
		return
	}
	if ar := ir.GetAccessRequester(); ar != nil && ar.GetClient() != nil && ar.GetClient().GetID() != presented(r, r.PostForm).id {
		s.writeJSON(w, http.StatusOK, map[string]any{"active": false}, nil)
		return
	}
	s.oauth.WriteIntrospectionResponse(ctx, w, ir)
}
