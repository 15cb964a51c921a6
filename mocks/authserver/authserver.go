// Package authserver is the provider-neutral OAuth 2.0 authorization server
// of mailoauth, built on ory/fosite: authorization code with PKCE, refresh,
// client credentials, revocation (RFC 7009), introspection (RFC 7662) and
// the device flow (RFC 8628, as fosite handlers). A provider package gives it
// a Profile (paths, token shapes, quirks, error texts) and mounts its
// endpoints; the core reads and changes only the world.
package authserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// maxFormBytes bounds the body of every form the server reads.
const maxFormBytes = 64 << 10

// Server is one provider's authorization server.
type Server struct {
	world    *world.World
	profile  Profile
	store    *store
	strategy *prefixedStrategy
	config   *fosite.Config
	signer   signer
	oauth    fosite.OAuth2Provider
	pages    *pages
	cookies  *signIns
}

// New builds the authorization server of profile over w.
func New(w *world.World, profile Profile) *Server {
	s := &Server{world: w, profile: profile}
	s.store = newStore(w, s.client, profile.Refresh, profile.Forget)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	cfg := &fosite.Config{
		AccessTokenLifespan: profile.AccessTokenLifespan,
		// The refresh token's expiry is set on the session when the user
		// grants access (refreshExpiry); -1 keeps fosite from replacing it.
		RefreshTokenLifespan:  -1,
		AuthorizeCodeLifespan: profile.CodeLifespan,
		GlobalSecret:          secret,
		ClientSecretsHasher:   sha256Hasher{},
		// The profile decides who gets a refresh token (Session.Offline);
		// an empty list makes fosite issue one to every client allowed the
		// refresh grant, and the token writer withholds it when it must.
		RefreshTokenScopes:             []string{},
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		EnablePKCEPlainChallengeMethod: profile.PKCEPlain,
		AudienceMatchingStrategy:       fosite.DefaultAudienceMatchingStrategy,
	}
	if profile.Scopes == nil {
		cfg.ScopeStrategy = func([]string, string) bool { return true }
	}
	strategy := &prefixedStrategy{
		HMACSHAStrategyUnPrefixed: compose.NewOAuth2HMACStrategy(cfg).HMACSHAStrategyUnPrefixed,
		format:                    profile.Tokens,
	}
	s.config = cfg
	common := &compose.CommonStrategy{
		CoreStrategy:               strategy,
		OpenIDConnectTokenStrategy: compose.NewOpenIDConnectStrategy(s.privateKey, cfg),
	}
	factories := []compose.Factory{
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2PKCEFactory,
	}
	if profile.Device != nil {
		factories = append(factories, func(cfg fosite.Configurator, _ any, _ any) any {
			return &deviceGrantHandler{server: s, strategy: strategy, config: cfg}
		})
	}
	s.strategy = strategy
	s.oauth = compose.Compose(cfg, s.store, common, factories...)
	s.pages = newPages(profile.DisplayName)
	s.cookies = newSignIns("mailoauth_" + profile.Name + "_sid")
	return s
}

// refreshExpiry is the lifetime of g's refresh tokens; zero: no expiry.
func (s *Server) refreshExpiry(g Grant) time.Duration {
	if s.profile.RefreshTokenExpiry != nil {
		if d := s.profile.RefreshTokenExpiry(g); d > 0 {
			return d
		}
	}
	return max(s.profile.RefreshTokenLifespan, 0)
}

// World returns the world the server reads and changes.
func (s *Server) World() *world.World { return s.world }

type approvedRedirectKey struct{}

// client is the fosite view of a world client registration.
type client struct {
	*fosite.DefaultClient
	reg world.Client
}

