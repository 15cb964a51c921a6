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
	"strconv"
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
	// Host is the address every listener binds; "" means 127.0.0.1.
	Host string
	// Ports fixes the listeners' ports; a zero port is a free one.
	Ports Ports
}

// Ports are the listeners' ports.
type Ports struct {
	GoogleHTTPS, GoogleSMTP, GoogleSMTPS, GoogleIMAPS, GoogleIMAP int
}

// DefaultPorts are fixed ports for a standalone world (`mailoauth serve
// --ports default`), in the style of the real ones: 7587 for 587, 7465 for
// 465, 7993 for 993, 7143 for 143.
var DefaultPorts = Ports{GoogleHTTPS: 7781, GoogleSMTP: 7587, GoogleSMTPS: 7465, GoogleIMAPS: 7993, GoogleIMAP: 7143}

// Server is a running fake world.
type Server struct {
	// World is the state every fake server reads: move its Clock, inspect
	// its Events.
	World *world.World
	// CA is the certificate authority every listener's certificate chains to.
	CA *tlsca.CA
	// Google is the fake Google.
	Google *Google

	host    string
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
	host := opts.Host
	if host == "" {
		host = "127.0.0.1"
	}
	var extra []string
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		extra = append(extra, host)
	}
	ca, err := tlsca.New(extra...)
	if err != nil {
		return nil, err
	}
	s := &Server{World: w, CA: ca, host: host}
	g := google.New(w, google.Options{AutoApproveLoginHint: opts.AutoApproveLoginHint})
	url, err := s.serveHTTPS(g.Handler(), opts.Ports.GoogleHTTPS)
	if err != nil {
		s.Close()
		return nil, err
	}
	g.SetIssuer(url)
	s.Google = &Google{Provider: g, URL: url}
	p := opts.Ports
	if s.Google.Mail, err = s.startMail(google.Name, g, google.Personality(),
		Mail{SMTP: s.addr(p.GoogleSMTP), SMTPS: s.addr(p.GoogleSMTPS), IMAPS: s.addr(p.GoogleIMAPS), IMAP: s.addr(p.GoogleIMAP)}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) addr(port int) string {
	return net.JoinHostPort(s.host, strconv.Itoa(port))
}

// startMail starts a provider's SMTP and IMAP servers at the addresses of
// at, deciding with its mail rule and speaking with its personality.
func (s *Server) startMail(provider string, rule mailauth.Rule, p mailauth.Personality, at Mail) (Mail, error) {
	sm, err := smtp.Start(smtp.Config{Addr: at.SMTP, TLSAddr: at.SMTPS, Provider: provider, World: s.World, Rule: rule,
		Personality: p.SMTP, TLS: s.CA.ServerConfig()})
	if err != nil {
		return Mail{}, err
	}
	s.closers = append(s.closers, sm.Close)
	im, err := imap.Start(imap.Config{Addr: at.IMAP, TLSAddr: at.IMAPS, Provider: provider, World: s.World, Rule: rule,
		Personality: p.IMAP, TLS: s.CA.ServerConfig()})
	if err != nil {
		return Mail{}, err
	}
	s.closers = append(s.closers, im.Close)
	return Mail{SMTP: sm.Addr, SMTPS: sm.TLSAddr, IMAPS: im.TLSAddr, IMAP: im.Addr}, nil
}

// serveHTTPS serves h over TLS on port (0: a free one) and returns its URL.
func (s *Server) serveHTTPS(h http.Handler, port int) (string, error) {
	ln, err := net.Listen("tcp", s.addr(port))
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
}
