package client

import (
	"context"

	"github.com/coreos/go-oidc/v3/oidc"
)

// VerifyIDToken checks an ID token the way an application does with
// coreos/go-oidc: discovery at issuer, the signing keys from jwks_uri, the
// signature, issuer, audience (clientID) and expiry. It returns the token's
// claims.
func (a *App) VerifyIDToken(ctx context.Context, issuer, raw string) (map[string]any, error) {
	ctx = oidc.ClientContext(ctx, a.http)
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	tok, err := provider.Verifier(&oidc.Config{ClientID: a.Config.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	claims := map[string]any{}
	if err := tok.Claims(&claims); err != nil {
		return nil, err
	}
	return claims, nil
}
