package mocks

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/tlsca"
)

// TestHTTPSHandshakeBoundEndsAtTheFirstBytes: net/http's bound on the TLS
// handshake (ReadHeaderTimeout here) is for a client that never starts
// TLS. One whose ClientHello came in time but whose answer to the
// server's flight comes after the bound, as a loaded client's does,
// completes its handshake and gets its answer, instead of a reset at its
// request (issue 27); a silent client is still let go at the bound. No
// clock is read: the silent client, connected after the first one's
// bound began, is the proof that it has passed.
func TestHTTPSHandshakeBoundEndsAtTheFirstBytes(t *testing.T) {
	t.Parallel()
	ca, err := tlsca.New()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &capListener{Listener: &helloFirst{Listener: raw}, name: "test.https", own: newConnCounter(10), world: newConnCounter(10),
		log: log.New(io.Discard, "", 0)}
	srv := &http.Server{TLSConfig: ca.ServerConfig(), ReadHeaderTimeout: 20 * time.Millisecond, ErrorLog: log.New(io.Discard, "", 0),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "served") })}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	defer srv.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	held := &finishedHeld{Conn: conn, waiting: make(chan struct{}), release: make(chan struct{})}
	cfg := ca.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	client := tls.Client(held, cfg)
	defer client.Close()
	_ = client.SetDeadline(time.Now().Add(time.Minute)) // a bound for the test only
	answered := make(chan error, 1)
	go func() {
		if _, err := io.WriteString(client, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
			answered <- err
			return
		}
		res, err := http.ReadResponse(bufio.NewReader(client), nil)
		if err != nil {
			answered <- err
			return
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, 100))
		res.Body.Close()
		if res.StatusCode != 200 || string(body) != "served" {
			err = fmt.Errorf("HTTP %d %q %v", res.StatusCode, body, err)
		}
		answered <- err
	}()
	// The client read the server's flight: the server's handshake, and
	// its bound, began before.
	<-held.waiting
	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && (err == nil || !strings.Contains(err.Error(), "reset")) {
		t.Fatalf("a silent client: %v, want the connection closed at the bound", err)
	}
	// The silent client's bound is past, so is the first one's, which
	// began earlier: only now does it answer the server's flight.
	close(held.release)
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("a client that started its handshake in time, then answered late: %v, want its answer", err)
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
	l.once.Do(func() {
		b := make([]byte, 4096)
		n, _ := c.Read(b)
		first = b[:n]
	})
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
