// Package imap is the provider-neutral fake IMAP server, on go-imap v2's
// imapserver: AUTHENTICATE XOAUTH2 and OAUTHBEARER (with SASL-IR) decided by
// the provider's mail rule, the provider's greeting and reply texts, LOGIN
// refused (basic auth is gone), implicit TLS and STARTTLS listeners, and
// the world's mailboxes (go-imap's in-memory store: SELECT, FETCH, SEARCH,
// STORE, IDLE...).
package imap

import (
	"crypto/tls"
	"math"
	"net"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Config configures a Server.
type Config struct {
	// Listener and TLSListener are the plain (STARTTLS) and the
	// implicit-TLS listeners; nil: a free port of 127.0.0.1.
	Listener, TLSListener net.Listener
	// Provider is the provider's key in the world ("google").
	Provider    string
	World       *world.World
	Rule        mailauth.Rule
	Personality mailauth.IMAPPersonality
	// TLS is the certificate configuration for implicit TLS and STARTTLS.
	TLS *tls.Config
	// Idle bounds every read (default 30 minutes, RFC 9051 §5.4).
	Idle time.Duration
	// MaxMessageBytes bounds an APPEND (default 10 MiB): the provider's
	// message size, the SIZE its SMTP server announces. A larger one gets
	// NO [TOOBIG] before its literal is read.
	MaxMessageBytes int64
	// Limit caps the connections open at once, shared with the world's
	// other mail listeners; nil: no cap. One past it is told so and closed.
	Limit *mailconn.Limit
	// InsecureAuth allows authentication on the plain port before
	// STARTTLS, for clients that cannot do TLS (manifest security "none")
	// and benchmarks. The real providers never allow it.
	InsecureAuth bool
}

// Server is a running fake IMAP server with two listeners.
type Server struct {
	// TLSAddr is the implicit-TLS listener (like port 993).
	TLSAddr string
	// Addr is the plain listener that offers STARTTLS (like port 143).
	Addr string

	cfg   Config
	gate  mailauth.Gate
	group mailconn.Group
}

// Start serves the two listeners.
func Start(cfg Config) (*Server, error) {
	if err := mailconn.OrLoopback(&cfg.Listener, &cfg.TLSListener); err != nil {
		return nil, err
	}
	if cfg.Idle == 0 {
		cfg.Idle = 30 * time.Minute
	}
	if cfg.MaxMessageBytes <= 0 || cfg.MaxMessageBytes > math.MaxUint32 {
		cfg.MaxMessageBytes = 10 << 20
	}
	s := &Server{cfg: cfg, Addr: cfg.Listener.Addr().String(), TLSAddr: cfg.TLSListener.Addr().String(),
		gate: mailauth.Gate{Provider: cfg.Provider, Protocol: "imap", World: cfg.World, Rule: cfg.Rule}}
	// Implicit TLS: the listener does TLS, so imapserver sees a plain
	// connection and must be told authentication is safe.
	face := mailconn.Config{Greeting: s.greeting, Rewrite: s.rewriter, Idle: cfg.Idle, NewID: cfg.Personality.ConnID,
		Limit: cfg.Limit, Busy: "* BYE [UNAVAILABLE] Too many connections, try again later",
		Goodbye: "* BYE Server shutting down",
		Unblock: func() func([]byte) []byte {
			u := &unblocker{maxAppend: cfg.MaxMessageBytes}
			return u.next
		},
		StartTLS: cfg.TLS}
	plain := mailconn.Wrap(cfg.Listener, face)
	s.serve(plain, cfg.TLS, cfg.InsecureAuth)
	// After STARTTLS, the connection is served as an implicit-TLS one.
	s.serve(mailconn.Upgraded(plain), nil, true)
	face.TLS, face.StartTLS = cfg.TLS, nil
	s.serve(mailconn.Wrap(cfg.TLSListener, face), nil, true)
	return s, nil
}

// greeting is the provider's greeting on a new connection.
func (s *Server) greeting(c *mailconn.Conn) string {
	return "* OK " + mailauth.Expand(s.cfg.Personality.Greeting, c.ID, c.IP)
}

func (s *Server) serve(ln net.Listener, starttls *tls.Config, insecureAuth bool) {
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{s: s, conn: mailconn.Of(c.NetConn())}, nil, nil
		},
		Caps:         caps(s.cfg.Personality.Capabilities),
		TLSConfig:    starttls,
		InsecureAuth: insecureAuth,
		Logger:       mailauth.PanicLog{World: s.cfg.World, Provider: s.cfg.Provider, Protocol: "imap"},
	})
	s.group.Go(ln, srv.Serve, srv.Close)
}

// Close stops the listeners and closes every connection.
func (s *Server) Close() error { return s.group.Close() }

// reply turns a personality reply into the error imapserver writes.
func reply(r mailauth.IMAPReply, id, ip string) *goimap.Error {
	return &goimap.Error{Type: goimap.StatusResponseType(r.Type), Code: goimap.ResponseCode(r.Code),
		Text: mailauth.Expand(r.Text, id, ip)}
}

// caps is the personality's capability list for imapserver, which adds
// the state-dependent ones itself.
func caps(list []string) goimap.CapSet {
	set := goimap.CapSet{goimap.CapIMAP4rev1: {}}
	for _, c := range list {
		set[goimap.Cap(c)] = struct{}{}
	}
	return set
}
