// Package mocks starts a fake mail-OAuth world for tests, the way
// net/http/httptest starts a test server: call Start, read the endpoints
// (OAuth over HTTPS, SMTP and IMAP with STARTTLS and implicit TLS), and it
// closes itself when the test ends.
//
//	w := mocks.Start(t)
//	cfg := oauth2.Config{ClientID: ..., Endpoint: w.Google.Endpoint()}
//	httpClient := w.HTTPClient() // trusts the world's CA
package mocks

import (
	"context"
	"net"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/smtp"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TB is the part of testing.TB that Start uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Options configure a fake world.
type Options struct {
	// World is the world to serve; nil means world.Default().
	World *world.World
	// AutoApproveLoginHint approves an authorization request carrying the
	// login_hint of a known user at once, with no page.
	AutoApproveLoginHint bool
}

// Server is a running fake world.
type Server struct {
	// World is the state every fake server reads: move its Clock, inspect
	// its Events.
	World *world.World
	// CA is the certificate authority every listener's certificate chains to.
	CA *tlsca.CA
	// Google is the fake Google.
	Google *Google

	servers []*http.Server
	closers []func() error
}

// Google is the running fake Google.
type Google struct {
	*google.Provider
	// URL is the base URL of its HTTPS endpoints, like https://127.0.0.1:PORT.
	URL string
	// Mail holds the addresses of its fake smtp.gmail.com and imap.gmail.com.
	Mail Mail
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
}

// Endpoint returns Google's endpoints for golang.org/x/oauth2.
func (g *Google) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:       g.URL + google.AuthPath,
		TokenURL:      g.URL + google.TokenPath,
		DeviceAuthURL: g.URL + google.DeviceCodePath,
		AuthStyle:     oauth2.AuthStyleInParams,
	}
}

// Start starts a fake world on loopback ports and closes it when tb ends.
func Start(tb TB, opts Options) *Server {
	tb.Helper()
	s, err := New(opts)
	if err != nil {
		tb.Fatalf("mocks: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// New starts a fake world on loopback ports; Close stops it.
func New(opts Options) (*Server, error) {
	w := opts.World
	if w == nil {
		w = world.Default()
	}
	ca, err := tlsca.New()
	if err != nil {
		return nil, err
	}
	s := &Server{World: w, CA: ca}
	g := google.New(w, google.Options{AutoApproveLoginHint: opts.AutoApproveLoginHint})
	url, err := s.serveHTTPS(g.Handler())
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Google = &Google{Provider: g, URL: url}
	if s.Google.Mail, err = s.startMail(google.Name, g, google.Personality()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// startMail starts a provider's SMTP and IMAP servers, deciding with its
// mail rule and speaking with its personality.
func (s *Server) startMail(provider string, rule mailauth.Rule, p mailauth.Personality) (Mail, error) {
	sm, err := smtp.Start("127.0.0.1", smtp.Config{Provider: provider, World: s.World, Rule: rule,
		Personality: p.SMTP, TLS: s.CA.ServerConfig()})
	if err != nil {
		return Mail{}, err
	}
	s.closers = append(s.closers, sm.Close)
	im, err := imap.Start("127.0.0.1", imap.Config{Provider: provider, World: s.World, Rule: rule,
		Personality: p.IMAP, TLS: s.CA.ServerConfig()})
	if err != nil {
		return Mail{}, err
	}
	s.closers = append(s.closers, im.Close)
	return Mail{SMTP: sm.Addr, SMTPS: sm.TLSAddr, IMAPS: im.TLSAddr, IMAP: im.Addr}, nil
}

// serveHTTPS serves h over TLS on a free loopback port and returns its URL.
func (s *Server) serveHTTPS(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{
		Handler:           h,
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

// HTTPClient returns an HTTP client that trusts the world's CA.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: s.CA.ClientConfig()}, Timeout: 30 * time.Second}
}

// Close stops every server of the world.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	for _, c := range s.closers {
		_ = c()
	}
}
