package authserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/token/hmac"
)

// TokenShape is how one kind of token looks. Exactly one way applies: a
// JWT, else Length characters, else a prefix (possibly empty) before
// fosite's HMAC token.
type TokenShape struct {
	// Prefix starts an opaque HMAC token (Google's "4/", "ya29.", "1//").
	Prefix string
	// Length, if set, makes the token that many random letters and digits
	// (Trackdéchets' 16-character codes and 40-character tokens).
	Length int
	// JWT makes the token an RS256 JWT signed with the realm's key (its
	// "kid" in the realm's JWKS): iss, iat, nbf, exp (world time), jti and
	// the grant's Claims (Microsoft).
	JWT bool
	// Headers, for a JWT, gives JOSE header fields beyond typ, alg and
	// kid, from the key id (Microsoft's x5t and nonce, EX-07).
	Headers func(kid string) map[string]any
}

// Tokens gives the shape of each kind of token a provider hands out.
type Tokens struct {
	Code, Access, Refresh TokenShape
}

// minter makes one kind of token and recognizes it again. Whatever the
// shape, the token is only a key into the store: expiry and revocation
// are read from the stored grant, so the world's clock governs them.
type minter interface {
	// mint returns a new token for r and the signature it is stored under.
	mint(ctx context.Context, kind fosite.TokenType, r fosite.Requester) (token, signature string, err error)
	// signature returns the signature of a token of this minter, or "".
	signature(ctx context.Context, token string) string
}

func (s *Server) newMinter(shape TokenShape, h *hmac.HMACStrategy) minter {
	switch {
	case shape.JWT:
		return jwtMinter{s, shape.Headers}
	case shape.Length > 0:
		return alnumMinter(shape.Length)
	}
	return prefixMinter{prefix: shape.Prefix, hmac: h, checked: &checked{m: map[string]string{}}}
}

// prefixMinter is fosite's HMAC-SHA token after a prefix.
type prefixMinter struct {
	prefix  string
	hmac    *hmac.HMACStrategy
	checked *checked
}

// checked remembers the signatures of the tokens whose HMAC was checked
// lately: a refresh request asks for its token's signature five times
// (fosite's handlers, the store's checks), and an HMAC costs more than
// the rest of the look-up. A token's HMAC is valid or not once and for
// all (the key never changes), so what is remembered stays true.
type checked struct {
	mu sync.Mutex
	m  map[string]string // token -> signature
}

// maxChecked bounds checked: past it, it starts again empty.
const maxChecked = 1024

func (c *checked) get(token string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sig, ok := c.m[token]
	return sig, ok
}

func (c *checked) put(token, sig string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxChecked {
		clear(c.m)
	}
	c.m[token] = sig
}

func (m prefixMinter) mint(ctx context.Context, _ fosite.TokenType, _ fosite.Requester) (string, string, error) {
	t, sig, err := m.hmac.Generate(ctx)
	return m.prefix + t, sig, err
}

// signature checks the prefix and the HMAC: a token without the prefix is
// not one of this minter's, so a refresh token cannot pass for an access
// token by its HMAC part alone.
func (m prefixMinter) signature(ctx context.Context, token string) string {
	if sig, ok := m.checked.get(token); ok {
		return sig
	}
	t, ok := strings.CutPrefix(token, m.prefix)
	if !ok || len(t) > maxTokenLength || m.hmac.Validate(ctx, t) != nil {
		return ""
	}
	sig := m.hmac.Signature(t)
	m.checked.put(strings.Clone(token), sig)
	return sig
}

// maxTokenLength bounds the tokens whose HMAC is checked: fosite's are
// under 100 characters; a longer string is no token of ours.
const maxTokenLength = 512

// alnumMinter is n random letters and digits, stored under their SHA-256
// (as Trackdéchets stores its tokens hashed).
type alnumMinter int

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (n alnumMinter) mint(context.Context, fosite.TokenType, fosite.Requester) (string, string, error) {
	b := make([]byte, int(n))
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	for i, c := range b {
		b[i] = alnum[int(c)%len(alnum)]
	}
	return string(b), hashSignature(string(b)), nil
}

func (n alnumMinter) signature(_ context.Context, token string) string {
	if len(token) != int(n) || strings.Trim(token, alnum) != "" {
		return ""
	}
	return hashSignature(token)
}

