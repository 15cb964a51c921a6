package authserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// The token-endpoint authentication methods (RFC 7591 §2 names).
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
	AuthNone  = "none"
)

type approvedRedirectKey struct{}

// client is the fosite view of a world client registration.
type client struct {
	*fosite.DefaultClient
	reg   world.Client
	modes []fosite.ResponseModeType
}

// GetResponseModes implements fosite.ResponseModeClient: the provider's
// response modes, the same for every client.
func (c *client) GetResponseModes() []fosite.ResponseModeType { return c.modes }

// fositeClient looks a client up for fosite, in the realm of ctx. A
// redirect URI the profile already approved for this request (a loopback
// URI on a port the registration does not name, G-10) is added to the
// registered ones, since fosite only knows exact matching.
func (s *Server) fositeClient(ctx context.Context, id string) (fosite.Client, error) {
	reg, f := s.findClient(Call{Realm: RealmOf(ctx), Now: s.world.Clock.Now()}, id)
	if f != nil {
		return nil, *f
	}
	return s.asFosite(ctx, reg), nil
}

func (s *Server) asFosite(ctx context.Context, reg world.Client) *client {
	uris := reg.RedirectURIs
	if approved, _ := ctx.Value(approvedRedirectKey{}).(string); approved != "" {
		uris = append(uris, approved)
	}
	var grants []string
	if s.profile.GrantTypes != nil {
		grants = s.profile.GrantTypes(reg)
	}
	var hashes [][]byte
	for _, sec := range reg.AllSecrets() {
		sum := sha256.Sum256([]byte(sec.Value))
		hashes = append(hashes, sum[:])
	}
	var hash []byte
	if len(hashes) > 0 {
		hash, hashes = hashes[0], hashes[1:]
	}
	return &client{
		DefaultClient: &fosite.DefaultClient{
			ID:             reg.ID,
			Secret:         hash,
			RotatedSecrets: hashes,
			RedirectURIs:   uris,
			GrantTypes:     grants,
			ResponseTypes:  []string{"code"},
			Scopes:         s.profile.Scopes,
			Public:         reg.Public,
		},
		reg:   reg,
		modes: s.profile.ResponseModes,
	}
}

// authMethods are the token-endpoint authentication methods of reg.
func (s *Server) authMethods(reg world.Client) []string {
	switch {
	case len(reg.AuthMethods) > 0:
		return reg.AuthMethods
	case s.profile.AuthMethods != nil:
		return s.profile.AuthMethods(reg)
	case reg.Public:
		return []string{AuthNone}
	}
	return []string{AuthBasic, AuthPost}
}

// credentials are what a request presents to authenticate its client.
type credentials struct {
	id, secret, method string
}

// presented reads the client's credentials: HTTP Basic (RFC 6749 §2.3.1,
// form-encoded id and secret), else client_id and client_secret in the
// body, else the client_id alone.
func presented(r *http.Request, form url.Values) credentials {
	if id, secret, ok := r.BasicAuth(); ok {
		uid, err1 := url.QueryUnescape(id)
		usecret, err2 := url.QueryUnescape(secret)
		if err1 == nil && err2 == nil {
			id, secret = uid, usecret
		}
		return credentials{id, secret, AuthBasic}
	}
	c := credentials{form.Get("client_id"), form.Get("client_secret"), AuthPost}
	if c.secret == "" {
		c.method = AuthNone
	}
	return c
}

// authenticateClient is fosite's client authentication strategy: the
// client's registration says which methods it may use, and every refusal
// carries its typed cause.
func (s *Server) authenticateClient(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
	reg, f := s.checkClient(s.call(r.WithContext(ctx), world.Client{}), presented(r, form), true)
	if f != nil {
		// fosite's endpoints see invalid_client; classify finds the cause.
		return nil, fosite.ErrInvalidClient.WithWrap(*f)
	}
	return s.asFosite(ctx, reg), nil
}

// checkClient identifies the client of c's request by creds. With
// required, a confidential client must prove itself; without (the device
// authorization endpoint), a secret is checked only when one is sent.
func (s *Server) checkClient(c Call, creds credentials, required bool) (world.Client, *Failure) {
	if creds.id == "" {
		return world.Client{}, &Failure{Kind: ClientAuthMissing}
	}
	reg, f := s.findClient(c, creds.id)
	if f != nil {
		return reg, f
	}
	methods := s.authMethods(reg)
	switch {
	case creds.method == AuthNone && !required:
		return reg, nil
	case slices.Contains(methods, creds.method):
	case creds.method == AuthNone:
		return reg, &Failure{Kind: ClientAuthMissing, Detail: reg.ID}
	case slices.Equal(methods, []string{AuthNone}):
		return reg, &Failure{Kind: SecretFromPublicClient, Detail: reg.ID}
	default:
		return reg, &Failure{Kind: AuthMethodRefused, Detail: creds.method}
	}
	if creds.method == AuthNone {
		return reg, nil
	}
	return reg, s.checkSecret(c, reg, creds.secret)
}

// checkSecret compares secret with each of reg's secrets, in constant time.
func (s *Server) checkSecret(c Call, reg world.Client, secret string) *Failure {
	got := sha256.Sum256([]byte(secret))
	expired := false
	for _, sec := range reg.AllSecrets() {
		want := sha256.Sum256([]byte(sec.Value))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			continue
		}
		if sec.Expires.IsZero() || c.Now.Before(sec.Expires) {
			return nil
		}
		expired = true
	}
	if expired {
		return &Failure{Kind: SecretExpired, Detail: reg.ID}
	}
	return &Failure{Kind: WrongSecret, Detail: reg.ID}
}
