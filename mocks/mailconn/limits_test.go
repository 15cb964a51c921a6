package mailconn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/tlsca"
)

// echoServer greets every connection of ln and echoes its lines, until ln
// is closed; once it closed a connection, it says so on closed, if set.
func echoServer(ln net.Listener, closed chan<- struct{}) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer func() {
				c.Close()
				if closed != nil {
					closed <- struct{}{}
				}
			}()
			if _, err := c.Write([]byte("* OK hello\r\n")); err != nil {
				return
			}
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if _, err := c.Write([]byte(line)); err != nil {
					return
				}
			}
		}()
	}
}

// caAndListener returns a fresh CA and a listener on a free loopback port.
func caAndListener(t *testing.T) (*tlsca.CA, net.Listener) {
	t.Helper()
	ca, err := tlsca.New()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ca, raw
}

// await waits for ch, failing after a bound for the test only (a minute):
// a server that never gets there.
func await(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(time.Minute):
		t.Fatal("the server side never got there")
	}
}

// TestHandshakeDeadline: an implicit-TLS client that connects and never
// starts its handshake is let go at the handshake bound, not after Idle;
// one that completes it is held to Idle only, as the deadlines set on its
// connection show (issue 13, finding 5).
func TestHandshakeDeadline(t *testing.T) {
	t.Parallel()
	ca, raw := caAndListener(t)
	rec := &recorder{Listener: raw}
	const idle, handshake = 100 * time.Hour, time.Hour
	ln := Wrap(rec, Config{TLS: ca.ServerConfig(), Idle: idle, Handshake: handshake})
	defer ln.Close()
	go echoServer(ln, nil)
	c, err := tls.Dial("tcp", ln.Addr().String(), ca.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if line, _ := r.ReadString('\n'); line != "* OK hello\r\n" {
		t.Fatalf("greeting %q", line)
	}
	if _, err := c.Write([]byte("a NOOP\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); line != "a NOOP\r\n" {
		t.Fatalf("after the handshake: %q %v", line, err)
	}
	// The handshake ran under its bound, on both sides; then the write
	// deadline is gone and the read deadline is Idle's.
	during, after := rec.deadlines()
	if during.read <= 0 || during.read > handshake || during.write <= 0 || during.write > handshake {
		t.Fatalf("deadlines during the handshake %+v, want within %v", during, handshake)
	}
	if after.write != 0 || after.read <= handshake || after.read > idle {
		t.Fatalf("deadlines after the handshake %+v, want no write deadline and a read one of Idle (%v)", after, idle)
	}

	ca, raw = caAndListener(t)
	ln = Wrap(raw, Config{TLS: ca.ServerConfig(), Idle: time.Hour, Handshake: 50 * time.Millisecond})
	defer ln.Close()
	go echoServer(ln, nil)
	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// A bound for the test only: Idle would keep it an hour.
	_ = silent.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("a silent client: %v, want the connection closed", err)
	}
}

// recorder is a listener whose one connection records the deadlines set
// on it, each as the time left when it was set (0: none): those in effect
// at its first read (the TLS handshake's ClientHello) and the last.
type recorder struct {
	net.Listener
	mu            sync.Mutex
	first, latest deadlines
	read          bool
}

type deadlines struct{ read, write time.Duration }

// Accept implements net.Listener.
func (r *recorder) Accept() (net.Conn, error) {
	c, err := r.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recorded{Conn: c, r: r}, nil
}

func (r *recorder) note(read, write bool, t time.Time) {
	var left time.Duration
	if !t.IsZero() {
		left = time.Until(t)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if read {
		r.latest.read = left
	}
	if write {
		r.latest.write = left
	}
}

// deadlines returns the deadlines in effect at the connection's first
// read and the last set.
func (r *recorder) deadlines() (first, latest deadlines) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first, r.latest
}

type recorded struct {
	net.Conn
	r *recorder
}

func (c *recorded) Read(p []byte) (int, error) {
	c.r.mu.Lock()
	if !c.r.read {
		c.r.first, c.r.read = c.r.latest, true
	}
	c.r.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *recorded) SetDeadline(t time.Time) error {
	c.r.note(true, true, t)
	return c.Conn.SetDeadline(t)
}

func (c *recorded) SetReadDeadline(t time.Time) error {
	c.r.note(true, false, t)
	return c.Conn.SetReadDeadline(t)
}

func (c *recorded) SetWriteDeadline(t time.Time) error {
	c.r.note(false, true, t)
	return c.Conn.SetWriteDeadline(t)
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "reset")
}

// TestLimit: past the cap a connection gets the busy line and is closed;
// a closed connection frees its place (issue 13, finding 5).
func TestLimit(t *testing.T) {
	t.Parallel()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limit := NewLimit(2)
	ln := Wrap(raw, Config{Limit: limit, Busy: "421 4.7.0 Too many connections, try again later"})
	defer ln.Close()
	closed := make(chan struct{}, 3)
	go echoServer(ln, closed)
	greet := func() (net.Conn, string) {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		return c, line
	}
	first, l1 := greet()
	second, l2 := greet()
	third, l3 := greet()
	defer second.Close()
	defer third.Close()
	if l1 != "* OK hello\r\n" || l2 != "* OK hello\r\n" || l3 != "421 4.7.0 Too many connections, try again later\r\n" {
		t.Fatalf("greetings %q %q %q", l1, l2, l3)
	}
	if _, err := third.Read(make([]byte, 1)); err == nil {
		t.Error("the refused connection stays open")
	}
	first.Close()
	await(t, closed) // the server closed its side: its place is free
	fourth, l4 := greet()
	defer fourth.Close()
	if l4 != "* OK hello\r\n" {
		t.Errorf("after one closed: %q", l4)
	}
}
