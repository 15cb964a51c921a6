package mocks

import (
	"log"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The HTTPS listeners cap the connections they keep open, as the mail
// servers do (MaxMailConnections), so that clients holding sockets open
// cannot take every file the process may open: past the cap, the mail
// servers, the other providers and serve's admin API (which is outside
// it) would fail to accept ("too many open files").
const (
	// maxHTTPSPerWorld bounds a world's HTTPS connections whatever the
	// open-file limit: about 45 KB each once idle after a request, so the
	// cap costs at most about 90 MB.
	maxHTTPSPerWorld = 2048
	// fileReserve are the open files kept out of every cap: listeners,
	// the admin API's connections, the state directory, the runtime's own.
	fileReserve = 256
)

// httpCaps are the caps of the HTTPS connections open at once: on one
// listener, and on every HTTPS listener of a world together.
type httpCaps struct{ listener, world int }

// httpsCaps are the caps of the worlds New starts, from the open-file
// limit of the process as it starts (the Go runtime has raised the soft
// limit to the hard one by then).
var httpsCaps = capsFor(openFileLimit())

// openFileLimit is RLIMIT_NOFILE's soft limit, or 1,024 (a usual default)
// if it cannot be read.
func openFileLimit() int {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur > 1<<30 {
		return 1024
	}
	return int(l.Cur)
}

// capsFor are the caps under an open-file limit of nofile: what the mail
// cap and the reserve leave, up to maxHTTPSPerWorld (at least a quarter of
// the limit, when the mail cap alone would come near it); one listener
// gets half of it, so a flood of one provider leaves the others room.
func capsFor(nofile int) httpCaps {
	world := min(maxHTTPSPerWorld, max(nofile-MaxMailConnections-fileReserve, nofile/4))
	world = max(world, 2)
	return httpCaps{listener: world / 2, world: world}
}

// connCounter counts connections open at once against a cap.
type connCounter struct {
	max  int64
	open atomic.Int64
}

func newConnCounter(max int) *connCounter { return &connCounter{max: int64(max)} }

// take counts one more connection, unless the cap is reached.
func (c *connCounter) take() bool {
	if c.open.Add(1) > c.max {
		c.open.Add(-1)
		return false
	}
	return true
}

func (c *connCounter) release() { c.open.Add(-1) }

// capListener accepts connections while both its own cap and the world's
// allow them. One past either is closed at once, without a TLS handshake:
// a 503 would cost a handshake (CPU, and a file held while it lasts) for
// every refused connection, the very thing the cap bounds; and blocking
// in Accept (netutil.LimitListener) would leave clients waiting in the
// kernel's queue, without an answer, for as long as the slots are held
// (up to the idle timeout), then hand the server connections whose
// clients gave up. A closed connection says "busy" at once; the client
// may try again.
type capListener struct {
	net.Listener
	name   string
	own    *connCounter
	world  *connCounter
	log    *log.Logger
	refuse atomic.Bool // the cap is reached: said once until a slot frees
}

// Accept implements net.Listener.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.own.take() {
			if l.world.take() {
				return &cappedConn{Conn: c, l: l}, nil
			}
			l.own.release()
		}
		_ = c.Close()
		if !l.refuse.Swap(true) {
			l.log.Printf("mocks: %s: %d connections open here, %d in the world: the cap, refusing new ones",
				l.name, l.own.open.Load(), l.world.open.Load())
		}
	}
}

// httpsReadTimeout bounds the reading of a request (http.Server's
// ReadTimeout), and the TLS handshake once the client started it.
const httpsReadTimeout = 30 * time.Second

// cappedConn gives its slot back when closed. Its first bytes (the
// client's ClientHello) move the deadlines net/http set on it for the
// whole TLS handshake (the least of the server's timeouts,
// ReadHeaderTimeout's 10 s) to httpsReadTimeout from then: that bound is
// for a client that never starts TLS; one that did, but is slow to answer
// the server's flight (a loaded client), is not cut off in the middle of
// its handshake, which it would see as a reset at its first request.
// net/http sets its own deadlines again for each request.
type cappedConn struct {
	net.Conn
	l     *capListener
	once  sync.Once
	first sync.Once
}

// Read implements net.Conn.
func (c *cappedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.first.Do(func() { _ = c.Conn.SetDeadline(time.Now().Add(httpsReadTimeout)) })
	}
	return n, err
}

// Close implements net.Conn; the slot is free before the socket closes,
// so a client that saw the close finds it free.
func (c *cappedConn) Close() error {
	c.once.Do(func() {
		c.l.own.release()
		c.l.world.release()
		c.l.refuse.Store(false)
	})
	return c.Conn.Close()
}
