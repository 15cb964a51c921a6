package mailconn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// TestStartTLSMovesOn: once the library says the STARTTLS go-ahead, the
// connection is taken from it (it reads the end of the stream, writes and
// closes nothing) and handed, in TLS and with the same id, to the server
// of Upgraded, whose greeting is swallowed and whose lines are still
// rewritten; the connection keeps one place under the Limit, and Goodbye
// reaches it in TLS.
func TestStartTLSMovesOn(t *testing.T) {
	t.Parallel()
	ca, raw := caAndListener(t)
	limit := NewLimit(10)
	rewrite := func(c *Conn) func([]byte) ([]byte, bool) {
		return func(line []byte) ([]byte, bool) {
			if string(line) == "GO\r\n" {
				return line, true
			}
			return []byte(strings.ToUpper(string(line[:len(line)-2])) + " " + c.ID + "\r\n"), false
		}
	}
	ln := Wrap(raw, Config{Greeting: func(c *Conn) string { return "hi " + c.ID }, Rewrite: rewrite, StartTLS: ca.ServerConfig(),
		Limit: limit, Goodbye: "bye"})
	defer ln.Close()
	up := Upgraded(ln)
	defer up.Close()
	type oldSide struct {
		read       error
		wrote, cls error
	}
	old := make(chan oldSide, 1)
	go func() { // the library before STARTTLS
		c, err := ln.Accept()
		if err != nil {
			return
		}
		r := bufio.NewReader(c)
		_, _ = c.Write([]byte("library greeting\r\n"))
		_, _ = r.ReadString('\n') // STARTTLS
		_, _ = c.Write([]byte("GO\r\n"))
		_, rerr := r.ReadString('\n')
		_, werr := c.Write([]byte("leaked\r\n"))
		old <- oldSide{rerr, werr, c.Close()}
	}()
	closed := make(chan struct{})
	go func() { // the library in TLS
		c, err := up.Accept()
		if err != nil {
			return
		}
		defer close(closed)
		defer c.Close()
		_, _ = c.Write([]byte("library greeting again\r\n"))
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if _, err := c.Write([]byte("echo " + line)); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	greeting, _ := r.ReadString('\n')
	id := strings.TrimSuffix(strings.TrimPrefix(greeting, "hi "), "\r\n")
	if _, err := c.Write([]byte("STARTTLS\r\n")); err != nil {
		t.Fatal(err)
	}
	if l, _ := r.ReadString('\n'); l != "GO\r\n" {
		t.Fatalf("go-ahead %q", l)
	}
	o := <-old
	if !errors.Is(o.read, io.EOF) || o.wrote == nil || o.cls != nil {
		t.Fatalf("the library before STARTTLS: read %v, wrote %v, closed %v; want EOF, an error, nil", o.read, o.wrote, o.cls)
	}
	cfg := ca.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	tc := tls.Client(c, cfg)
	tr := bufio.NewReader(tc)
	if _, err := tc.Write([]byte("hello\r\n")); err != nil {
		t.Fatal(err)
	}
	if l, _ := tr.ReadString('\n'); l != "ECHO HELLO "+id+"\r\n" {
		t.Fatalf("in TLS %q, want the echo rewritten with id %s", l, id)
	}
	if n := limit.Open(); n != 1 {
		t.Fatalf("%d connections counted, want 1", n)
	}
	Goodbye(ln)
	if l, _ := tr.ReadString('\n'); l != "bye\r\n" {
		t.Fatalf("goodbye %q", l)
	}
	tc.Close()
	await(t, closed)
	if n := limit.Open(); n != 0 {
		t.Fatalf("%d connections counted after close, want 0", n)
	}
}

// TestStartTLSHandshakeDeadline: a client that gets the STARTTLS go-ahead
// and never starts its handshake is let go at the handshake bound, and
// its place under the Limit is given back.
func TestStartTLSHandshakeDeadline(t *testing.T) {
	t.Parallel()
	ca, raw := caAndListener(t)
	limit := NewLimit(10)
	goAhead := func(*Conn) func([]byte) ([]byte, bool) {
		return func(line []byte) ([]byte, bool) { return line, string(line) == "GO\r\n" }
	}
	ln := Wrap(raw, Config{Rewrite: goAhead, StartTLS: ca.ServerConfig(), Limit: limit, Idle: time.Hour,
		Handshake: 200 * time.Millisecond})
	defer ln.Close()
	up := Upgraded(ln)
	defer up.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = c.Write([]byte("hello\r\nGO\r\n"))
		_, _ = c.Read(make([]byte, 1))
		_ = c.Close()
	}()
	closed := make(chan struct{})
	go func() {
		c, err := up.Accept()
		if err != nil {
			return
		}
		defer close(closed)
		defer c.Close()
		_, _ = c.Write([]byte("library greeting\r\n")) // the handshake, then nothing
		_, _ = c.Read(make([]byte, 1))
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A bound for the test only: Idle would keep it an hour.
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("the silent client was not let go: %v", err)
	}
	await(t, closed)
	if n := limit.Open(); n != 0 {
		t.Fatalf("%d connections counted, want 0", n)
	}
}

// TestGoodbyeBeforeTheLibrary: a connection just moved on after STARTTLS,
// whose library has not yet written nor read (so has not done its TLS
// handshake), still gets the goodbye, in TLS, the handshake done for it.
func TestGoodbyeBeforeTheLibrary(t *testing.T) {
	t.Parallel()
	ca, raw := caAndListener(t)
	goAhead := func(*Conn) func([]byte) ([]byte, bool) {
		return func(line []byte) ([]byte, bool) { return line, string(line) == "GO\r\n" }
	}
	ln := Wrap(raw, Config{Rewrite: goAhead, StartTLS: ca.ServerConfig(), Goodbye: "bye"})
	defer ln.Close()
	up := Upgraded(ln)
	defer up.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = c.Write([]byte("hello\r\nGO\r\n"))
		_, _ = c.Read(make([]byte, 1))
		_ = c.Close()
	}()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := up.Accept(); err == nil {
			accepted <- c // and left alone: the library is not there yet
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a bound for the test only
	r := bufio.NewReader(c)
	for _, want := range []string{"hello\r\n", "GO\r\n"} {
		if l, _ := r.ReadString('\n'); l != want {
			t.Fatalf("%q, want %q", l, want)
		}
	}
	cfg := ca.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	tc := tls.Client(c, cfg)
	handshake := make(chan error, 1)
	go func() { handshake <- tc.Handshake() }()
	server := <-accepted
	defer server.Close()
	Goodbye(ln)
	if err := <-handshake; err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if l, err := bufio.NewReader(tc).ReadString('\n'); l != "bye\r\n" {
		t.Fatalf("goodbye %q %v, want bye", l, err)
	}
}
