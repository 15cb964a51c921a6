package mailauth

import (
	"crypto/tls"
	"log"
	"net"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// ServerConfig is the configuration every fake mail server shares: the
// smtp, imap and pop3 Configs embed it, beside their personality and
// their protocol's own bounds.
type ServerConfig struct {
	// Listener and TLSListener are the plain (STARTTLS) and the
	// implicit-TLS listeners; nil: a free port of 127.0.0.1.
	Listener, TLSListener net.Listener
	// Provider is the provider's key in the world ("google").
	Provider string
	World    *world.World
	// Rule decides the logins with a bearer token.
	Rule Rule
	// TLS is the certificate configuration for STARTTLS and implicit TLS.
	TLS *tls.Config
	// Idle bounds the wait for the client's next bytes (SMTP's writes
	// too); zero: the protocol's default (SMTP 5 minutes, RFC 5321
	// §4.5.3.2; IMAP 30 minutes, RFC 9051 §5.4; POP3 10 minutes, RFC 1939
	// §3).
	Idle time.Duration
	// Handshake bounds a TLS handshake, implicit or after STARTTLS;
	// zero: mailconn.HandshakeTimeout.
	Handshake time.Duration
	// Limit caps the connections open at once, shared with the world's
	// other mail listeners; nil: no cap. One past it is told so and closed.
	Limit *mailconn.Limit
	// InsecureAuth allows authentication on the plain port before
	// STARTTLS, for clients that cannot do TLS (manifest security "none")
	// and benchmarks. The real providers never allow it.
	InsecureAuth bool
	// ErrorLog, if set, gets the listeners' failed TLS handshakes
	// (mailconn.Config.ErrorLog).
	ErrorLog *log.Logger
}

// Open fills in what c leaves to defaults, for a server of protocol: a
// loopback listener for each nil one, idle as the Idle bound if none is
// set; it returns the server's gate.
func (c *ServerConfig) Open(protocol string, idle time.Duration) (Gate, error) {
	if err := mailconn.OrLoopback(&c.Listener, &c.TLSListener); err != nil {
		return Gate{}, err
	}
	if c.Idle <= 0 {
		c.Idle = idle
	}
	return NewGate(c.Provider, protocol, c.World, c.Rule), nil
}

// Face is the mailconn configuration of c's listeners, before the
// protocol's greeting, rewriting and replies.
func (c ServerConfig) Face() mailconn.Config {
	return mailconn.Config{Idle: c.Idle, Handshake: c.Handshake, Limit: c.Limit, StartTLS: c.TLS, ErrorLog: c.ErrorLog}
}
