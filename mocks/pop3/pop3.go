// Package pop3 is the provider-neutral fake POP3 server: RFC 1939 over the
// world's mail store (the INBOX is the maildrop), CAPA (RFC 2449), AUTH
// with SASL XOAUTH2 and OAUTHBEARER decided by the provider's mail rule
// (RFC 5034, with or without an initial response), USER/PASS refused as
// basic authentication, STLS (RFC 2595) and implicit TLS listeners. No
// maintained Go POP3 server library was found (README), so the protocol is
// written here, small and fuzzed (FuzzSession); the connections' lifecycle
// (limits, deadlines, STLS's hand-over, shutdown) is mailconn's, as for
// SMTP and IMAP.
package pop3

import (
	"net"
	"sync"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// Config configures a Server: the shared mail server configuration and
// the personality.
type Config struct {
	mailauth.ServerConfig
	Personality mailauth.POP3Personality
}

// Server is a running fake POP3 server with two listeners.
type Server struct {
	// Addr is the plain listener that offers STLS; TLSAddr the
	// implicit-TLS one.
	Addr, TLSAddr string

	cfg   Config
	gate  mailauth.Gate
	group mailconn.Group
	// unhook stops the world ending the sessions at its reset.
	unhook func()
}

// Start serves the two listeners.
func Start(cfg Config) (*Server, error) {
	gate, err := cfg.Open("pop3", 10*time.Minute)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, Addr: cfg.Listener.Addr().String(), TLSAddr: cfg.TLSListener.Addr().String(), gate: gate}
	face := cfg.Face()
	face.NewID, face.Busy, face.Goodbye = cfg.Personality.ConnID, busy, goodbye
	plain := mailconn.Wrap(cfg.Listener, face)
	s.serve(plain)
	// After STLS, the connection is served as an implicit-TLS one.
	s.serve(mailconn.Upgraded(plain))
	face.TLS, face.StartTLS = cfg.TLS, nil
	s.serve(mailconn.Wrap(cfg.TLSListener, face))
	// A reset of the world ends the open sessions, with their goodbye.
	s.unhook = cfg.World.OnMailReset(s.group.Hangup)
	return s, nil
}

// serve runs a session on every connection of ln until Close.
func (s *Server) serve(ln net.Listener) {
	l := &loop{s: s, open: map[net.Conn]struct{}{}}
	s.group.Go(ln, l.serve, l.close)
}

// Close says goodbye on every open connection, closes them and the
// listeners, and waits for the sessions to end.
func (s *Server) Close() error {
	s.unhook()
	return s.group.Close()
}

// loop is the sessions of one listener: what a protocol library's server
// is to mailconn.Group, its Serve and its Close.
type loop struct {
	s *Server

	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// serve runs a session on every connection ln accepts, until ln is
// closed; once the loop is closed, a connection is closed at once (and
// still taken: an STLS hand-over must not wait on it).
func (l *loop) serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			_ = c.Close()
			continue
		}
		l.open[c] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.session(c)
	}
}

// session serves c; a panic is recorded in the world's audit log.
func (l *loop) session(c net.Conn) {
	defer l.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			mailauth.PanicLog{World: l.s.cfg.World, Provider: l.s.cfg.Provider, Protocol: "pop3"}.Printf("panic serving: %v", v)
		}
		l.mu.Lock()
		delete(l.open, c)
		l.mu.Unlock()
		_ = c.Close()
	}()
	newSession(l.s, c).run()
}

// close closes every open connection and waits for their sessions.
func (l *loop) close() error {
	l.mu.Lock()
	l.closed = true
	for c := range l.open {
		_ = c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
	return nil
}
