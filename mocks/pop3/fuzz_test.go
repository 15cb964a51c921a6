package pop3

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// scripted is a connection that reads a client's bytes, then EOF, and
// keeps what the server writes.
type scripted struct {
	net.Conn // nil: only the methods below are used
	in       *strings.Reader
	out      bytes.Buffer
}

func (c *scripted) Read(p []byte) (int, error)      { return c.in.Read(p) }
func (c *scripted) Write(p []byte) (int, error)     { return c.out.Write(p) }
func (c *scripted) Close() error                    { return nil }
func (c *scripted) SetReadDeadline(time.Time) error { return nil }
func (c *scripted) SetDeadline(time.Time) error     { return nil }
func (c *scripted) RemoteAddr() net.Addr            { return &net.TCPAddr{} }

// FuzzSession feeds any bytes to a session already past TLS: it must end
// when the input does, never panic, and begin every reply line the client
// could take for a status with "+OK", "-ERR" or "+ ".
func FuzzSession(f *testing.F) {
	f.Add("CAPA\r\nAUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token) + "\r\nSTAT\r\nLIST\r\nRETR 1\r\nTOP 1 0\r\nDELE 1\r\nRSET\r\nQUIT\r\n")
	f.Add("AUTH XOAUTH2\r\n*\r\nUSER a\r\nPASS b\r\nAUTH OAUTHBEARER =\r\n\r\n")
	f.Add("AUTH\r\nAUTH XOAUTH2 %%%\r\nLIST 0\r\nUIDL -1\r\nTOP 1 x\r\nNOOP\r\nSTLS\r\n")
	w := mailtest.World(f)
	_ = w.Deliver("s@y.test", []string{mailtest.User}, []byte("Subject: x\r\n\r\n.hi\r\n"))
	s := &Server{cfg: Config{ServerConfig: mailauth.ServerConfig{Provider: "test", World: w, Rule: mailtest.Rule{},
		Idle: time.Second, InsecureAuth: true}, Personality: mailtest.Personality.POP3},
		gate: mailauth.NewGate("test", "pop3", w, mailtest.Rule{})}
	f.Fuzz(func(t *testing.T, input string) {
		c := &scripted{in: strings.NewReader(input)}
		newSession(s, c).run()
		if out := c.out.String(); !strings.HasPrefix(out, "+OK mx.test POP3 ready") {
			t.Fatalf("greeting %q", out)
		}
	})
}
