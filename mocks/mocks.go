// Package mocks starts a fake mail-OAuth world for tests, the way
// net/http/httptest starts a test server: call Start, read a provider's
// endpoints (OAuth over HTTPS, SMTP, IMAP and POP3 with STARTTLS and
// implicit TLS), get tokens the way an application does, move the world's
// clock, and the world closes itself when the test ends.
//
//	srv := mocks.Start(t)
//	tok, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/")
//	c, err := smtp.DialStartTLS(srv.Google.Mail.SMTP, srv.TLSConfig())
//
// The certificate authority and the providers' signing keys are embedded
// test keys, as httptest's certificate is (Options.FreshKeys generates new
// ones): never trust them outside a test.
package mocks

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/mail"
	"slices"
	"sync"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TB is the part of testing.TB that Start uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Options configure a fake world. The zero value is the default world
// with every provider, approval without pages, on 127.0.0.1.
type Options struct {
	// World is the world to serve; nil means DefaultWorld().
	World *world.World
	// Providers names the providers to start ("google"); nil: those the
	// world has clients or users for (every registered one for a world
	// with none).
	Providers []string
	// Pages shows the sign-in and consent pages to every authorization
	// request. Without it, a request carrying the login_hint of a known
	// user is approved at once, as a test wants, and so is one without
	// login_hint when ApproveAs names a user of the provider.
	Pages bool
	// ApproveAs are the users an authorization request with no login_hint
	// is approved as, without pages: at each provider, the first of them
	// with an account there (a request with prompt=login still gets the
	// sign-in page).
	ApproveAs []string
	// Hosts are names (besides loopback) the certificate must cover; a
	// world with Hosts gets a certificate of its own.
	Hosts []string
	// Listen opens the listener of one server, named like
	// "google.https", "google.smtp", "google.smtps", "google.imap",
	// "google.imaps", "google.pop3", "google.pop3s"; nil: a free port of
	// 127.0.0.1.
	Listen func(name string) (net.Listener, error)
	// CA signs every listener's certificate; nil: the embedded test CA
	// (a new one with FreshKeys or Hosts).
	CA *tlsca.CA
	// FreshKeys generates a new CA and new token-signing keys instead of
	// the embedded test keys (serve does: its keys are its own).
	FreshKeys bool
	// ErrorLog receives the HTTPS servers' own errors (a failed TLS
	// handshake, a broken connection, a listener at its connection cap,
	// which refuses connections until one closes) and the mail
	// listeners' failed TLS handshakes; nil: they are dropped.
	ErrorLog *log.Logger
}

// Server is a running fake world.
type Server struct {
	// World is the state every fake server reads, for what the methods of
	// Server and Provider do not cover.
	World *world.World
	// CA is the certificate authority every listener's certificate chains to.
	CA *tlsca.CA
	// Providers are the built-in providers, nil when not started.
	Providers

	providers map[string]*Provider
	order     []*Provider
	start     *world.Snapshot
	mailLimit *mailconn.Limit
	httpsOpen *connCounter // the world's HTTPS connections, under httpsCaps.world
	client    *http.Client
	servers   []*http.Server
	closers   []func() error
}

// Event is an entry of the world's audit log: a token request, a mail
// authentication, a change of the world.
type Event = world.Event

// Message is a message delivered to a mailbox.
type Message = world.Message

// Fault is an error armed at a provider's endpoint or mail server.
type Fault = world.Fault

// DefaultWorld returns a new default world: the clients and users every
// scenario and `mailoauth serve` start from, each provider's seed.yaml
// (Provider.Clients and Provider.Users list them).
func DefaultWorld() *world.World {
	w := world.New()
	w.Restore(defaultSnapshot())
	return w
}

// defaults is the default world as read once for the providers
// registered then: reading its YAML costs milliseconds, a copy
// microseconds.
var defaults struct {
	sync.Mutex
	providers int
	snapshot  *world.Snapshot
}

func defaultSnapshot() *world.Snapshot {
	defaults.Lock()
	defer defaults.Unlock()
	if n := len(registry.Names()); defaults.snapshot == nil || defaults.providers != n {
		w, err := world.Load(bytes.NewReader(registry.DefaultWorld()), Schemas())
		if err != nil {
			panic("mocks: the default world is invalid: " + err.Error())
		}
		defaults.providers, defaults.snapshot = n, w.Snapshot()
	}
	return defaults.snapshot
}

// Schemas are the world-file schemas of every registered provider.
func Schemas() world.Schemas { return registry.Schemas() }

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
	specs, err := selectProviders(o)
	if err != nil {
		return nil, err
	}
	ca, err := worldCA(o)
	if err != nil {
		return nil, err
	}
	s := &Server{World: o.World, CA: ca, providers: map[string]*Provider{}, start: o.World.Snapshot(),
		mailLimit: mailconn.NewLimit(MaxMailConnections)}
	s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: ca.ClientConfig()}, Timeout: 30 * time.Second}
	for _, spec := range specs {
		if err := s.startProvider(o, spec); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.Providers.set(s)
	return s, nil
}

// selectProviders are the registered providers o starts, in registry
// order.
func selectProviders(o Options) ([]registry.Provider, error) {
	all := registry.All()
	for _, name := range o.Providers {
		if _, ok := registry.Lookup(name); !ok {
			return nil, fmt.Errorf("mocks: no provider %q (there are %v)", name, registry.Names())
		}
	}
	var out []registry.Provider
	for _, p := range all {
		if o.Providers != nil && slices.Contains(o.Providers, p.Name) ||
			o.Providers == nil && len(o.World.Realms(p.Name)) > 0 {
			out = append(out, p)
		}
	}
	if o.Providers == nil && len(out) == 0 {
		return all, nil
	}
	return out, nil
}

