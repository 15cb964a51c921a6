package mailconn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHandshakeBoundEndsAtTheFirstBytes: the handshake bound is for a
// client that never starts TLS. One whose ClientHello came in time but
// whose answer to the server's flight comes after the bound, as a loaded
// client's does, completes its handshake and is served, instead of
// meeting a reset connection at its next write (TestServeLoad's "EHLO in
// TLS: write: broken pipe", issue 27); a silent client is still let go
// at the bound. No clock is read: the silent client, connected after the
// first one's bound began, is the proof that it has passed.
func TestHandshakeBoundEndsAtTheFirstBytes(t *testing.T) {
	t.Parallel()
	ca, raw := caAndListener(t)
	errorLog := &syncBuffer{}
	ln := Wrap(&helloFirst{Listener: raw}, Config{TLS: ca.ServerConfig(), Idle: time.Hour, Handshake: 20 * time.Millisecond,
		ErrorLog: log.New(errorLog, "", 0)})
	defer ln.Close()
	go echoServer(ln, nil)

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	held := &finishedHeld{Conn: conn, waiting: make(chan struct{}), release: make(chan struct{})}
	cfg := ca.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	client := tls.Client(held, cfg)
	defer client.Close()
	// A bound for the test only: Idle would keep it an hour.
	_ = client.SetDeadline(time.Now().Add(time.Minute))
	served := make(chan error, 1)
	go func() {
		r := bufio.NewReader(client)
		if line, err := r.ReadString('\n'); line != "* OK hello\r\n" {
			served <- fmt.Errorf("greeting %q: %v", line, err)
			return
		}
		if _, err := client.Write([]byte("a NOOP\r\n")); err != nil {
			served <- err
			return
		}
		if line, err := r.ReadString('\n'); line != "a NOOP\r\n" {
			served <- fmt.Errorf("echo %q: %v", line, err)
			return
		}
		served <- nil
	}()
	// The client read the server's flight: the server's handshake, and
	// its bound, began before.
	await(t, held.waiting)
	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("a silent client: %v, want the connection closed at the bound", err)
	}
	if got, want := errorLog.String(), "mailconn: TLS handshake error from "+silent.LocalAddr().String()+": "; !strings.HasPrefix(got, want) ||
		!strings.Contains(got, "i/o timeout") || strings.Count(got, "\n") != 1 {
		t.Fatalf("the error log: %q, want one line %q…i/o timeout", got, want)
	}
	// The silent client's bound is past, so is the first one's, which
	// began earlier: only now does it answer the server's flight.
	close(held.release)
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("a client that started its handshake in time, then answered late: %v, want it served", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the client was never answered")
	}
}

// helloFirst is a listener whose first connection is accepted once its
// first bytes (the client's ClientHello) have arrived, and replays them:
// the server's handshake sees them at once, whatever the machine's load.
type helloFirst struct {
	net.Listener
	once sync.Once
}

// Accept implements net.Listener.
func (l *helloFirst) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	var first []byte
	var readErr error
	l.once.Do(func() {
		b := make([]byte, 4096)
		var n int
		n, readErr = c.Read(b)
		first = b[:n]
	})
	if readErr != nil {
		_ = c.Close()
		return nil, readErr
	}
	return &replayed{Conn: c, first: first}, nil
}

// replayed is a connection whose first bytes were read already.
type replayed struct {
	net.Conn
	first []byte
}

func (c *replayed) Read(p []byte) (int, error) {
	if len(c.first) > 0 {
		n := copy(p, c.first)
		c.first = c.first[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// finishedHeld is a TLS client's connection whose second write, the
// client's answer to the server's flight (its Finished), waits for
// release; waiting says it is there.
type finishedHeld struct {
	net.Conn
	writes           int
	waiting, release chan struct{}
}

func (c *finishedHeld) Write(p []byte) (int, error) {
	if c.writes++; c.writes == 2 {
		close(c.waiting)
		<-c.release
	}
	return c.Conn.Write(p)
}

// syncBuffer is a buffer a logger writes to from the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
