// Package mailconn is the connection plumbing the fake mail servers share:
// listeners that put the provider's greeting in place of the protocol
// library's, rewrite the library's reply lines into the provider's, take
// STARTTLS from the library once it said the go-ahead, keep a deadline on
// every read, cap the connections and say goodbye on shutdown.
package mailconn

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Listener.
type Config struct {
	// NewID makes the id of a new connection, in the provider's shape;
	// nil: 20 hex digits.
	NewID func() string
	// TLS, if set, makes the listener implicit TLS (SMTPS 465, IMAPS 993).
	TLS *tls.Config
	// Greeting, if set, returns the greeting line (without CRLF) for a new
	// connection; it replaces the first line the server library writes.
	Greeting func(c *Conn) string
	// Idle bounds every read: no read deadline is ever later than Idle
	// from now, whatever the library asks for.
	Idle time.Duration
	// Rewrite, if set, returns the connection's rewriter: it sees every
	// complete line the library writes after the greeting (CRLF included)
	// and returns what goes on the wire in its place (nothing yet, to
	// write it with a later line). last reports that the line is the
	// library's STARTTLS go-ahead, the last one in clear: see StartTLS.
	// What it returns is copied before it is called again: it may be the
	// rewriter's own buffer.
	Rewrite func(c *Conn) func(line []byte) (out []byte, last bool)
	// Handshake bounds the wait for a TLS client's first bytes, implicit
	// TLS or after STARTTLS (default HandshakeTimeout): a client that
	// never starts TLS is let go then, not after Idle. Once its first
	// bytes (its ClientHello) arrived, the rest of the handshake is
	// bounded by Idle, as a command is (or by Handshake again, from then,
	// without Idle): a client slow to answer the server's flight, as a
	// loaded one is, is not cut off in the middle of its handshake, which
	// it would only see when its next write met a reset connection.
	Handshake time.Duration
	// Limit, if set, caps the connections open at once (shared by the
	// listeners given the same Limit); one past the cap gets Busy and is
	// closed.
	Limit *Limit
	// Busy is the line (without CRLF) a connection past the Limit gets
	// before it is closed: the protocol's "too busy" reply.
	Busy string
	// Goodbye is the line (without CRLF) every open connection gets when
	// the server stops (Goodbye): SMTP's 421, IMAP's BYE, POP3's -ERR.
	Goodbye string
	// Unblock, if set, returns a new follower of what the client sends: it
	// sees the bytes each time the library reads, in the clear (or inside
	// the connection's TLS), and returns what the library reads next
	// instead of waiting for the client: for a command the library would
	// wait on although the client waits for it (an IMAP literal it refuses
	// without saying so). Nil: nothing.
	Unblock func() func(read []byte) []byte
	// StartTLS is the certificate configuration for STARTTLS. When set,
	// the library only says the go-ahead (the line Rewrite calls the last
	// in clear): the connection is then taken from it (it reads the end of
	// the stream) and handed as a new TLS connection, with the same id, to
	// the server that serves Upgraded (configured as for implicit TLS),
	// whose greeting is swallowed; the handshake is done on its first read
	// or write. The library's state goes with the old connection, as RFC
	// 3207 §4.2 and RFC 9051 §6.2.1 ask, and the lines in TLS are still
	// rewritten. Nil: the library does its own STARTTLS, and rewriting
	// stops at the go-ahead.
	StartTLS *tls.Config
	// ErrorLog, if set, gets a line for each TLS handshake that failed,
	// as net/http's does: the server's side of a client cut off. Nil:
	// nothing.
	ErrorLog *log.Logger
}

// HandshakeTimeout is how long a TLS client has to start its handshake,
// unless Config.Handshake says otherwise.
const HandshakeTimeout = 10 * time.Second

// Limit caps how many connections are open at once.
type Limit struct {
	max  int64
	open atomic.Int64
}

// NewLimit returns a cap of max connections.
func NewLimit(max int) *Limit { return &Limit{max: int64(max)} }

// take counts one more connection, unless the cap is reached.
func (l *Limit) take() bool {
	if l.open.Add(1) > l.max {
		l.open.Add(-1)
		return false
	}
	return true
}

// Open returns how many connections are counted.
func (l *Limit) Open() int { return int(l.open.Load()) }

// Wrap returns ln accepting connections with cfg.
func Wrap(ln net.Listener, cfg Config) net.Listener {
	l := &listener{Listener: ln, cfg: cfg, open: map[*Conn]struct{}{}}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	if cfg.StartTLS != nil {
		l.upgraded = &upgraded{addr: ln.Addr(), conns: make(chan *Conn), done: make(chan struct{})}
	}
	return l
}

