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
	"sync"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// Config configures a Server: the shared mail server configuration, the
// personality, and IMAP's bound on APPEND.
type Config struct {
	mailauth.ServerConfig
	Personality mailauth.IMAPPersonality
	// MaxMessageBytes bounds an APPEND (default 10 MiB): the provider's
	// message size, the SIZE its SMTP server announces. A larger one gets
	// NO [TOOBIG] before its literal is read.
	MaxMessageBytes int64
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
	// unhook stops the world ending the sessions at its reset.
	unhook func()
	// notConnected are the unconnected sessions by connection id
	// (unconnected.go).
	notConnected sync.Map
}

// Start serves the two listeners.
func Start(cfg Config) (*Server, error) {
	gate, err := cfg.Open("imap", 30*time.Minute)
	if err != nil {
		return nil, err
	}
	if cfg.MaxMessageBytes <= 0 || cfg.MaxMessageBytes > math.MaxUint32 {
		cfg.MaxMessageBytes = 10 << 20
	}
	s := &Server{cfg: cfg, Addr: cfg.Listener.Addr().String(), TLSAddr: cfg.TLSListener.Addr().String(), gate: gate}
	face := cfg.Face()
	face.Greeting, face.Rewrite, face.NewID = s.greeting, s.rewriter, cfg.Personality.ConnID
	face.Busy, face.Goodbye = "* BYE [UNAVAILABLE] Too many connections, try again later", "* BYE Server shutting down"
	face.Unblock = func() func([]byte) []byte {
		u := &unblocker{maxAppend: cfg.MaxMessageBytes}
		return u.next
	}
	plain := mailconn.Wrap(cfg.Listener, face)
	s.serve(plain, cfg.TLS, cfg.InsecureAuth)
	// After STARTTLS, the connection is served as an implicit-TLS one.
	s.serve(mailconn.Upgraded(plain), nil, true)
	// Implicit TLS: the listener does TLS, so imapserver sees a plain
	// connection and must be told authentication is safe.
	face.TLS, face.StartTLS = cfg.TLS, nil
	s.serve(mailconn.Wrap(cfg.TLSListener, face), nil, true)
	// A reset of the world ends the open sessions, with their goodbye.
	s.unhook = cfg.World.OnMailReset(s.group.Hangup)
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
	s.group.Go(ln, func(l net.Listener) error { return srv.Serve(s.bound(l)) }, srv.Close)
}

// Close stops the listeners and closes every connection.
func (s *Server) Close() error {
	s.unhook()
	return s.group.Close()
}

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