// client looks a client up in the world for fosite. A redirect URI the
// profile already approved for this request (a loopback URI on a port the
// registration does not name, G-10) is added to the registered ones, since
// fosite only knows exact matching.
func (s *Server) client(ctx context.Context, id string) (fosite.Client, error) {
	reg, ok := s.world.Client(s.profile.Name, id)
	if !ok {
		return nil, errUnknownClient
	}
	uris := reg.RedirectURIs
	if approved, _ := ctx.Value(approvedRedirectKey{}).(string); approved != "" {
		uris = append(uris, approved)
	}
	var hash []byte
	if reg.Secret != "" {
		sum := sha256.Sum256([]byte(reg.Secret))
		hash = sum[:]
	}
	return &client{
		DefaultClient: &fosite.DefaultClient{
			ID:            reg.ID,
			Secret:        hash,
			RedirectURIs:  uris,
			GrantTypes:    s.profile.GrantTypes[reg.Type],
			ResponseTypes: []string{"code"},
			Scopes:        s.profile.Scopes,
			Public:        reg.Public(),
		},
		reg: reg,
	}, nil
}

// TokenInfo is what the server knows of an access token.
type TokenInfo struct {
	// Active is false for an unknown, expired or revoked token; Reason then
	// says which ("unknown", "expired", "revoked").
	Active bool
	Reason string
	User   string
	Client string
	Scopes []string
	// Expiry is in the world's time.
	Expiry time.Time
}

// Introspect looks an access token up, as a resource server does before it
// serves a request (fosite's introspection, RFC 7662 semantics).
func (s *Server) Introspect(ctx context.Context, token string) TokenInfo {
	use, ar, err := s.oauth.IntrospectToken(ctx, token, fosite.AccessToken, newSession(""))
	switch {
	case errors.Is(err, fosite.ErrTokenExpired):
		return TokenInfo{Reason: "expired"}
	case errors.Is(err, fosite.ErrInactiveToken):
		return TokenInfo{Reason: "revoked"}
	case err != nil || use != fosite.AccessToken:
		// fosite falls back to refresh tokens; one never opens a resource.
		return TokenInfo{Reason: "unknown"}
	}
	info := TokenInfo{Active: true, Client: ar.GetClient().GetID(), Scopes: ar.GetGrantedScopes()}
	if sess, ok := ar.GetSession().(*Session); ok {
		info.User = sess.User
		info.Expiry = sess.GetExpiresAt(fosite.AccessToken).Add(s.world.Clock.Offset())
	}
	return info
}

// Revoke revokes token (access or refresh) and every token of its grant,
// whichever client holds it (RFC 7009 §2.1; Google G-09). It reports whether
// the token was known and live.
func (s *Server) Revoke(ctx context.Context, token string) bool {
	for _, use := range []fosite.TokenUse{fosite.AccessToken, fosite.RefreshToken} {
		_, ar, err := s.oauth.IntrospectToken(ctx, token, use, newSession(""))
		if err != nil {
			continue
		}
		id := ar.GetID()
		_ = s.store.RevokeAccessToken(ctx, id)
		_ = s.store.RevokeRefreshToken(ctx, id)
		return true
	}
	return false
}

// RevocationEndpoint is the RFC 7009 endpoint: an authenticated client
// revokes one of its tokens (fosite's handler; revoking either kind revokes
// the whole grant). Providers whose endpoint takes no client authentication
// (Google, G-09) build theirs on Revoke instead.
func (s *Server) RevocationEndpoint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ctx := r.Context()
	s.oauth.WriteRevocationResponse(ctx, w, s.oauth.NewRevocationRequest(ctx, r))
}

// IntrospectionEndpoint is the RFC 7662 endpoint: an authenticated client
// asks whether a token is active.
func (s *Server) IntrospectionEndpoint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ctx := r.Context()
	ir, err := s.oauth.NewIntrospectionRequest(ctx, r, newSession(""))
	if err != nil {
		s.oauth.WriteIntrospectionError(ctx, w, err)
		return
	}
	s.oauth.WriteIntrospectionResponse(ctx, w, ir)
}
