package mocks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TokenRequest says which tokens Provider.Mint obtains.
type TokenRequest struct {
	// Client is the registration's name ("web") or client id; "" is
	// "web".
	Client string
	// User is the e-mail address of the user who signs in; "" asks for an
	// application token (the client credentials grant) instead.
	User string
	// Scopes are the scopes asked for; for an application token, none
	// means the provider's mail scope (Microsoft's
	// https://outlook.office365.com/.default).
	Scopes []string
	// Tenant is the tenant segment of the endpoints (a tenant id, name or
	// domain, common, organizations); "": the client's own tenant.
	Tenant string
	// Offline asks for a refresh token the provider's way: Google's
	// access_type=offline, Microsoft's offline_access scope.
	Offline bool
}

// Mint obtains tokens as an application does, over the provider's HTTPS
// endpoints: the authorization code flow with PKCE for a user (approved
// at once through login_hint, so the world must not show pages), the
// client credentials grant for an application. It returns the tokens and
// the token endpoint's JSON as it was sent; when the token endpoint
// refused, the error is an *oauth2.RetrieveError carrying its answer. The
// grant is as real as any: it is in the audit log, and its tokens refresh
// and revoke as any would.
func (p *Provider) Mint(ctx context.Context, req TokenRequest) (*oauth2.Token, []byte, error) {
	c, err := p.findClient(req.Client)
	if err != nil {
		return nil, nil, err
	}
	flows := p.oauth.Flows(c)
	tenant := req.Tenant
	if tenant == "" {
		tenant = c.Realm.Tenant
	}
	var body bytes.Buffer
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: recorder{p.srv.client.Transport, &body},
		Timeout: p.srv.client.Timeout})
	secret := ""
	if all := c.AllSecrets(); len(all) > 0 {
		secret = all[0].Value
	}
	endpoint := p.TenantEndpoint(tenant)
	var tok *oauth2.Token
	switch {
	case req.User == "" && !slices.Contains(flows, "client_credentials"):
		return nil, nil, fmt.Errorf("mocks: %s's client %q has no client credentials grant (its flows: %v); name a user", p.Name, c.Name, flows)
	case req.User == "":
		scopes := req.Scopes
		if len(scopes) == 0 && p.spec.AppScope != "" {
			scopes = []string{p.spec.AppScope}
		}
		cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: endpoint.TokenURL,
			Scopes: scopes, AuthStyle: endpoint.AuthStyle}
		tok, err = cc.Token(ctx)
	case !slices.Contains(flows, "authorization_code"):
		return nil, nil, fmt.Errorf("mocks: %s's client %q has no authorization code flow (its flows: %v)", p.Name, c.Name, flows)
	default:
		cfg := oauth2.Config{ClientID: c.ID, ClientSecret: secret, Endpoint: endpoint, RedirectURL: c.RedirectURIs[0],
			Scopes: slices.Clone(req.Scopes)}
		var params []oauth2.AuthCodeOption
		if req.Offline {
			params = slices.Clone(p.spec.AuthParams)
			for _, s := range p.spec.OfflineScopes {
				if !slices.Contains(cfg.Scopes, s) {
					cfg.Scopes = append(cfg.Scopes, s)
				}
			}
		}
		verifier := oauth2.GenerateVerifier()
		params = append(params, oauth2.S256ChallengeOption(verifier))
		tok, err = p.authorizeWith(ctx, &cfg, req.User, params, []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)})
	}
	if err != nil {
		return nil, nil, err
	}
	return tok, body.Bytes(), nil
}

// findClient is the registration named name, or of that client id, in
// whichever realm; "" is "web".
func (p *Provider) findClient(name string) (world.Client, error) {
	if name == "" {
		name = "web"
	}
	if c, err := p.client(name); err == nil {
		return c, nil
	}
	if c, ok := p.srv.World.FindClient(p.Name, name); ok {
		return c, nil
	}
	return world.Client{}, fmt.Errorf("mocks: %s has no client named %q or of that id", p.Name, name)
}

// AuthorizationError is an authorization request that got no code: the
// provider redirected with an error (Code, Description: RFC 6749
// §4.1.2.1), or answered with a page of its own (Body, its first 4 KB).
type AuthorizationError struct {
	Provider          string
	Status            int
	Code, Description string
	Body              string
}

// Error implements error.
func (e *AuthorizationError) Error() string {
	return fmt.Sprintf("mocks: %s did not redirect with a code (HTTP %d %s): %.200s", e.Provider, e.Status, e.Code, e.Body)
}

// recorder is a transport that keeps the body of the last answer it
// carried (the token endpoint's, in Mint), for x/oauth2 reads only what it
// knows of it.
type recorder struct {
	next http.RoundTripper
	last *bytes.Buffer
}

// RoundTrip implements http.RoundTripper.
func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.last.Reset()
	r.last.Write(raw)
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, nil
}

// Flows are the flows the provider's client c can go through:
// "authorization_code", "device_code", "client_credentials".
func (p *Provider) Flows(c Client) []string {
	reg, ok := p.srv.World.Client(world.Realm{Provider: p.Name, Tenant: c.Tenant}, c.ID)
	if !ok {
		return []string{}
	}
	return p.oauth.Flows(reg)
}
