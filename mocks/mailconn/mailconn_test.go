package mailconn

import (
	"bufio"
	"crypto/tls"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/tlsca"
)

// TestGreetingReplacesTheFirstLine: the library's first line, even written
// in pieces, is swallowed and the greeting written in its place; the rest
// goes through untouched.
func TestGreetingReplacesTheFirstLine(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	ln := Wrap(raw, Config{Greeting: func(c *Conn) string { return "220 hello " + c.IP }})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for _, piece := range []string{"220 lib", "rary greeting\r\n250 next", " line\r\n"} {
			if _, err := c.Write([]byte(piece)); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for _, want := range []string{"220 hello 127.0.0.1\r\n", "250 next line\r\n"} {
		if got, _ := r.ReadString('\n'); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// TestRewriteSeesWholeLines: lines written in pieces reach the rewriter
// whole; after the line it calls the last, bytes go through untouched.
func TestRewriteSeesWholeLines(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upper := func(*Conn) func([]byte) ([]byte, bool) {
		return func(line []byte) ([]byte, bool) {
			return []byte(strings.ToUpper(string(line))), strings.HasPrefix(string(line), "last")
		}
	}
	ln := Wrap(raw, Config{Greeting: func(c *Conn) string { return "hi " + c.ID }, Rewrite: upper})
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for _, piece := range []string{"greeting\r\none ", "two\r\nla", "st\r\nclear\r\n"} {
			if _, err := c.Write([]byte(piece)); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if got, _ := r.ReadString('\n'); !regexp.MustCompile(`^hi [0-9a-f]{20}\r\n$`).MatchString(got) {
		t.Fatalf("greeting %q", got)
	}
	for _, want := range []string{"ONE TWO\r\n", "LAST\r\n", "clear\r\n"} {
		if got, _ := r.ReadString('\n'); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// TestIdleBoundsEveryRead: a library asking for no deadline still gets one.
func TestIdleBoundsEveryRead(t *testing.T) {
	ca, err := tlsca.New()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	ln := Wrap(raw, Config{TLS: ca.ServerConfig(), Idle: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		if !IsTLS(c) {
			done <- net.ErrClosed
			return
		}
		_ = c.SetReadDeadline(time.Time{}) // "no deadline", clamped
		_, err = c.Read(make([]byte, 1))
		done <- err
	}()
	cfg := ca.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	c, err := tls.Dial("tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case err := <-done:
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			t.Fatalf("read ended with %v, want a timeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the idle bound did not end the read")
	}
	if IsTLS(&net.TCPConn{}) || !strings.Contains(Host(ln.Addr()), "127.0.0.1") {
		t.Fatal("IsTLS or Host is wrong")
	}
}