func hashSignature(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// jwtMinter signs RS256 JWTs with the key of the request's realm, with
// the shape's extra headers.
type jwtMinter struct {
	s       *Server
	headers func(kid string) map[string]any
}

func (m jwtMinter) mint(ctx context.Context, kind fosite.TokenType, r fosite.Requester) (string, string, error) {
	realm := RealmOf(ctx)
	key, kid, err := m.s.keys.get(realm)
	if err != nil {
		return "", "", err
	}
	now := m.s.world.Clock.Now()
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := map[string]any{
		"iss": m.s.Issuer(realm),
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(jti),
	}
	if sess, ok := r.GetSession().(*Session); ok {
		maps.Copy(claims, sess.Access)
		if exp := sess.GetExpiresAt(kind); !exp.IsZero() && !slices.Contains(m.s.store.never, kind) {
			// fosite set the expiry in real time; the token says world time.
			claims["exp"] = exp.Add(m.s.world.Clock.Offset()).Unix()
		}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", "", err
	}
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid)
	if m.headers != nil {
		for k, v := range m.headers(kid) {
			opts = opts.WithHeader(jose.HeaderKey(k), v)
		}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		return "", "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", "", err
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		return "", "", err
	}
	return token, token[strings.LastIndexByte(token, '.')+1:], nil
}

// signature verifies the JWT with the realm's key: a token whose payload
// was changed is not one of ours. Its claims are not read: the stored
// grant is the truth (the exp inside is never trusted over the clock).
func (m jwtMinter) signature(ctx context.Context, token string) string {
	key, _, err := m.s.keys.get(RealmOf(ctx))
	if err != nil || !compactJWS(token) {
		return ""
	}
	jws, err := jose.ParseSigned(token)
	if err != nil {
		return ""
	}
	if _, err := jws.Verify(&key.PublicKey); err != nil {
		return ""
	}
	return token[strings.LastIndexByte(token, '.')+1:]
}

// compactJWS reports whether token is three segments of unpadded
// base64url (RFC 7515 §7.1, §2): go-jose decodes a segment leniently,
// padding included, so a token with "=" in its header would otherwise be
// taken.
func compactJWS(token string) bool {
	segments := strings.Split(token, ".")
	if len(segments) != 3 {
		return false
	}
	for _, seg := range segments {
		if _, err := base64.RawURLEncoding.Strict().DecodeString(seg); err != nil {
			return false
		}
	}
	return true
}

// strategy is fosite's token strategy over the profile's minters.
type strategy struct {
	code, access, refresh minter
}

var _ oauth2.CoreStrategy = (*strategy)(nil)

// validate checks the shape of token and the expiry its stored grant
// carries (in fosite's real time, translated by the store from the
// world's); a zero expiry never ends.
func validate(ctx context.Context, m minter, kind fosite.TokenType, r fosite.Requester, token string) error {
	if m.signature(ctx, token) == "" {
		return fosite.ErrInvalidTokenFormat
	}
	if exp := r.GetSession().GetExpiresAt(kind); !exp.IsZero() && exp.Before(time.Now().UTC()) {
		return fosite.ErrTokenExpired.WithHintf("The %s expired at %s.", kind, exp)
	}
	return nil
}

// GenerateAccessToken implements oauth2.AccessTokenStrategy.
func (s *strategy) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	return s.access.mint(ctx, fosite.AccessToken, r)
}

// ValidateAccessToken implements oauth2.AccessTokenStrategy.
func (s *strategy) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	return validate(ctx, s.access, fosite.AccessToken, r, token)
}

// AccessTokenSignature implements oauth2.AccessTokenStrategy.
func (s *strategy) AccessTokenSignature(ctx context.Context, token string) string {
	return s.access.signature(ctx, token)
}

// GenerateRefreshToken implements oauth2.RefreshTokenStrategy.
func (s *strategy) GenerateRefreshToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	return s.refresh.mint(ctx, fosite.RefreshToken, r)
}

// ValidateRefreshToken implements oauth2.RefreshTokenStrategy.
func (s *strategy) ValidateRefreshToken(ctx context.Context, r fosite.Requester, token string) error {
	return validate(ctx, s.refresh, fosite.RefreshToken, r, token)
}

// RefreshTokenSignature implements oauth2.RefreshTokenStrategy.
func (s *strategy) RefreshTokenSignature(ctx context.Context, token string) string {
	return s.refresh.signature(ctx, token)
}

// GenerateAuthorizeCode implements oauth2.AuthorizeCodeStrategy.
func (s *strategy) GenerateAuthorizeCode(ctx context.Context, r fosite.Requester) (string, string, error) {
	return s.code.mint(ctx, fosite.AuthorizeCode, r)
}

// ValidateAuthorizeCode implements oauth2.AuthorizeCodeStrategy.
func (s *strategy) ValidateAuthorizeCode(ctx context.Context, r fosite.Requester, token string) error {
	return validate(ctx, s.code, fosite.AuthorizeCode, r, token)
}

// AuthorizeCodeSignature implements oauth2.AuthorizeCodeStrategy.
func (s *strategy) AuthorizeCodeSignature(ctx context.Context, token string) string {
	return s.code.signature(ctx, token)
}
