package mocks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Provider is one running fake provider.
type Provider struct {
	// Name is the provider's key ("google"), its scenario tag and the
	// first part of its fault targets.
	Name string
	// URL is the base URL of its HTTPS endpoints, https://127.0.0.1:PORT.
	URL string
	// Mail holds the addresses of its mail servers (empty for a provider
	// without mail, Trackdéchets).
	Mail Mail

	spec  registry.Provider
	in    registry.Instance
	oauth *authserver.Server
	srv   *Server
}

// Mail holds the addresses ("127.0.0.1:PORT") of a provider's mail servers.
type Mail struct {
	// SMTP is the submission port: plain, then STARTTLS (like 587).
	SMTP string
	// SMTPS is the implicit-TLS submission port (like 465); "" where the
	// provider has none (Exchange Online, EX-11).
	SMTPS string
	// IMAPS is the implicit-TLS IMAP port (like 993).
	IMAPS string
	// IMAP is the plain IMAP port that offers STARTTLS (like 143).
	IMAP string
	// POP3S is the implicit-TLS POP3 port (like 995); POP3 the plain one
	// that offers STLS (like 110).
	POP3S, POP3 string
}

// Client is a registration of the world, as a test uses it.
type Client struct {
	// Name is the client's name in the world file ("web", "daemon").
	Name string
	// ID and Secret are the client id and its first secret ("" for a
	// public client).
	ID, Secret string
	// RedirectURIs are its registered redirect URIs.
	RedirectURIs []string
	// Type is the kind of client as the provider's console names it.
	Type string
	// Tenant is the realm it is registered in ("contoso"; "" for a
	// provider without tenants).
	Tenant string
	// Purpose says what it is for.
	Purpose string
	// Mailboxes are the mailboxes an application token of the client may
	// open (Microsoft's daemon: the service principal's FullAccess
	// permissions, EX-02).
	Mailboxes []string
}

// User is an account of the world.
type User struct {
	Email, Name string
	// Password is for the sign-in page.
	Password string
	// Tenant is the realm of the account ("" for a provider without
	// tenants).
	Tenant string
}

// Endpoint returns the provider's endpoints for golang.org/x/oauth2 (for
// Microsoft, those of /organizations).
func (p *Provider) Endpoint() oauth2.Endpoint { return p.spec.Endpoint(p.URL, "") }

// TenantEndpoint returns the endpoints under one tenant segment (a tenant
// id, name or domain, common, organizations), for a provider with tenants.
func (p *Provider) TenantEndpoint(tenant string) oauth2.Endpoint {
	return p.spec.Endpoint(p.URL, tenant)
}

// Issuer returns the provider's OpenID Connect issuer (of realm, for a
// provider with tenants).
func (p *Provider) Issuer(realm string) string { return p.oauth.Issuer(realm) }

// Describe returns the provider's endpoints as serve's manifest lists
// them (mail listeners, clients and users aside).
func (p *Provider) Describe() registry.Section { return p.spec.Describe(p.srv.World, p.in, p.URL) }

// Clients lists the provider's registrations, realm by realm.
func (p *Provider) Clients() []Client {
	var out []Client
	for _, realm := range p.srv.World.Realms(p.Name) {
		for _, c := range p.srv.World.Clients(realm) {
			v := Client{Name: c.Name, ID: c.ID, RedirectURIs: world.Strings(c.RedirectURIs), Type: c.Type,
				Tenant: realm.Tenant, Purpose: c.Purpose}
			if secrets := c.AllSecrets(); len(secrets) > 0 {
				v.Secret = secrets[0].Value
			}
			if p.spec.Mailboxes != nil {
				v.Mailboxes = p.spec.Mailboxes(p.srv.World, c)
			}
			out = append(out, v)
		}
	}
	return out
}

// Users lists the provider's accounts, realm by realm.
func (p *Provider) Users() []User {
	var out []User
	for _, realm := range p.srv.World.Realms(p.Name) {
		for _, a := range p.srv.World.Accounts(realm) {
			out = append(out, User{Email: a.Email, Name: a.Name, Password: a.Password, Tenant: realm.Tenant})
		}
	}
	return out
}

// client is the registration named name, in whichever realm.
func (p *Provider) client(name string) (world.Client, error) {
	for _, realm := range p.srv.World.Realms(p.Name) {
		if c, ok := p.srv.World.ClientNamed(realm, name); ok {
			return c, nil
		}
	}
	return world.Client{}, fmt.Errorf("mocks: %s has no client named %q", p.Name, name)
}

// Config returns an x/oauth2 configuration for the provider's client
// registered under name: its id, first secret and first redirect URI, and
// the endpoints of its own tenant where the provider has tenants.
func (p *Provider) Config(name string, scopes ...string) (oauth2.Config, error) {
	c, err := p.client(name)
	if err != nil {
		return oauth2.Config{}, err
	}
	cfg := oauth2.Config{ClientID: c.ID, Endpoint: p.TenantEndpoint(c.Realm.Tenant), Scopes: scopes}
	if secrets := c.AllSecrets(); len(secrets) > 0 {
		cfg.ClientSecret = secrets[0].Value
	}
	if len(c.RedirectURIs) > 0 {
		cfg.RedirectURL = c.RedirectURIs[0]
	}
	return cfg, nil
}

// withClient is ctx with the HTTP client x/oauth2 uses set to one that
// trusts the world's CA, unless ctx has one already.
func (p *Provider) withClient(ctx context.Context) context.Context {
	if _, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, p.srv.client)
}