// worldCA is the CA o asks for: its own, a fresh one, or the embedded one.
func worldCA(o Options) (*tlsca.CA, error) {
	switch {
	case o.CA != nil:
		return o.CA, nil
	case o.FreshKeys || len(o.Hosts) > 0:
		return tlsca.New(o.Hosts...)
	default:
		return tlsca.Test(), nil
	}
}

// startProvider serves one provider's HTTPS endpoints and, if it has
// them, its mail servers.
func (s *Server) startProvider(o Options, spec registry.Provider) error {
	in := spec.New(s.World, registry.Options{AutoApprove: !o.Pages})
	p := &Provider{Name: spec.Name, spec: spec, in: in, oauth: in.AuthServer(), srv: s}
	if o.FreshKeys {
		p.oauth.FreshKeys()
	}
	var err error
	if p.URL, err = s.serveHTTPS(o, spec.Name, in.Handler()); err != nil {
		return err
	}
	in.SetBaseURL(p.URL)
	if spec.Mail != nil {
		rule, ok := in.(mailauth.Rule)
		if !ok {
			return fmt.Errorf("mocks: provider %q has mail servers but no mail rule", spec.Name)
		}
		if p.Mail, err = s.startMail(o, spec.Name, rule, spec.Mail()); err != nil {
			return err
		}
	}
	s.providers[spec.Name] = p
	s.order = append(s.order, p)
	return nil
}

// Provider returns the running provider of that name, or nil.
func (s *Server) Provider(name string) *Provider { return s.providers[name] }

// Advance moves the world's clock forward by d (at most a century ahead
// of the real time): codes, tokens, device codes and client secrets
// expire by it.
func (s *Server) Advance(d time.Duration) { s.World.Clock.Advance(d) }

// Now returns the world's time.
func (s *Server) Now() time.Time { return s.World.Clock.Now() }

// Events returns the world's audit log, oldest first.
func (s *Server) Events() []Event { return s.World.Events() }

// Deliver puts raw (a whole RFC 5322 message) into mailbox's INBOX, as if
// it had been received; the envelope sender is its From address.
func (s *Server) Deliver(mailbox, raw string) error {
	from := ""
	if m, err := mail.ReadMessage(bytes.NewReader([]byte(raw))); err == nil {
		if a, err := mail.ParseAddress(m.Header.Get("From")); err == nil {
			from = a.Address
		}
	}
	return s.World.Deliver(from, []string{mailbox}, []byte(raw))
}

// Messages returns the messages delivered to mailbox, oldest first.
func (s *Server) Messages(mailbox string) []Message { return s.World.Messages(mailbox) }

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
	for _, p := range s.order {
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
// accounts, consents and settings as they were, no grant, code, token,
// fault or browser session, empty mailboxes and audit log, the clock on
// the real time. Listeners, the CA and the signing keys stay; connections
// already open keep what they had.
func (s *Server) Reset() {
	s.World.Restore(s.start)
	for _, p := range s.order {
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
// back to the world the server started with. It returns the file's
// warnings (world.World.Warnings).
func (s *Server) LoadWorldFile(content []byte) (warnings []string, err error) {
	w, err := world.Load(bytes.NewReader(content), Schemas())
	if err != nil {
		return nil, err
	}
	s.World.Restore(w.Snapshot())
	for _, p := range s.order {
		p.oauth.Reset()
	}
	return w.Warnings(), nil
}

// Client returns an HTTP client that trusts the world's CA; Close closes
// its connections.
func (s *Server) Client() *http.Client { return s.client }

// TLSConfig returns a client TLS configuration that trusts the world's CA,
// for the listeners' address 127.0.0.1 (net/smtp's StartTLS needs a
// ServerName).
func (s *Server) TLSConfig() *tls.Config { return s.TLSConfigFor("127.0.0.1") }

// TLSConfigFor is TLSConfig for another name the certificate covers
// (localhost, ::1, or one of Options.Hosts).
func (s *Server) TLSConfigFor(host string) *tls.Config {
	c := s.CA.ClientConfig()
	c.ServerName = host
	return c
}

// serveHTTPS serves h over TLS on the provider's listener and returns its
// URL. The listener keeps its connections under httpsCaps; the wait for
// a client's ClientHello and the request headers have ReadHeaderTimeout
// (the rest of the handshake httpsReadTimeout, see cappedConn), an idle
// connection IdleTimeout, so that a client holding one open frees its
// slot.
func (s *Server) serveHTTPS(o Options, provider string, h http.Handler) (string, error) {
	raw, err := o.Listen(provider + ".https")
	if err != nil {
		return "", err
	}
	errorLog := o.ErrorLog
	if errorLog == nil {
		errorLog = log.New(io.Discard, "", 0)
	}
	if s.httpsOpen == nil {
		s.httpsOpen = newConnCounter(httpsCaps.world)
	}
	ln := &capListener{Listener: raw, name: provider + ".https", own: newConnCounter(httpsCaps.listener), world: s.httpsOpen, log: errorLog}
	srv := &http.Server{
		Handler:           h,
		ErrorLog:          errorLog,
		TLSConfig:         s.CA.ServerConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       httpsReadTimeout,
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