type listener struct {
	net.Listener
	cfg      Config
	upgraded *upgraded // nil without Config.StartTLS
	// ctx is the parent of the connections' contexts, done once the
	// listener is closed.
	ctx    context.Context
	cancel context.CancelFunc

	mu   sync.Mutex
	open map[*Conn]struct{}
}

// Goodbye writes the listener's goodbye line on every connection it has
// open, where it can be said in the clear or in the connection's own TLS
// (after STARTTLS too): not on one a library took into its own TLS. ln is
// a listener of Wrap; any other is left alone.
func Goodbye(ln net.Listener) {
	l, ok := ln.(*listener)
	if !ok || l.cfg.Goodbye == "" {
		return
	}
	l.mu.Lock()
	conns := make([]*Conn, 0, len(l.open))
	for c := range l.open {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	// Each at once: a TLS session still in its handshake may take the
	// whole bound of a goodbye.
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.say(l.cfg.Goodbye)
		}()
	}
	wg.Wait()
}

// Hangup says the listener's goodbye on every connection it has open, as
// Goodbye does, and closes them (those after STARTTLS too); the listener
// goes on. ln is a listener of Wrap; any other is left alone.
func Hangup(ln net.Listener) {
	l, ok := ln.(*listener)
	if !ok {
		return
	}
	Goodbye(l)
	l.mu.Lock()
	conns := make([]*Conn, 0, len(l.open))
	for c := range l.open {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// Accept implements net.Listener.
func (l *listener) Accept() (net.Conn, error) {
	raw, err := l.Listener.Accept()
	for err == nil && l.cfg.Limit != nil && !l.cfg.Limit.take() {
		go l.refuse(raw)
		raw, err = l.Listener.Accept()
	}
	if err != nil {
		return nil, err
	}
	var inner net.Conn = raw
	var start *tlsStart
	if l.cfg.TLS != nil {
		start = &tlsStart{Conn: raw}
		inner = tls.Server(start, l.cfg.TLS)
	}
	newID := l.cfg.NewID
	if newID == nil {
		newID = hexID
	}
	c := &Conn{Conn: inner, ID: newID(), IP: Host(raw.RemoteAddr()), tls: l.cfg.TLS != nil, peer: raw, start: start}
	if l.cfg.Greeting != nil {
		c.greeting = []byte(l.cfg.Greeting(c) + "\r\n")
	}
	return l.track(c), nil
}

// Close implements net.Listener; the contexts of its connections are
// done.
func (l *listener) Close() error {
	l.cancel()
	return l.Listener.Close()
}

// track gives c the listener's settings and counts it open.
func (l *listener) track(c *Conn) *Conn {
	c.ctx, c.cancel = context.WithCancel(context.WithValue(l.ctx, transportKey{}, c.transport()))
	c.l, c.limit, c.idle, c.handshakeFor, c.sayTo = l, l.cfg.Limit, l.cfg.Idle, l.cfg.Handshake, c.Conn
	if c.handshakeFor <= 0 {
		c.handshakeFor = HandshakeTimeout
	}
	if l.cfg.Rewrite != nil {
		c.rewrite = l.cfg.Rewrite(c)
	}
	if l.cfg.Unblock != nil {
		c.unblock = l.cfg.Unblock()
	}
	if c.idle > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	}
	l.mu.Lock()
	l.open[c] = struct{}{}
	l.mu.Unlock()
	return c
}

// forget takes c off the listener's open connections.
func (l *listener) forget(c *Conn) {
	l.mu.Lock()
	delete(l.open, c)
	l.mu.Unlock()
}

// Upgraded returns the listener of ln's connections that completed
// STARTTLS (Config.StartTLS), for a server of the library configured as
// for implicit TLS; closing it closes ln's handing over only. Nil if ln
// is not a listener of Wrap with Config.StartTLS.
func Upgraded(ln net.Listener) net.Listener {
	if l, ok := ln.(*listener); ok && l.upgraded != nil {
		return l.upgraded
	}
	return nil
}

// upgraded is the listener Upgraded returns: connections come from their
// STARTTLS, not from the network.
type upgraded struct {
	addr   net.Addr
	conns  chan *Conn
	done   chan struct{}
	closed sync.Once
}

// Accept implements net.Listener.
func (u *upgraded) Accept() (net.Conn, error) {
	select {
	case c := <-u.conns:
		return c, nil
	case <-u.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (u *upgraded) Close() error {
	u.closed.Do(func() { close(u.done) })
	return nil
}

// Addr implements net.Listener: the STARTTLS listener's address.
func (u *upgraded) Addr() net.Addr { return u.addr }

// hand gives c to the server of Upgraded; once that is closed, c is
// closed instead.
func (u *upgraded) hand(c *Conn) {
	select {
	case u.conns <- c:
	case <-u.done:
		_ = c.Close()
	}
}

// Conn is a connection accepted by a Listener.
type Conn struct {
	net.Conn
	l            *listener
	ctx          context.Context // done once the connection is closed
	cancel       context.CancelFunc
	limit        *Limit // nil once the connection moved on (STARTTLS)
	released     sync.Once
	handshakeFor time.Duration
	start        *tlsStart // under the TLS session of a TLS connection
	handshook    sync.Once
	handshakeErr error
	readBy       atomic.Int64 // the read deadline last asked for, Unix nanoseconds; 0: none
	// sayTo is where a line to the client goes in its clear text, beside
	// the library: the connection, or its TLS session; nil once a library
	// took the connection into its own TLS.
	sayTo   net.Conn
	greeted bool
	// ID names the connection in the provider's replies (Config.NewID's,
	// or 20 hex digits); it stays the same after STARTTLS.
	ID string
	// IP is the client's address.
	IP string

	idle     time.Duration
	tls      bool
	starttls bool                // in TLS after STARTTLS (tls is true too)
	peer     net.Conn            // the accepted connection, for its addresses
	unblock  func([]byte) []byte // Config.Unblock's follower
	injected []byte              // what the library reads next, before the client's bytes

	mu       sync.Mutex
	farewell []byte // CloseAfter's line, written after the library's next write
	greeting []byte // replaces the first line written, until written; empty: swallows it
	rewrite  func([]byte) ([]byte, bool)
	pending  []byte // what the library wrote of its current line so far
	out      []byte // what Write writes, kept between writes
}

// maxKept bounds the write buffer a connection keeps between writes.
const maxKept = 4 << 10

// Of returns the Conn under c, a Conn or a TLS connection over one (after
// a library's own STARTTLS); nil if there is none.
func Of(c net.Conn) *Conn {
	for c != nil {
		switch t := c.(type) {
		case *Conn:
			return t
		case *tls.Conn:
			c = t.NetConn()
		case interface{ NetConn() net.Conn }:
			c = t.NetConn()
		default:
			return nil
		}
	}
	return nil
}

// hexID is a connection id of 20 hex digits.
func hexID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IsTLS reports whether c is a TLS connection: implicit TLS from a
// Listener or after its STARTTLS, or a *tls.Conn (a library's own
// STARTTLS).
func IsTLS(c net.Conn) bool {
	switch c := c.(type) {
	case *tls.Conn:
		return true
	case *Conn:
		return c.tls
	}
	return false
}

// refuse answers a connection past the Limit with the Busy line (over TLS
// for an implicit-TLS listener) and closes it.
func (l *listener) refuse(raw net.Conn) {
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(5 * time.Second))
	var c net.Conn = raw
	if l.cfg.TLS != nil {
		tc := tls.Server(raw, l.cfg.TLS)
		if tc.Handshake() != nil {
			return
		}
		c = tc
	}
	if l.cfg.Busy != "" {
		_, _ = c.Write([]byte(l.cfg.Busy + "\r\n"))
	}
}

// StartTLS moves the connection on after its server said the STARTTLS
// go-ahead, as a Rewrite's last line does (Config.StartTLS): for a server
// of its own (POP3's STLS) that knows when it said it. From now on c
// reads the end of the stream; the client's TLS session goes to the
// server of Upgraded. It reports false, and does nothing, if the listener
// has no Config.StartTLS, or c is in TLS or moved on already.
func (c *Conn) StartTLS() bool {
	c.mu.Lock()
	_, moved := c.Conn.(movedOn)
	if c.l == nil || c.l.cfg.StartTLS == nil || c.tls || moved {
		c.mu.Unlock()
		return false
	}
	c.rewrite, c.sayTo = nil, nil
	next := c.moveOn()
	c.mu.Unlock()
	c.l.upgraded.hand(c.l.track(next))
	return true
}

// say writes line to the client beside the library (Goodbye), if the
// connection was greeted and its clear text can still be reached, within
// a second: in TLS, after the handshake, which the client may be
// completing (the session's Close before it read the client's Finished
// would reset the connection, and the line with it).
func (c *Conn) say(line string) {
	c.mu.Lock()
	w, greeted := c.sayTo, c.greeted
	c.mu.Unlock()
	// Written without c.mu: w may be a TLS session over c itself.
	if w == nil || !greeted {
		return
	}
	_ = w.SetDeadline(time.Now().Add(time.Second))
	_, _ = w.Write([]byte(line + "\r\n"))
}

// handshake completes a TLS connection's handshake (implicit TLS, or after
// STARTTLS) within its bounds (Config.Handshake), before the first read or
// write, then puts back the read deadline the library asked for.
func (c *Conn) handshake() error {
	c.handshook.Do(func() {
		tc, ok := c.Conn.(*tls.Conn)
		if !ok {
			return
		}
		rest := c.idle
		if rest <= 0 {
			rest = c.handshakeFor
		}
		c.start.arm(c.handshakeFor, rest)
		c.handshakeErr = tc.Handshake()
		if c.handshakeErr != nil && c.l.cfg.ErrorLog != nil {
			c.l.cfg.ErrorLog.Printf("mailconn: TLS handshake error from %s: %v", c.RemoteAddr(), c.handshakeErr)
		}
		_ = tc.SetWriteDeadline(time.Time{})
		var by time.Time
		if n := c.readBy.Load(); n != 0 {
			by = time.Unix(0, n)
		}
		_ = tc.SetReadDeadline(c.clamp(by))
	})
	return c.handshakeErr
}

// Read implements net.Conn, after the TLS handshake of a TLS connection.
func (c *Conn) Read(p []byte) (int, error) {
	if c.tls {
		if err := c.handshake(); err != nil {
			return 0, err
		}
	}
	if len(c.injected) > 0 {
		n := copy(p, c.injected)
		c.injected = c.injected[n:]
		return n, nil
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.unblock != nil {
		c.injected = c.unblock(p[:n])
	}
	return n, err
}

// Write implements net.Conn: the library's first line is swallowed and the
// provider's greeting written in its place; the following lines go through
// Rewrite, if any, then everything goes through untouched. A line written
// in pieces is held until its CRLF. After a STARTTLS go-ahead, the
// connection moves on (Config.StartTLS).
func (c *Conn) Write(p []byte) (int, error) {
	if c.tls {
		if err := c.handshake(); err != nil {
			return 0, err
		}
	}
	c.mu.Lock()
	if c.greeting == nil && c.rewrite == nil && c.farewell == nil {
		n, err := c.Conn.Write(p)
		c.greeted = c.greeted || n > 0
		c.mu.Unlock()
		return n, err
	}
	buf := p
	if len(c.pending) > 0 {
		c.pending = append(c.pending, p...)
		buf = c.pending
	}
	if c.out == nil {
		c.out = make([]byte, 0, 512)
	}
	out := c.out[:0]
	goAhead := false
	rest := buf
	for c.greeting != nil || c.rewrite != nil {
		i := bytes.Index(rest, crlf)
		if i < 0 {
			break
		}
		line := rest[:i+2]
		rest = rest[i+2:]
		if c.greeting != nil {
			out = append(out, c.greeting...)
			c.greeting, c.greeted = nil, true
			continue
		}
		r, last := c.rewrite(line)
		out = append(out, r...)
		if last {
			goAhead = true
			c.rewrite, c.sayTo = nil, nil
		}
	}
	if c.greeting == nil && c.rewrite == nil {
		out = append(out, rest...)
		rest = nil
	}
	// What is left of the line goes before the library's next write
	// (rest may be the end of c.pending itself: append moves it down).
	c.pending = append(c.pending[:0], rest...)
	if cap(out) <= maxKept {
		c.out = out
	}
	var next *Conn
	farewell := len(out) > 0 && c.farewell != nil
	if farewell {
		out = append(out, c.farewell...)
		c.farewell = nil
	}
	if len(out) > 0 {
		if _, err := c.Conn.Write(out); err != nil {
			c.mu.Unlock()
			return 0, err
		}
		if goAhead && c.l.cfg.StartTLS != nil {
			next = c.moveOn()
		}
	}
	c.mu.Unlock()
	if farewell {
		_ = c.Close()
	}
	if next != nil {
		c.l.upgraded.hand(c.l.track(next))
	}
	return len(p), nil
}

// CloseAfter has line (without CRLF) written right after the next reply
// the library writes, in the same write, and the connection closed then:
// a server that gives up on a client after answering it (Exchange's "*
// BYE Connection closed. 14" after its tagged BAD, EX-08).
func (c *Conn) CloseAfter(line string) {
	c.mu.Lock()
	c.farewell = []byte(line + "\r\n")
	c.mu.Unlock()
}

// HangUpAfterRewrite has the connection closed once the write whose
// lines its rewriter is rewriting is out: for a rewriter (Config.Rewrite)
// that puts a goodbye in a reply line, and only from there, where the
// connection's lock is held (CloseAfter would wait for it).
func (c *Conn) HangUpAfterRewrite() {
	if c.farewell == nil {
		c.farewell = []byte{}
	}
}

// moveOn takes the connection from the library after its STARTTLS
// go-ahead and returns the client's TLS session on it, as a new Conn with
// the same id, whose library greeting is swallowed. From now on c reads
// the end of the stream, writes nowhere, and closing it leaves the
// client's connection (and its place under the Limit) to the new Conn.
// Called with c.mu held.
func (c *Conn) moveOn() *Conn {
	// The client was greeted before STARTTLS: a goodbye is for it from
	// the start, in TLS.
	start := &tlsStart{Conn: c.Conn}
	next := &Conn{Conn: tls.Server(start, c.l.cfg.StartTLS), ID: c.ID, IP: c.IP, tls: true, starttls: true, peer: c.peer,
		greeting: []byte{}, greeted: true, start: start}
	c.l.forget(c)
	c.Conn, c.limit = movedOn{c.peer}, nil
	return next
}

// movedOn is what is left to a library of a connection that moved on
// after STARTTLS.
type movedOn struct{ net.Conn }

func (movedOn) Read([]byte) (int, error)         { return 0, io.EOF }
func (movedOn) Write([]byte) (int, error)        { return 0, net.ErrClosed }
func (movedOn) Close() error                     { return nil }
func (movedOn) SetDeadline(time.Time) error      { return nil }
func (movedOn) SetReadDeadline(time.Time) error  { return nil }
func (movedOn) SetWriteDeadline(time.Time) error { return nil }

// Context is done once the connection is closed (by the library, the
// server's shutdown or a fault) or its listener is: what the gate waits on
// instead of the client.
func (c *Conn) Context() context.Context { return c.ctx }

// Close implements net.Conn.
func (c *Conn) Close() error {
	c.released.Do(func() {
		c.cancel()
		if c.limit != nil {
			c.limit.open.Add(-1)
		}
		if c.l != nil {
			c.l.forget(c)
		}
	})
	return c.Conn.Close()
}

// RemoteAddr implements net.Conn: the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.peer.RemoteAddr() }

// LocalAddr implements net.Conn: the listener's address.
func (c *Conn) LocalAddr() net.Addr { return c.peer.LocalAddr() }

var crlf = []byte("\r\n")

// SetReadDeadline implements net.Conn, never later than the idle bound.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.remember(t)
	return c.Conn.SetReadDeadline(c.clamp(t))
}

// remember keeps the read deadline the library asked for, for after the
// handshake.
func (c *Conn) remember(t time.Time) {
	if t.IsZero() {
		c.readBy.Store(0)
	} else {
		c.readBy.Store(t.UnixNano())
	}
}

// SetDeadline implements net.Conn, the read side never later than the
// idle bound.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	c.remember(t)
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

// tlsStart is the connection under a TLS session. Armed by the
// handshake, it bounds the wait for the client's first bytes, then gives
// the rest of the handshake its own bound from the moment they arrive:
// unless another deadline was set in the meantime (a goodbye's, which
// must not wait longer).
type tlsStart struct {
	net.Conn
	first sync.Once // the first bytes read
	mu    sync.Mutex
	set   int // deadlines set on the connection so far
	armed int // set's value when armed; 0: not armed
	rest  time.Duration
}

// arm sets the deadlines of the wait for the client's first bytes, bound
// from now, and rest for after them.
func (t *tlsStart) arm(bound, rest time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.Conn.SetDeadline(time.Now().Add(bound))
	t.set++
	t.armed, t.rest = t.set, rest
}

// Read implements net.Conn.
func (t *tlsStart) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 {
		t.first.Do(t.started)
	}
	return n, err
}

// started moves the armed deadlines to rest from now, if they are still
// the last set.
func (t *tlsStart) started() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.armed != 0 && t.armed == t.set {
		_ = t.Conn.SetDeadline(time.Now().Add(t.rest))
	}
}

// SetDeadline implements net.Conn.
func (t *tlsStart) SetDeadline(d time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.set++
	return t.Conn.SetDeadline(d)
}

// SetReadDeadline implements net.Conn.
func (t *tlsStart) SetReadDeadline(d time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.set++
	return t.Conn.SetReadDeadline(d)
}

// SetWriteDeadline implements net.Conn.
func (t *tlsStart) SetWriteDeadline(d time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.set++
	return t.Conn.SetWriteDeadline(d)
}
