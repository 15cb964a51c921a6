package mailconn

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// relayTLS is the in-memory TLS session between the relay and the
// library's own TLS server: nothing leaves the process, and the library's
// certificate is the one the client verifies on the other side.
// The sessions are resumed across connections (one cache for the process),
// which spares the signature of a full handshake.
var relayTLS = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, ServerName: "mailconn-relay", //nolint:gosec // in-memory, see above
	ClientSessionCache: tls.NewLRUClientSessionCache(256)}

// relay takes over the connection once the library has accepted STARTTLS:
// the client's TLS session ends in the relay, which carries the plaintext
// to the library through a second TLS session over an in-memory pipe, so
// that the library's reply lines can still be rewritten (a provider's
// texts on the STARTTLS ports as on the implicit TLS ones). The library
// keeps reading and writing c; c now talks to the pipe. Called with c.mu
// held, from the library's goroutine, before it starts its handshake.
func (c *Conn) relay(cfg *tls.Config) {
	lib, mine := net.Pipe()
	raw := c.Conn
	c.raw, c.Conn = raw, lib
	c.tls = true
	client := tls.Server(raw, cfg)
	c.sayTo = client
	toLib := tls.Client(mine, relayTLS)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = client.Close()
			_ = toLib.Close()
			_ = lib.Close()
		})
	}
	idle := c.idle
	if idle <= 0 {
		idle = 5 * time.Minute
	}
	var unblock func([]byte) []byte
	if c.newUnblock != nil {
		unblock = c.newUnblock()
	}
	// The client's bytes to the library, as they come.
	go func() {
		defer stop()
		buf := make([]byte, 4<<10)
		for {
			_ = raw.SetReadDeadline(time.Now().Add(idle))
			n, err := client.Read(buf)
			if n > 0 {
				if _, werr := toLib.Write(buf[:n]); werr != nil {
					return
				}
				if unblock != nil {
					if more := unblock(buf[:n]); len(more) > 0 {
						if _, werr := toLib.Write(more); werr != nil {
							return
						}
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	// The library's lines to the client, rewritten.
	go func() {
		defer stop()
		rewrite := c.afterTLS
		var pending []byte
		buf := make([]byte, 4<<10)
		for {
			n, err := toLib.Read(buf)
			if n > 0 {
				pending = append(pending, buf[:n]...)
				var out []byte
				for {
					i := bytes.Index(pending, crlf)
					if i < 0 {
						break
					}
					line, _ := rewrite(pending[:i+2])
					out = append(out, line...)
					pending = pending[i+2:]
				}
				if len(pending) > maxPending {
					out, pending = append(out, pending...), nil
				}
				if len(out) > 0 {
					_ = raw.SetWriteDeadline(time.Now().Add(idle))
					if _, werr := client.Write(out); werr != nil {
						return
					}
				}
				pending = append([]byte(nil), pending...)
			}
			if err != nil {
				if len(pending) > 0 && !errors.Is(err, io.ErrClosedPipe) {
					_, _ = client.Write(pending)
				}
				return
			}
		}
	}()
}

// maxPending bounds a line the relay holds for its CRLF: a longer one (a
// message body line, a literal) goes through as it is.
const maxPending = 64 << 10
