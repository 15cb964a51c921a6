// Package mailconn is the connection plumbing the fake mail servers share:
// listeners that put the provider's greeting in place of the protocol
// library's, keep a deadline on every read, and remember whether the
// connection is TLS.
package mailconn

import (
	"bytes"
	"crypto/tls"
	"net"
	"sync"
	"time"
)

// Config configures a Listener.
type Config struct {
	// TLS, if set, makes the listener implicit TLS (SMTPS 465, IMAPS 993).
	TLS *tls.Config
	// Greeting, if set, returns the greeting line (without CRLF) for a new
	// connection; it replaces the first line the server library writes.
	Greeting func(remote net.Addr) string
	// Idle bounds every read: no read deadline is ever later than Idle
	// from now, whatever the library asks for.
	Idle time.Duration
}

// Wrap returns ln accepting connections with cfg.
func Wrap(ln net.Listener, cfg Config) net.Listener {
	return &listener{Listener: ln, cfg: cfg}
}

type listener struct {
	net.Listener
	cfg Config
}

// Accept implements net.Listener.
func (l *listener) Accept() (net.Conn, error) {
	raw, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	var inner net.Conn = raw
	if l.cfg.TLS != nil {
		inner = tls.Server(raw, l.cfg.TLS)
	}
	c := &Conn{Conn: inner, idle: l.cfg.Idle, tls: l.cfg.TLS != nil}
	if l.cfg.Greeting != nil {
		c.greeting = []byte(l.cfg.Greeting(raw.RemoteAddr()) + "\r\n")
	}
	if c.idle > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	}
	return c, nil
}

// Conn is a connection accepted by a Listener.
type Conn struct {
	net.Conn
	idle time.Duration
	tls  bool

	mu       sync.Mutex
	greeting []byte // replaces the first line written, until written
	first    []byte // what the library wrote of its own first line so far
}

// IsTLS reports whether c is a TLS connection: implicit TLS from a
// Listener, or a *tls.Conn (after STARTTLS).
func IsTLS(c net.Conn) bool {
	switch c := c.(type) {
	case *tls.Conn:
		return true
	case *Conn:
		return c.tls
	}
	return false
}

// Write implements net.Conn: the library's first line is swallowed and the
// provider's greeting written in its place; everything after goes through.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.greeting == nil {
		return c.Conn.Write(p)
	}
	c.first = append(c.first, p...)
	i := bytes.Index(c.first, []byte("\r\n"))
	if i < 0 {
		return len(p), nil
	}
	out := append(c.greeting, c.first[i+2:]...)
	c.greeting, c.first = nil, nil
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// SetReadDeadline implements net.Conn, never later than the idle bound.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.Conn.SetReadDeadline(c.clamp(t))
}

// SetDeadline implements net.Conn, the read side never later than the
// idle bound.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetReadDeadline(c.clamp(t))
}

func (c *Conn) clamp(t time.Time) time.Time {
	if c.idle <= 0 {
		return t
	}
	limit := time.Now().Add(c.idle)
	if t.IsZero() || t.After(limit) {
		return limit
	}
	return t
}
