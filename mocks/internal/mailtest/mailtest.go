// Package mailtest has what the mail servers' tests share: a world with one
// user, a mail rule that knows one token, a neutral personality, and a
// line-level client to assert on the wire.
package mailtest

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// The one user and the one token the Rule accepts.
const (
	User  = "a@x.test"
	Token = "good-token"
)

// Rule accepts Token for User; any other token is refused with a challenge.
type Rule struct{}

// CheckMail implements mailauth.Rule.
func (Rule) CheckMail(_ context.Context, l mailauth.Login) mailauth.Verdict {
	if l.Token == Token && strings.EqualFold(l.User, User) {
		return mailauth.Verdict{OK: true, Client: "test-client", TokenUser: User}
	}
	return mailauth.Verdict{Reason: mailauth.ReasonUnknownToken, Challenge: []byte(`{"status":"invalid_token"}`)}
}

// Personality is a neutral face for the servers under test.
var Personality = mailauth.Personality{
	SMTP: mailauth.SMTPPersonality{
		Domain: "mx.test", Greeting: "mx.test ESMTP {id}",
		Mechanisms: []string{"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "XOAUTH"},
		AuthFailed: mailauth.SMTPReply{Code: 535, Enhanced: [3]int{5, 7, 8}, Text: "Bad credentials\nSee {id}"},
		Malformed:  mailauth.SMTPReply{Code: 501, Enhanced: [3]int{5, 5, 2}, Text: "Cannot decode"},
		Refusals: map[mailauth.Reason]mailauth.SMTPReply{
			mailauth.ReasonBasicAuth: {Code: 535, Enhanced: [3]int{5, 7, 139}, Text: "Basic authentication is disabled"}},
		AuthRequired: mailauth.SMTPReply{Code: 530, Enhanced: [3]int{5, 7, 0}, Text: "Authentication required"},
	},
	POP3: mailauth.POP3Personality{
		Greeting: "mx.test POP3 ready {id}", Mechanisms: []string{"XOAUTH2", "OAUTHBEARER", "PLAIN"},
		AuthSucceeded: "Welcome.", AuthFailed: "[AUTH] Authentication failed.", Malformed: "[AUTH] Invalid SASL argument.",
	},
	IMAP: mailauth.IMAPPersonality{
		Greeting:   "mx.test ready for {ip}",
		Mechanisms: []string{"XOAUTH2", "OAUTHBEARER", "PLAIN"},
		AuthFailed: mailauth.IMAPReply{Type: "NO", Code: "AUTHENTICATIONFAILED", Text: "Invalid credentials"},
		Malformed:  mailauth.IMAPReply{Type: "BAD", Text: "Invalid SASL argument"},
		Refusals: map[mailauth.Reason]mailauth.IMAPReply{
			mailauth.ReasonBasicAuth: {Type: "NO", Code: "AUTHENTICATIONFAILED", Text: "Basic authentication is disabled"}},
		Capabilities:        []string{"NAMESPACE", "UIDPLUS"},
		AuthSucceeded:       "AUTHENTICATE completed.",
		CapabilityCompleted: "CAPABILITY completed.",
		LogoutBye:           "mx.test signing off {id}",
		LogoutCompleted:     "LOGOUT completed.",
	},
}

// World returns a world with User.
func World(t testing.TB) *world.World {
	w := world.New()
	if err := w.AddAccount(world.Realm{Provider: "test"}, world.Account{Email: User, Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// Server is the configuration of a server of provider "test" in w,
// deciding with Rule, with ca's certificate.
func Server(w *world.World, ca *tlsca.CA) mailauth.ServerConfig {
	return mailauth.ServerConfig{Provider: "test", World: w, Rule: Rule{}, TLS: ca.ServerConfig()}
}

// CA returns a fresh CA.
func CA(t testing.TB) *tlsca.CA {
	ca, err := tlsca.New()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// XOAUTH2 returns the base64 XOAUTH2 initial response for user and token.
func XOAUTH2(user, token string) string {
	return base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2(user, token))
}

// Conn is a line-level client: send a line, read the reply lines.
type Conn struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects to addr, over TLS if tlsConfig is set.
func Dial(t testing.TB, addr string, tlsConfig *tls.Config) *Conn {
	t.Helper()
	var (
		c   net.Conn
		err error
	)
	if tlsConfig != nil {
		c, err = tls.Dial("tcp", addr, tlsConfig)
	} else {
		c, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &Conn{t: t, conn: c, r: bufio.NewReader(c)}
}

// Upgrade starts TLS on the connection (after STARTTLS was accepted).
func (c *Conn) Upgrade(tlsConfig *tls.Config) {
	cfg := tlsConfig.Clone()
	cfg.ServerName = "127.0.0.1"
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatal(err)
	}
	c.conn, c.r = tc, bufio.NewReader(tc)
}

// Send writes line and CRLF.
func (c *Conn) Send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

// Line reads one line without its CRLF.
func (c *Conn) Line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading a line: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// SMTPReply reads a whole SMTP reply (its continuation lines too).
func (c *Conn) SMTPReply() []string {
	c.t.Helper()
	var out []string
	for {
		l := c.Line()
		out = append(out, l)
		if len(l) < 4 || l[3] != '-' {
			return out
		}
	}
}

// Until reads lines until one starts with prefix, and returns it.
func (c *Conn) Until(prefix string) string {
	c.t.Helper()
	for {
		if l := c.Line(); strings.HasPrefix(l, prefix) {
			return l
		}
	}
}

// Closed reports whether the server closed the connection (reading and
// dropping what it still sends), waiting at most the connection's deadline.
func (c *Conn) Closed() bool {
	for {
		if _, err := c.r.ReadString('\n'); err != nil {
			var ne net.Error
			return !errors.As(err, &ne) || !ne.Timeout()
		}
	}
}

// Raw returns the underlying connection.
func (c *Conn) Raw() net.Conn { return c.conn }

// Reader is what the connection has read and not yet returned, for the
// bytes of a literal.
func (c *Conn) Reader() *bufio.Reader { return c.r }
