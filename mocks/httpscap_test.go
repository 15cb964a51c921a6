package mocks_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/serve"
)

// held is a connection hold keeps open.
type held struct {
	free func() // closes it
	addr string // its local address
}

// hold makes one HTTPS request to url on a connection of its own, which
// stays open (idle, kept alive) until the test ends or free is called; it
// returns the request's error: a connection past the cap is closed at
// once, before its TLS handshake.
func hold(t *testing.T, tlsConfig *tls.Config, url string) (held, error) {
	t.Helper()
	var h held
	tr := &http.Transport{TLSClientConfig: tlsConfig, MaxConnsPerHost: 1,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				h.addr = c.LocalAddr().String()
			}
			return c, err
		}}
	t.Cleanup(tr.CloseIdleConnections)
	h.free = tr.CloseIdleConnections
	res, err := (&http.Client{Transport: tr, Timeout: time.Minute}).Get(url)
	if err != nil {
		return h, err
	}
	// Read to the end, so that the connection stays for the next request.
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return h, nil
}

// greeting reads the first line of a mail server at addr.
func greeting(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(time.Minute)) // a bound for the test only
	line, _ := bufio.NewReader(c).ReadString('\n')
	return line
}

// closeWatch is a listener whose accepted connections say on closed, by
// their client's address, when the server closed them.
type closeWatch struct {
	net.Listener
	closed chan string
}

func (l *closeWatch) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{Conn: c, closed: l.closed}, nil
}

type watchedConn struct {
	net.Conn
	closed chan string
}

func (c *watchedConn) Close() error {
	err := c.Conn.Close()
	c.closed <- c.RemoteAddr().String()
	return err
}

// openFiles counts this process's open files.
func openFiles(t *testing.T) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(fds)
}

// TestHTTPSConnectionCap: an HTTPS listener keeps at most its cap of
// connections, the world's HTTPS listeners together at most the world's;
// one past either is closed at once, while the mail servers and the other
// listeners answer; a connection the server closed frees its slot.
// (Not parallel: it sets the caps of the worlds started meanwhile.)
func TestHTTPSConnectionCap(t *testing.T) {
	const perListener, perWorld = 4, 6
	defer mocks.SetHTTPSCaps(perListener, perWorld)()
	googleClosed := make(chan string, 64)
	srv := mocks.Start(t, mocks.Options{Providers: []string{"google", "microsoft"}, Listen: func(name string) (net.Listener, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil || name != "google.https" {
			return ln, err
		}
		return &closeWatch{Listener: ln, closed: googleClosed}, nil
	}})
	google := srv.Google.URL + "/.well-known/openid-configuration"
	before := openFiles(t)
	var kept []held
	for i := range perListener {
		h, err := hold(t, srv.TLSConfig(), google)
		if err != nil {
			t.Fatalf("connection %d of %d: %v", i+1, perListener, err)
		}
		kept = append(kept, h)
	}
	if _, err := hold(t, srv.TLSConfig(), google); err == nil {
		t.Fatalf("a connection past Google's cap of %d was served", perListener)
	}
	// The extra one, refused, is closed by now: each held connection
	// costs one file on each side.
	t.Logf("open files at Google's cap of %d: %d more than before (client and server sides)", perListener, openFiles(t)-before)
	for i := perListener; i < perWorld; i++ {
		if _, err := hold(t, srv.TLSConfig(), srv.Microsoft.URL+"/"); err != nil {
			t.Fatalf("Microsoft's connection %d while Google is at its cap: %v", i-perListener+1, err)
		}
	}
	if _, err := hold(t, srv.TLSConfig(), srv.Microsoft.URL+"/"); err == nil {
		t.Fatalf("a connection past the world's cap of %d was served", perWorld)
	}
	if line := greeting(t, srv.Google.Mail.SMTP); !strings.HasPrefix(line, "220 ") {
		t.Fatalf("Gmail SMTP at the HTTPS cap greets %q", line)
	}
	if line := greeting(t, srv.Microsoft.Mail.IMAP); !strings.HasPrefix(line, "* OK") {
		t.Fatalf("Exchange IMAP at the HTTPS cap greets %q", line)
	}
	kept[0].free()
	for closed := ""; closed != kept[0].addr; {
		select {
		case closed = <-googleClosed:
		case <-time.After(time.Minute): // a bound for the test only
			t.Fatal("the server never closed the freed connection")
		}
	}
	if _, err := hold(t, srv.TLSConfig(), google); err != nil {
		t.Fatalf("a new connection once one was freed: %v", err)
	}
}

// TestAdminPastHTTPSCap: with a provider's HTTPS listener at its cap and
// more clients knocking, serve's admin API, its /healthz and the mail
// servers still answer: the admin listener is outside the cap.
func TestAdminPastHTTPSCap(t *testing.T) {
	const perListener = 3
	defer mocks.SetHTTPSCaps(perListener, 2*perListener)()
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = inst.Close(context.Background()) }()
	srv := inst.Mocks
	google := srv.Google.URL + "/.well-known/openid-configuration"
	for i := range perListener {
		if _, err := hold(t, srv.TLSConfig(), google); err != nil {
			t.Fatalf("connection %d of %d: %v", i+1, perListener, err)
		}
	}
	for range 3 * perListener {
		if _, err := hold(t, srv.TLSConfig(), google); err == nil {
			t.Fatalf("a connection past Google's cap of %d was served", perListener)
		}
	}
	res, err := http.Get(inst.Manifest.AdminURL + "/healthz")
	if err != nil {
		t.Fatalf("/healthz past the HTTPS cap: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz past the HTTPS cap: %s", res.Status)
	}
	if line := greeting(t, srv.Google.Mail.SMTP); !strings.HasPrefix(line, "220 ") {
		t.Fatalf("Gmail SMTP past the HTTPS cap greets %q", line)
	}
}
