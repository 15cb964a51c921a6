// Package smtp is the provider-neutral fake SMTP submission server, on
// emersion/go-smtp: AUTH XOAUTH2 and OAUTHBEARER decided by the provider's
// mail rule, the provider's personality (greeting, mechanisms, reply
// lines), STARTTLS and implicit TLS listeners, and delivery into the
// world's mailboxes.
package smtp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// Config configures a Server: the shared mail server configuration (its
// Idle bounds every read and write), the personality, and SMTP's bounds.
type Config struct {
	mailauth.ServerConfig
	Personality mailauth.SMTPPersonality
	// MaxMessageBytes bounds DATA (default: the personality's, else 10 MiB).
	MaxMessageBytes int64
	// MaxRecipients bounds RCPT TO per message (default 100).
	MaxRecipients int
}

// Server is a running fake SMTP server with two listeners, or one when
// the personality has NoImplicitTLS.
type Server struct {
	// Addr is the submission listener (STARTTLS, like port 587).
	Addr string
	// TLSAddr is the implicit-TLS listener (like port 465); "" when the
	// personality has NoImplicitTLS.
	TLSAddr string

	cfg   Config
	gate  mailauth.Gate
	group mailconn.Group
	// unhook stops the world ending the sessions at its reset.
	unhook func()

	mu sync.Mutex
	// sessions counts the open sessions authenticated as each mailbox
	// (mailstore.Key), for MaxSessionsPerMailbox.
	sessions map[string]int
}

// Start serves the two listeners (the STARTTLS one only when the
// personality has NoImplicitTLS: a TLSListener given is then closed).
func Start(cfg Config) (*Server, error) {
	gate, err := cfg.Open("smtp", 5*time.Minute)
	if err != nil {
		return nil, err
	}
	if cfg.Personality.NoImplicitTLS {
		_ = cfg.TLSListener.Close()
		cfg.TLSListener = nil
	}
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = cfg.Personality.MaxMessageBytes
	}
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = 10 << 20
	}
	if cfg.MaxRecipients == 0 {
		cfg.MaxRecipients = 100
	}
	s := &Server{cfg: cfg, Addr: cfg.Listener.Addr().String(), gate: gate, sessions: map[string]int{}}
	face := cfg.Face()
	face.NewID, face.Rewrite, face.Busy, face.Goodbye = cfg.Personality.ConnID, s.rewriter, busy, goodbye
	face.Greeting = func(c *mailconn.Conn) string {
		return "220 " + mailauth.Expand(cfg.Personality.Greeting, c.ID, c.IP)
	}
	// Submission: plain until STARTTLS; AUTH only after it.
	plain := mailconn.Wrap(cfg.Listener, face)
	s.serve(plain, cfg.TLS, cfg.InsecureAuth)
	// After STARTTLS, the connection is served as an implicit-TLS one.
	s.serve(mailconn.Upgraded(plain), nil, true)
	// Implicit TLS: the listener does TLS, so the library sees a plain
	// connection and must be told AUTH is safe.
	if !cfg.Personality.NoImplicitTLS {
		s.TLSAddr = cfg.TLSListener.Addr().String()
		face.TLS, face.StartTLS = cfg.TLS, nil
		s.serve(mailconn.Wrap(cfg.TLSListener, face), nil, true)
	}
	// A reset of the world ends the open sessions, with their goodbye.
	s.unhook = cfg.World.OnMailReset(s.group.Hangup)
	return s, nil
}

func (s *Server) serve(ln net.Listener, starttls *tls.Config, insecureAuth bool) {
	srv := gosmtp.NewServer(backend{s})
	srv.Domain = s.cfg.Personality.Domain
	srv.TLSConfig = starttls
	srv.AllowInsecureAuth = insecureAuth
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.MaxRecipients = s.cfg.MaxRecipients
	srv.MaxLineLength = 2000
	srv.ReadTimeout = s.cfg.Idle
	srv.WriteTimeout = s.cfg.Idle
	srv.ErrorLog = mailauth.PanicLog{World: s.cfg.World, Provider: s.cfg.Provider, Protocol: "smtp"}
	// What the personality lists, go-smtp takes (their parameters too).
	exts := s.cfg.Personality.Extensions
	srv.EnableDSN, srv.EnableBINARYMIME, srv.EnableSMTPUTF8 =
		slices.Contains(exts, "DSN"), slices.Contains(exts, "BINARYMIME"), slices.Contains(exts, "SMTPUTF8")
	s.group.Go(ln, srv.Serve, func() error {
		if err := srv.Close(); !errors.Is(err, gosmtp.ErrServerClosed) {
			return err
		}
		return nil
	})
}

// Close stops the listeners and closes every connection.
func (s *Server) Close() error {
	s.unhook()
	return s.group.Close()
}

// busy is the reply to a connection past the Limit, goodbye the one to
// every open connection when the server stops (RFC 5321 §3.8).
const (
	busy    = "421 4.7.0 Too many connections, try again later"
	goodbye = "421 4.3.2 Service not available, closing transmission channel"
)

// reply turns a personality reply into the error go-smtp writes. go-smtp
// puts the enhanced code on the last line of a multi-line reply only; the
// others get it here, as RFC 2034 §4 asks and as Gmail sends
// ("535-5.7.8 Username and Password not accepted...").
func reply(r mailauth.SMTPReply, id, ip string) *gosmtp.SMTPError {
	lines := strings.Split(mailauth.Expand(r.Text, id, ip), "\n")
	if r.Enhanced == [3]int{} {
		return &gosmtp.SMTPError{Code: r.Code, EnhancedCode: gosmtp.NoEnhancedCode, Message: strings.Join(lines, "\n")}
	}
	enh := fmt.Sprintf("%d.%d.%d ", r.Enhanced[0], r.Enhanced[1], r.Enhanced[2])
	for i := range lines[:len(lines)-1] {
		lines[i] = enh + lines[i]
	}
	return &gosmtp.SMTPError{Code: r.Code, EnhancedCode: gosmtp.EnhancedCode(r.Enhanced),
		Message: strings.Join(lines, "\n")}
}

// join counts one more session authenticated as mailbox; leave counts
// one less.
func (s *Server) join(mailbox string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[mailstore.Key(mailbox)]++
}

func (s *Server) leave(mailbox string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := mailstore.Key(mailbox)
	if s.sessions[k]--; s.sessions[k] <= 0 {
		delete(s.sessions, k)
	}
}

// open is how many sessions authenticated as mailbox are open.
func (s *Server) open(mailbox string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[mailstore.Key(mailbox)]
}

type backend struct{ s *Server }

// NewSession implements gosmtp.Backend.
func (b backend) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &session{s: b.s, c: c, conn: mailconn.Of(c.Conn())}, nil
}
