package mailconn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/tlsca"
)

// echoServer greets every connection of ln and echoes its lines, until ln
// is closed.
func echoServer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
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

// waitOpen waits (5 s at most) until limit counts at most n connections,
// and returns how many it counts.
func waitOpen(limit *Limit, n int) int {
	deadline := time.Now().Add(5 * time.Second)
	for limit.Open() > n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return limit.Open()
}

// TestHandshakeDeadline: an implicit-TLS client that connects and never
// starts its handshake is let go at the handshake bound, not after Idle;
// one that completes it may then stay idle past that bound (issue 13,
// finding 5).
func TestHandshakeDeadline(t *testing.T) {
	t.Parallel()
	ca, raw := caAndListener(t)
	ln := Wrap(raw, Config{TLS: ca.ServerConfig(), Idle: time.Hour, Handshake: 200 * time.Millisecond})
	defer ln.Close()
	go echoServer(ln)

	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	began := time.Now()
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("a silent client: %v after %v, want the connection closed", err, time.Since(began))
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Fatalf("a silent client was let go after %v", took)
	}

	c, err := tls.Dial("tcp", ln.Addr().String(), ca.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if line, _ := r.ReadString('\n'); line != "* OK hello\r\n" {
		t.Fatalf("greeting %q", line)
	}
	time.Sleep(400 * time.Millisecond) // past the handshake bound, idle
	if _, err := c.Write([]byte("a NOOP\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); line != "a NOOP\r\n" {
		t.Fatalf("after the handshake, an idle client was cut: %q %v", line, err)
	}
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
	go echoServer(ln)
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
	waitOpen(limit, 1)
	fourth, l4 := greet()
	defer fourth.Close()
	if l4 != "* OK hello\r\n" {
		t.Errorf("after one closed: %q", l4)
	}
}