// Token runs the authorization code flow over HTTPS as an application
// does, for user, with the provider's "web" client, and returns the
// tokens (with a refresh token where the provider gives one: Google's
// access_type=offline is sent, Microsoft's offline_access is a scope to
// ask for). The user's approval is automatic (login_hint), so the world
// must not show pages.
func (p *Provider) Token(ctx context.Context, user string, scopes ...string) (*oauth2.Token, error) {
	cfg, err := p.Config("web", scopes...)
	if err != nil {
		return nil, err
	}
	return p.authorize(ctx, &cfg, user)
}

func (p *Provider) authorize(ctx context.Context, cfg *oauth2.Config, user string) (*oauth2.Token, error) {
	return p.authorizeWith(ctx, cfg, user, p.spec.AuthParams, nil)
}

// authorizeWith is authorize with these parameters added to the
// authorization request (params) and to the code's exchange (exchange).
func (p *Provider) authorizeWith(ctx context.Context, cfg *oauth2.Config, user string, params, exchange []oauth2.AuthCodeOption) (*oauth2.Token, error) {
	state := oauth2.GenerateVerifier()
	opts := append(slices.Clone(params), oauth2.SetAuthURLParam("login_hint", user))
	hc := *p.srv.client
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.AuthCodeURL(state, opts...), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		return nil, &AuthorizationError{Provider: p.Name, Status: resp.StatusCode, Code: loc.Query().Get("error"),
			Description: loc.Query().Get("error_description"), Body: string(body)}
	}
	if loc.Query().Get("state") != state {
		return nil, fmt.Errorf("mocks: %s sent back another state", p.Name)
	}
	return cfg.Exchange(p.withClient(ctx), loc.Query().Get("code"), exchange...)
}

// AppToken runs the client credentials grant for the client registered
// under clientName, for the provider's mail resource (Microsoft:
// https://outlook.office365.com/.default), at tenant ("": the client's
// own). Client.Mailboxes says which mailboxes the token opens.
func (p *Provider) AppToken(ctx context.Context, clientName, tenant string) (*oauth2.Token, error) {
	if p.spec.AppScope == "" {
		return nil, fmt.Errorf("mocks: %s has no application tokens for mail", p.Name)
	}
	c, err := p.client(clientName)
	if err != nil {
		return nil, err
	}
	if tenant == "" {
		tenant = c.Realm.Tenant
	}
	cc := clientcredentials.Config{ClientID: c.ID, TokenURL: p.TenantEndpoint(tenant).TokenURL,
		Scopes: []string{p.spec.AppScope}, AuthStyle: p.TenantEndpoint(tenant).AuthStyle}
	if secrets := c.AllSecrets(); len(secrets) > 0 {
		cc.ClientSecret = secrets[0].Value
	}
	return cc.Token(p.withClient(ctx))
}

// TokenSource returns a token source for user, with the provider's "web"
// client: its first Token runs the authorization code flow as Token does;
// after that it gives the token it holds until the token expires by the
// world's clock (Server.Advance ages it), then refreshes it through the
// token endpoint. The tokens it returns carry an Expiry in real time, so
// that x/oauth2's own caching agrees with the world.
func (p *Provider) TokenSource(ctx context.Context, user string, scopes ...string) oauth2.TokenSource {
	return &worldTokenSource{p: p, ctx: ctx, user: user, scopes: scopes}
}

// expiryDelta is how long before its expiry a token is refreshed, as
// x/oauth2 does.
const expiryDelta = 10 * time.Second

type worldTokenSource struct {
	p      *Provider
	ctx    context.Context
	user   string
	scopes []string

	mu  sync.Mutex
	cfg *oauth2.Config
	tok *oauth2.Token
	// expires is when tok expires in the world's time (zero: never).
	expires time.Time
}

// Token implements oauth2.TokenSource.
func (ts *worldTokenSource) Token() (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	clock := ts.p.srv.World.Clock
	switch {
	case ts.tok == nil:
		cfg, err := ts.p.Config("web", ts.scopes...)
		if err != nil {
			return nil, err
		}
		tok, err := ts.p.authorize(ts.ctx, &cfg, ts.user)
		if err != nil {
			return nil, err
		}
		ts.cfg = &cfg
		ts.keep(tok, clock.Now())
	case !ts.expires.IsZero() && !clock.Now().Add(expiryDelta).Before(ts.expires):
		if ts.tok.RefreshToken == "" {
			return nil, fmt.Errorf("mocks: %s's token for %s expired and there is no refresh token to renew it", ts.p.Name, ts.user)
		}
		now := clock.Now()
		tok, err := ts.cfg.TokenSource(ts.p.withClient(ts.ctx), &oauth2.Token{RefreshToken: ts.tok.RefreshToken}).Token()
		if err != nil {
			return nil, err
		}
		ts.keep(tok, now)
	}
	out := *ts.tok
	if !ts.expires.IsZero() {
		out.Expiry = time.Now().Add(ts.expires.Sub(clock.Now()))
	}
	return &out, nil
}

// keep holds tok, obtained at the world's time now.
func (ts *worldTokenSource) keep(tok *oauth2.Token, now time.Time) {
	ts.tok, ts.expires = tok, time.Time{}
	switch {
	case tok.ExpiresIn > 0:
		ts.expires = now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	case !tok.Expiry.IsZero():
		ts.expires = now.Add(time.Until(tok.Expiry))
	}
}

// RevokeAccess is the user removing the client's access in their account
// at the provider (Google's third-party connections, Trackdéchets'
// "Applications et API"): every code and token the user granted the client
// stops working, and the next authorization asks for consent again.
func (p *Provider) RevokeAccess(user, clientID string) { p.oauth.RevokeAccess(user, clientID) }
