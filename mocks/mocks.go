// Package mocks starts a fake mail-OAuth world for tests, the way
// net/http/httptest starts a test server: call Start, read a provider's
// endpoints (OAuth over HTTPS, SMTP and IMAP with STARTTLS and implicit
// TLS), get tokens the way an application does, and the world closes
// itself when the test ends.
//
//	srv := mocks.Start(t)
//	tok, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/")
//	c, err := smtp.DialStartTLS(srv.Google.Mail.SMTP, srv.TLSConfig())
package mocks

import (
	"bytes"
	"context"
	"crypto/tls"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/trackdechets"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TB is the part of testing.TB that Start uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Options configure a fake world. The zero value is the default world,
// every provider, approval without pages, on 127.0.0.1.
type Options struct {
	// World is the world to serve; nil means DefaultWorld().
	World *world.World
	// Providers names the providers to start ("google"); nil: all.
	Providers []string
	// Pages shows the sign-in and consent pages to every authorization
	// request. Without it, a request carrying the login_hint of a known
	// user is approved at once, as a test wants, and so is one without
	// login_hint when ApproveAs names a user of the provider.
	Pages bool
	// ApproveAs are the users an authorization request with no login_hint
	// is approved as, without pages: at each provider, the first of them
	// with an account there (World.SetApproveAs; a request with
	// prompt=login still gets the sign-in page).
	ApproveAs []string
	// Hosts are names (besides loopback) the certificate must cover.
	Hosts []string
	// Listen opens the listener of one server, named like
	// "google.https", "google.smtp", "google.smtps", "google.imap",
	// "google.imaps", "google.pop3", "google.pop3s"; nil: a free port of
	// 127.0.0.1.
	Listen func(name string) (net.Listener, error)
	// CA signs every listener's certificate; nil: a new one, for Hosts
	// (serve keeps one across restarts in its state directory).
	CA *tlsca.CA
	// ErrorLog receives the HTTPS servers' own errors (a failed TLS
	// handshake, a broken connection); nil: they are dropped.
	ErrorLog *log.Logger
}

// Server is a running fake world.
type Server struct {
	// World is the state every fake server reads: move its Clock, inspect
	// its Events, change its registrations.
	World *world.World
	// CA is the certificate authority every listener's certificate chains to.
	CA *tlsca.CA
	// Google is the fake Google, if started.
	Google *Provider
	// Microsoft is the fake Microsoft (Entra ID and Exchange Online), if
	// started.
	Microsoft *Provider
	// Trackdechets is the fake Trackdéchets (its OAuth server and GraphQL
	// API; it has no mail servers), if started.
	Trackdechets *Provider

	providers map[string]*Provider
	start     *world.Snapshot
	mailLimit *mailconn.Limit
	client    *http.Client
	servers   []*http.Server
	closers   []func() error
}

// Provider is one running fake provider.
type Provider struct {
	// Name is the provider's key ("google").
	Name string
	// URL is the base URL of its HTTPS endpoints, https://127.0.0.1:PORT.
	URL string
	// Mail holds the addresses of its mail servers.
	Mail Mail

	endpoint   func(realm string) oauth2.Endpoint
	authParams []oauth2.AuthCodeOption
	oauth      *authserver.Server
	srv        *Server
}

// Mail holds the addresses ("127.0.0.1:PORT") of a provider's mail servers.
type Mail struct {
	// SMTP is the submission port: plain, then STARTTLS (like 587).
	SMTP string
	// SMTPS is the implicit-TLS submission port (like 465).
	SMTPS string
	// IMAPS is the implicit-TLS IMAP port (like 993).
	IMAPS string
	// IMAP is the plain IMAP port that offers STARTTLS (like 143).
	IMAP string
	// POP3S is the implicit-TLS POP3 port (like 995); POP3 the plain one
	// that offers STLS (like 110).
	POP3S, POP3 string
}

//go:embed default.yaml
var defaultYAML []byte

// Schemas are the world-file schemas of every provider.
func Schemas() world.Schemas {
	return world.Schemas{google.Name: google.Schema(), microsoft.Name: microsoft.Schema(), trackdechets.Name: trackdechets.Schema()}
}

// DefaultYAML returns the YAML of the default world: the clients and users
// every scenario and `mailoauth serve` start from.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// DefaultWorld returns a new world loaded from DefaultYAML.
func DefaultWorld() *world.World {
	w, err := world.Load(bytes.NewReader(defaultYAML), Schemas())
	if err != nil {
		panic("mocks: the embedded default world is invalid: " + err.Error())
	}
	return w
}

// LoadWorld reads a world file with every provider's schema.
func LoadWorld(path string) (*world.World, error) {
	return world.LoadFile(path, Schemas())
}

// Start starts a fake world (at most one Options) and closes it when tb
// ends.
func Start(tb TB, opts ...Options) *Server {
	tb.Helper()
	s, err := New(opts...)
	if err != nil {
		tb.Fatalf("mocks: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// New starts a fake world (at most one Options); Close stops it.
func New(opts ...Options) (*Server, error) {
	var o Options
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		return nil, errors.New("mocks: at most one Options")
	}
	if o.World == nil {
		o.World = DefaultWorld()
	}
	if len(o.ApproveAs) > 0 {
		o.World.SetApproveAs(o.ApproveAs)
	}
	if o.Listen == nil {
		o.Listen = func(string) (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
	}
	ca := o.CA
	if ca == nil {
		var err error
		if ca, err = tlsca.New(o.Hosts...); err != nil {
			return nil, err
		}
	}
	s := &Server{World: o.World, CA: ca, providers: map[string]*Provider{}, start: o.World.Snapshot(),
		mailLimit: mailconn.NewLimit(MaxMailConnections)}
	s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: ca.ClientConfig()}, Timeout: 30 * time.Second}
	for name, start := range map[string]func(Options) error{google.Name: s.startGoogle,
		microsoft.Name: s.startMicrosoft, trackdechets.Name: s.startTrackdechets} {
		if o.Providers == nil || slices.Contains(o.Providers, name) {
			if err := start(o); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	for _, name := range o.Providers {
		if s.providers[name] == nil {
			s.Close()
			return nil, fmt.Errorf("mocks: no provider %q", name)
		}
	}
	return s, nil
}

func (s *Server) startGoogle(o Options) error {
	g := google.New(s.World, google.Options{AutoApprove: !o.Pages})
	p := &Provider{Name: google.Name, oauth: g.Server, srv: s,
		// G-02: a refresh token needs access_type=offline.
		authParams: []oauth2.AuthCodeOption{oauth2.AccessTypeOffline}}
	var err error
	if p.URL, err = s.serveHTTPS(o, google.Name, g.Handler()); err != nil {
		return err
	}
	g.SetBaseURL(p.URL)
	p.endpoint = func(string) oauth2.Endpoint {
		return oauth2.Endpoint{AuthURL: p.URL + google.AuthPath, TokenURL: p.URL + google.TokenPath,
			DeviceAuthURL: p.URL + google.DeviceCodePath, AuthStyle: oauth2.AuthStyleInParams}
	}
	if p.Mail, err = s.startMail(o, google.Name, g, google.Personality()); err != nil {
		return err
	}
	s.Google = p
	s.providers[google.Name] = p
	return nil
}

func (s *Server) startMicrosoft(o Options) error {
	m := microsoft.New(s.World, microsoft.Options{AutoApprove: !o.Pages})
	p := &Provider{Name: microsoft.Name, oauth: m.Server, srv: s,
		// M-03: a refresh token needs offline_access.
		authParams: nil}
	var err error
	if p.URL, err = s.serveHTTPS(o, microsoft.Name, m.Handler()); err != nil {
		return err
	}
	m.SetBaseURL(p.URL)
	p.endpoint = func(realm string) oauth2.Endpoint {
		if realm == "" {
			realm = microsoft.Organizations
		}
		base := p.URL + "/" + realm
		return oauth2.Endpoint{AuthURL: base + microsoft.AuthorizePath, TokenURL: base + microsoft.TokenPath,
			DeviceAuthURL: base + microsoft.DeviceCodePath, AuthStyle: oauth2.AuthStyleInParams}
	}
	if p.Mail, err = s.startMail(o, microsoft.Name, m, microsoft.Personality()); err != nil {
		return err
	}
	s.Microsoft = p
	s.providers[microsoft.Name] = p
	return nil
}

func (s *Server) startTrackdechets(o Options) error {
	td := trackdechets.New(s.World, trackdechets.Options{AutoApprove: !o.Pages})
	p := &Provider{Name: trackdechets.Name, oauth: td.Server, srv: s}
	var err error
	if p.URL, err = s.serveHTTPS(o, trackdechets.Name, td.Handler()); err != nil {
		return err
	}
	td.SetBaseURL(p.URL)
	// T-04: the documentation asks for HTTP Basic client authentication.
	p.endpoint = func(string) oauth2.Endpoint {
		return oauth2.Endpoint{AuthURL: p.URL + trackdechets.DialogPath, TokenURL: p.URL + trackdechets.TokenPath,
			AuthStyle: oauth2.AuthStyleInHeader}
	}
	s.Trackdechets = p
	s.providers[trackdechets.Name] = p
	return nil
}

// Provider returns the running provider of that name, or nil.
func (s *Server) Provider(name string) *Provider { return s.providers[name] }

// Endpoint returns the provider's endpoints for golang.org/x/oauth2 (for
// Microsoft, those of /organizations).
func (p *Provider) Endpoint() oauth2.Endpoint { return p.endpoint("") }

// TenantEndpoint returns the endpoints under one tenant segment (a tenant
// id or domain, common, organizations), for a provider with tenants.
func (p *Provider) TenantEndpoint(tenant string) oauth2.Endpoint { return p.endpoint(tenant) }

// Issuer returns the provider's OpenID Connect issuer (of realm, for a
// provider with tenants).
func (p *Provider) Issuer(realm string) string { return p.oauth.Issuer(realm) }

// Config returns an x/oauth2 configuration for the provider's client
// registered under name, with its first redirect URI.
func (p *Provider) Config(name string, scopes ...string) (oauth2.Config, error) {
	for _, realm := range p.srv.World.Realms(p.Name) {
		if c, ok := p.srv.World.ClientNamed(realm, name); ok {
			cfg := oauth2.Config{ClientID: c.ID, Endpoint: p.Endpoint(), Scopes: scopes}
			if secrets := c.AllSecrets(); len(secrets) > 0 {
				cfg.ClientSecret = secrets[0].Value
			}
			if len(c.RedirectURIs) > 0 {
				cfg.RedirectURL = c.RedirectURIs[0]
			}
			return cfg, nil
		}
	}
	return oauth2.Config{}, fmt.Errorf("mocks: %s has no client named %q", p.Name, name)
}

// Token runs the authorization code flow over HTTPS as an application
// does, for user, with the provider's "web" client, and returns the
// tokens (with a refresh token where the provider gives one). The user's
// approval is automatic (login_hint), so the world must not show pages.
func (p *Provider) Token(ctx context.Context, user string, scopes ...string) (*oauth2.Token, error) {
	cfg, err := p.Config("web", scopes...)
	if err != nil {
		return nil, err
	}
	state := oauth2.GenerateVerifier()
	opts := append(slices.Clone(p.authParams), oauth2.SetAuthURLParam("login_hint", user))
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
		return nil, fmt.Errorf("mocks: %s did not redirect with a code (HTTP %d %s): %.200s",
			p.Name, resp.StatusCode, loc.Query().Get("error"), body)
	}
	if loc.Query().Get("state") != state {
		return nil, fmt.Errorf("mocks: %s sent back another state", p.Name)
	}
	return cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, p.srv.client), loc.Query().Get("code"))
}

// RevokeAccess is the user removing the client's access in their account
// at the provider (Google's third-party connections, Trackdéchets'
// "Applications et API"): every code and token the user granted the client
// stops working, and the next authorization asks for consent again.
func (p *Provider) RevokeAccess(user, clientID string) { p.oauth.RevokeAccess(user, clientID) }

// ApproveDevice approves the pending device authorization of userCode at
// whichever provider issued it, as the user email does on its page.
func (s *Server) ApproveDevice(userCode, email string) error {
	return s.decideDevice(userCode, email, true)
}

// DenyDevice denies the pending device authorization of userCode.
func (s *Server) DenyDevice(userCode, email string) error {
	return s.decideDevice(userCode, email, false)
}

func (s *Server) decideDevice(userCode, email string, approve bool) error {
	for _, p := range s.providers {
		decide := p.oauth.DenyDevice
		if approve {
			decide = p.oauth.ApproveDevice
		}
		if err := decide(userCode, email); !errors.Is(err, authserver.ErrUnknownUserCode) {
			return err
		}
	}
	return authserver.ErrUnknownUserCode
}

// Reset puts the world back as it was when it started: registrations,
// accounts, consents and settings as they were, no grant, code, token or
// browser session, empty mailboxes and audit log, the clock on the real
// time. Listeners, the CA and the signing keys stay; connections already
// open keep what they had.
func (s *Server) Reset() {
	s.World.Restore(s.start)
	for _, p := range s.providers {
		p.oauth.Reset()
	}
}

// RemoveClient deletes a provider's client registration (in whichever
// realm) and ends every code and token issued to it.
func (s *Server) RemoveClient(provider, clientID string) error {
	p := s.providers[provider]
	c, ok := s.World.FindClient(provider, clientID)
	if p == nil || !ok {
		return fmt.Errorf("mocks: %s has no client %q", provider, clientID)
	}
	if err := s.World.RemoveClient(c.Realm, clientID); err != nil {
		return err
	}
	p.oauth.RevokeClient(clientID)
	return nil
}

// RemoveUser deletes a provider's account (in whichever realm) and ends
// every code and token it granted.
func (s *Server) RemoveUser(provider, email string) error {
	p := s.providers[provider]
	a, ok := s.World.FindAccount(provider, email)
	if p == nil || !ok {
		return fmt.Errorf("mocks: %s has no user %s", provider, email)
	}
	if err := s.World.RemoveAccount(a.Realm, email); err != nil {
		return err
	}
	p.oauth.RevokeUser(email)
	return nil
}

// LoadWorldFile replaces the running world's registrations, accounts and
// settings with those of a world file's content, and starts it afresh as
// Reset does (no grant, no mail, no event, the real time). Reset still goes
// back to the world the server started with.
func (s *Server) LoadWorldFile(content []byte) error {
	w, err := world.Load(bytes.NewReader(content), Schemas())
	if err != nil {
		return err
	}
	s.World.Restore(w.Snapshot())
	for _, p := range s.providers {
		p.oauth.Reset()
	}
	return nil
}

// faultPoints are where each provider can be told to fail: its
// endpoints' and mail servers' calls to Server.Fault and the mail gate.
var faultPoints = map[string][]string{
	google.Name:       google.FaultPoints,
	microsoft.Name:    microsoft.FaultPoints,
	trackdechets.Name: trackdechets.FaultPoints,
}

// FaultPoints lists the targets a fault can be armed at in this world,
// "provider.point", for the providers it runs.
func (s *Server) FaultPoints() []string {
	var out []string
	for name := range s.providers {
		for _, point := range faultPoints[name] {
			out = append(out, name+"."+point)
		}
	}
	slices.Sort(out)
	return out
}

// ArmFault makes the next f.Count requests at f.Target (0: every one until
// World.ClearFaults) answer with the fault f.Kind (world.FaultUnavailable,
// ...): an outage on demand. It returns the fault with its id.
func (s *Server) ArmFault(f world.Fault) (world.Fault, error) {
	return s.World.ArmFault(f, s.FaultPoints())
}

// Messages returns the messages delivered to mailbox, oldest first.
func (s *Server) Messages(mailbox string) []world.Message { return s.World.Messages(mailbox) }

// Client returns the HTTP client that trusts the world's CA; Close closes
// its connections.
func (s *Server) Client() *http.Client { return s.client }

// TLSConfig returns a client TLS configuration that trusts the world's CA.
func (s *Server) TLSConfig() *tls.Config { return s.CA.ClientConfig() }

// serveHTTPS serves h over TLS on the provider's listener and returns its
// URL.
func (s *Server) serveHTTPS(o Options, provider string, h http.Handler) (string, error) {
	ln, err := o.Listen(provider + ".https")
	if err != nil {
		return "", err
	}
	errorLog := o.ErrorLog
	if errorLog == nil {
		errorLog = log.New(io.Discard, "", 0)
	}
	srv := &http.Server{
		Handler:           h,
		ErrorLog:          errorLog,
		TLSConfig:         s.CA.ServerConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	s.servers = append(s.servers, srv)
	// ServeTLS returns http.ErrServerClosed once Close shuts it down.
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	return "https://" + ln.Addr().String(), nil
}

// Close stops every server of the world. HTTP requests in flight get a
// quarter of a second to finish (a request here takes microseconds); then
// what is left is closed, such as connections a client opened and never
// used, which net/http would otherwise wait five seconds for.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
	}
	for _, c := range s.closers {
		_ = c()
	}
	s.client.CloseIdleConnections()
}
