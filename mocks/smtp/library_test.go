package smtp

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// TestLibraryTexts drives go-smtp itself, without the rewriter, and pins
// every line of libraryTexts and the start of its EHLO reply: a go-smtp
// whose texts changed makes this test fail, instead of letting its own
// text reach the wire where the personality's was meant to be.
func TestLibraryTexts(t *testing.T) {
	t.Parallel()
	// On the submission port: TLS offered, AUTH only after it.
	got := libraryLines(t, &tls.Config{}, false,
		"HELO client.test", "EHLO client.test", "XYZW", "AUTH XOAUTH2",
		"MAIL FROM:<a@example.test>", "RCPT TO:<b@example.test>", "DATA", "Subject: x\r\n\r\nx\r\n.", "STARTTLS")
	// Where AUTH is allowed: a response that is not base64, and QUIT.
	got = append(got, libraryLines(t, nil, true, "EHLO client.test", "AUTH XOAUTH2 !!!", "QUIT")...)
	for _, lt := range libraryTexts {
		found := false
		for _, l := range got {
			if _, ok := lt.match(l); ok {
				found = true
			}
		}
		if !found {
			t.Errorf("go-smtp no longer writes %q: its lines were %q", lt.lib, got)
		}
	}
	ehlo := false
	for _, l := range got {
		ehlo = ehlo || strings.HasPrefix(l+"\r\n", string(ehloFirst)+"client.test\r\n")
	}
	if !ehlo {
		t.Errorf("go-smtp's EHLO reply no longer starts with %q: %q", ehloFirst, got)
	}
}

// libraryLines runs the commands on a go-smtp server of its own and
// returns every line it wrote after the greeting.
func libraryLines(t *testing.T, tlsConfig *tls.Config, insecure bool, commands ...string) []string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := gosmtp.NewServer(pinBackend{})
	srv.Domain, srv.TLSConfig, srv.AllowInsecureAuth = "pin.test", tlsConfig, insecure
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	read := func() []string {
		var lines []string
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("after %q: %v", lines, err)
			}
			l = strings.TrimSuffix(l, "\r\n")
			lines = append(lines, l)
			if len(l) < 4 || l[3] != '-' {
				return lines
			}
		}
	}
	read() // greeting
	var out []string
	for _, cmd := range commands {
		if _, err := fmt.Fprintf(c, "%s\r\n", cmd); err != nil {
			t.Fatal(err)
		}
		out = append(out, read()...)
	}
	return out
}

// pinBackend takes every command, as the fake's session does once
// authenticated.
type pinBackend struct{}

func (pinBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return pinSession{}, nil }

type pinSession struct{}

func (pinSession) AuthMechanisms() []string { return []string{"XOAUTH2"} }
func (pinSession) Auth(string) (gosasl.Server, error) {
	return gosasl.NewPlainServer(func(string, string, string) error { return nil }), nil
}
func (pinSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (pinSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (pinSession) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (pinSession) Reset()                                 {}
func (pinSession) Logout() error                          { return nil }
