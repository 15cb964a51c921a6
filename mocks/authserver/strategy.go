package authserver

import (
	"context"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
)

// TokenFormat gives the provider's token shapes: the prefix of each kind of
// token, so that tokens look like the real ones in logs and in the tests of
// clients that check them (Google's "4/" codes, "ya29." access tokens and
// "1//" refresh tokens, G-04 and G-05).
type TokenFormat struct {
	CodePrefix    string
	AccessPrefix  string
	RefreshPrefix string
}

// prefixedStrategy is fosite's HMAC-SHA strategy with the provider's prefixes
// in place of fosite's "ory_at_" ones.
type prefixedStrategy struct {
	*oauth2.HMACSHAStrategyUnPrefixed
	format TokenFormat
}

var _ oauth2.CoreStrategy = (*prefixedStrategy)(nil)

// trimPrefix strips prefix from token; a token without it is rejected, so a
// refresh token cannot pass for an access token by its HMAC part alone.
func trimPrefix(prefix, token string) (string, error) {
	t, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return "", fosite.ErrInvalidTokenFormat
	}
	return t, nil
}

func withPrefix(prefix, token string) string {
	if token == "" {
		return ""
	}
	return prefix + token
}

// GenerateAccessToken implements oauth2.AccessTokenStrategy.
func (s *prefixedStrategy) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	t, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateAccessToken(ctx, r)
	return withPrefix(s.format.AccessPrefix, t), sig, err
}

// ValidateAccessToken implements oauth2.AccessTokenStrategy.
func (s *prefixedStrategy) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	t, err := trimPrefix(s.format.AccessPrefix, token)
	if err != nil {
		return err
	}
	return s.HMACSHAStrategyUnPrefixed.ValidateAccessToken(ctx, r, t)
}

// GenerateRefreshToken implements oauth2.RefreshTokenStrategy.
func (s *prefixedStrategy) GenerateRefreshToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	t, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateRefreshToken(ctx, r)
	return withPrefix(s.format.RefreshPrefix, t), sig, err
}

// ValidateRefreshToken implements oauth2.RefreshTokenStrategy.
func (s *prefixedStrategy) ValidateRefreshToken(ctx context.Context, r fosite.Requester, token string) error {
	t, err := trimPrefix(s.format.RefreshPrefix, token)
	if err != nil {
		return err
	}
	return s.HMACSHAStrategyUnPrefixed.ValidateRefreshToken(ctx, r, t)
}

// GenerateAuthorizeCode implements oauth2.AuthorizeCodeStrategy.
func (s *prefixedStrategy) GenerateAuthorizeCode(ctx context.Context, r fosite.Requester) (string, string, error) {
	t, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateAuthorizeCode(ctx, r)
	return withPrefix(s.format.CodePrefix, t), sig, err
}

// ValidateAuthorizeCode implements oauth2.AuthorizeCodeStrategy.
func (s *prefixedStrategy) ValidateAuthorizeCode(ctx context.Context, r fosite.Requester, token string) error {
	t, err := trimPrefix(s.format.CodePrefix, token)
	if err != nil {
		return err
	}
	return s.HMACSHAStrategyUnPrefixed.ValidateAuthorizeCode(ctx, r, t)
}

// AccessTokenSignature implements oauth2.AccessTokenStrategy: the signature
// is read past the prefix (a "ya29." prefix adds a dot fosite would trip on).
func (s *prefixedStrategy) AccessTokenSignature(ctx context.Context, token string) string {
	t, err := trimPrefix(s.format.AccessPrefix, token)
	if err != nil {
		return ""
	}
	return s.HMACSHAStrategyUnPrefixed.AccessTokenSignature(ctx, t)
}

// RefreshTokenSignature implements oauth2.RefreshTokenStrategy.
func (s *prefixedStrategy) RefreshTokenSignature(ctx context.Context, token string) string {
	t, err := trimPrefix(s.format.RefreshPrefix, token)
	if err != nil {
		return ""
	}
	return s.HMACSHAStrategyUnPrefixed.RefreshTokenSignature(ctx, t)
}

// AuthorizeCodeSignature implements oauth2.AuthorizeCodeStrategy.
func (s *prefixedStrategy) AuthorizeCodeSignature(ctx context.Context, token string) string {
	t, err := trimPrefix(s.format.CodePrefix, token)
	if err != nil {
		return ""
	}
	return s.HMACSHAStrategyUnPrefixed.AuthorizeCodeSignature(ctx, t)
}
