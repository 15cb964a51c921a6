package smtp_test

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/smtp"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/world"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, mutate func(*smtp.Config)) (*world.World, *smtp.Server, func() *mailtest.Conn, func() *mailtest.Conn) {
	t.Helper()
	w, srv, ca := launch(t, mutate)
	// submission: greeting, EHLO, STARTTLS, EHLO again; ready for AUTH.
	submission := func() *mailtest.Conn {
		c := mailtest.Dial(t, srv.Addr, nil)
		c.SMTPReply()
		c.Send("EHLO client.test")
		c.SMTPReply()
		c.Send("STARTTLS")
		if r := c.SMTPReply(); !strings.HasPrefix(r[0], "220") {
			t.Fatalf("STARTTLS: %q", r)
		}
		c.Upgrade(ca.ClientConfig())
		c.Send("EHLO client.test")
		c.SMTPReply()
		return c
	}
	implicit := func() *mailtest.Conn {
		c := mailtest.Dial(t, srv.TLSAddr, ca.ClientConfig())
		c.SMTPReply()
		c.Send("EHLO client.test")
		c.SMTPReply()
		return c
	}
	return w, srv, submission, implicit
}

// launch runs a server with its world and CA.
func launch(t *testing.T, mutate func(*smtp.Config)) (*world.World, *smtp.Server, *tlsca.CA) {
	t.Helper()
	w := mailtest.World(t)
	ca := mailtest.CA(t)
	cfg := smtp.Config{ServerConfig: mailtest.Server(w, ca), Personality: mailtest.Personality.SMTP}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := smtp.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return w, srv, ca
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("reply %q, want %q", got, want)
	}
	for i := range want {
		if !regexp.MustCompile("^" + want[i] + "$").MatchString(got[i]) {
			t.Fatalf("reply %q, want %q", got, want)
		}
	}
}

func TestGreetingAndEHLO(t *testing.T) {
	t.Parallel()
	_, srv, _, _ := start(t, nil)
	c := mailtest.Dial(t, srv.Addr, nil)
	expect(t, c.SMTPReply(), `220 mx\.test ESMTP [0-9a-f]{20}`)
	c.Send("EHLO client.test")
	ehlo := strings.Join(c.SMTPReply(), "\n")
	if strings.Contains(ehlo, "AUTH") || !strings.Contains(ehlo, "STARTTLS") {
		t.Fatalf("pre-TLS EHLO:\n%s", ehlo)
	}
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	if r := c.SMTPReply(); !strings.HasPrefix(r[0], "523 5.7.10") {
		t.Fatalf("AUTH before STARTTLS: %q", r)
	}
}

func TestAuthAndDelivery(t *testing.T) {
	t.Parallel()
	w, _, submission, implicit := start(t, nil)
	for name, dial := range map[string]func() *mailtest.Conn{"STARTTLS": submission, "implicit TLS": implicit} {
		t.Run(name, func(t *testing.T) {
			c := dial()
			c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
			expect(t, c.SMTPReply(), `235 2\.0\.0 .*`)
			c.Send("MAIL FROM:<" + mailtest.User + ">")
			expect(t, c.SMTPReply(), `250 .*`)
			c.Send("RCPT TO:<b@y.test>")
			expect(t, c.SMTPReply(), `250 .*`)
			c.Send("DATA")
			expect(t, c.SMTPReply(), `354 .*`)
			c.Send("Subject: via " + name + "\r\n\r\nhello\r\n.")
			expect(t, c.SMTPReply(), `250 .*`)
			c.Send("QUIT")
			c.SMTPReply()
		})
	}
	if got := len(w.Messages("b@y.test")); got != 2 {
		t.Fatalf("%d messages delivered, want 2", got)
	}
	if m := w.Messages("B@Y.test")[0]; m.Subject != "via STARTTLS" && m.Subject != "via implicit TLS" {
		t.Fatalf("delivered %+v", m)
	}
}

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	_, _, submission, _ := start(t, nil)
	challenge := base64.StdEncoding.EncodeToString([]byte(`{"status":"invalid_token"}`))
	cases := []struct {
		name  string
		lines []string
		want  [][]string
	}{
		{"refused token: challenge, empty answer, failure",
			[]string{"AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, "bad"), ""},
			[][]string{{"334 " + regexp.QuoteMeta(challenge)}, {`535-5\.7\.8 Bad credentials`, `535 5\.7\.8 See [0-9a-f]{20}`}}},
		{"refused OAUTHBEARER acknowledged with %x01",
			[]string{"AUTH OAUTHBEARER " + base64.StdEncoding.EncodeToString([]byte("n,a="+mailtest.User+",\x01auth=Bearer bad\x01\x01")), "AQ=="},
			[][]string{{"334 " + regexp.QuoteMeta(challenge)}, {`535-5\.7\.8 Bad credentials`, `535 5\.7\.8 See [0-9a-f]{20}`}}},
		{"no initial response: empty challenge first",
			[]string{"AUTH XOAUTH2", mailtest.XOAUTH2(mailtest.User, mailtest.Token)},
			[][]string{{"334 "}, {`235 2\.0\.0 .*`}}},
		{"cancelled", []string{"AUTH XOAUTH2", "*"}, [][]string{{"334 "}, {`501 5\.0\.0 .*`}}},
		// go-smtp's "454 4.7.0 Invalid base64 data", rewritten after STARTTLS too.
		{"malformed base64", []string{"AUTH XOAUTH2 !!!"}, [][]string{{`501 5\.5\.2 Cannot decode`}}},
		{"malformed XOAUTH2", []string{"AUTH XOAUTH2 " + base64.StdEncoding.EncodeToString([]byte("user=a"))}, [][]string{{`501 5\.5\.2 Cannot decode`}}},
		{"basic auth", []string{"AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00a@x.test\x00pw"))}, [][]string{{`535 5\.7\.139 Basic authentication is disabled`}}},
		{"basic auth with LOGIN", []string{"AUTH LOGIN", base64.StdEncoding.EncodeToString([]byte("a@x.test")), base64.StdEncoding.EncodeToString([]byte("pw"))},
			[][]string{{"334 VXNlcm5hbWU6"}, {"334 UGFzc3dvcmQ6"}, {`535 5\.7\.139 .*`}}},
		{"advertised but unsupported", []string{"AUTH XOAUTH " + base64.StdEncoding.EncodeToString([]byte("x"))}, [][]string{{`535-5\.7\.8 Bad credentials`, `535 5\.7\.8 See .*`}}},
		{"unknown mechanism", []string{"AUTH CRAM-MD5"}, [][]string{{`504 5\.5\.4 Unrecognized authentication type`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := submission()
			for i, l := range tc.lines {
				c.Send(l)
				expect(t, c.SMTPReply(), tc.want[i]...)
			}
		})
	}
}

func TestCommandsOutOfOrder(t *testing.T) {
	t.Parallel()
	_, _, submission, _ := start(t, nil)
	c := submission()
	c.Send("MAIL FROM:<a@x.test>")
	expect(t, c.SMTPReply(), `530 5\.7\.0 Authentication required`)
	c.Send("RCPT TO:<b@y.test>")
	expect(t, c.SMTPReply(), `5\d\d .*`)
	c.Send("DATA")
	expect(t, c.SMTPReply(), `5\d\d .*`)
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `235 .*`)
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `503 5\.5\.1 Already authenticated`)
	c.Send("DATA")
	expect(t, c.SMTPReply(), `5\d\d .*`)
}

func TestLimits(t *testing.T) {
	t.Parallel()
	_, _, submission, _ := start(t, func(c *smtp.Config) { c.MaxMessageBytes = 1000; c.MaxRecipients = 2 })
	c := submission()
	c.Send("NOOP " + strings.Repeat("x", 5000))
	expect(t, c.SMTPReply(), `500 5\.4\.0 Too long line, closing connection`)
	if !c.Closed() {
		t.Fatal("the connection stayed open after an oversize line")
	}
	c = submission()
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	c.SMTPReply()
	c.Send("MAIL FROM:<a@x.test>")
	c.SMTPReply()
	for _, r := range []string{"b@y.test", "c@y.test"} {
		c.Send("RCPT TO:<" + r + ">")
		expect(t, c.SMTPReply(), `250 .*`)
	}
	c.Send("RCPT TO:<d@y.test>")
	expect(t, c.SMTPReply(), `452 .*`)
	c.Send("DATA")
	c.SMTPReply()
	c.Send(strings.Repeat("y", 900) + "\r\n" + strings.Repeat("z", 900) + "\r\n.")
	expect(t, c.SMTPReply(), `552 5\.3\.4 Maximum message size exceeded`)
	// The rest of DATA was read and dropped: the session goes on.
	c.Send("MAIL FROM:<a@x.test>")
	expect(t, c.SMTPReply(), `250 .*`)
}

func TestVanishingAndIdleClients(t *testing.T) {
	t.Parallel()
	_, _, submission, _ := start(t, func(c *smtp.Config) { c.Idle = 200 * time.Millisecond })
	c := submission()
	c.Send("AUTH XOAUTH2")
	c.SMTPReply() // 334: the server waits for the response...
	c.Raw().Close()
	// ... and the client is gone: goleak (TestMain) checks the session ended.
	idle := submission()
	if !idle.Closed() {
		t.Fatal("an idle client was not disconnected")
	}
}

// TestProviderSuccessLine: a personality's own 235 line replaces go-smtp's,
// and the session stays authenticated (MAIL works, a second AUTH does not).
func TestProviderSuccessLine(t *testing.T) {
	t.Parallel()
	_, _, submission, _ := start(t, func(c *smtp.Config) {
		c.Personality.AuthSucceeded = mailauth.SMTPReply{Code: 235, Enhanced: [3]int{2, 7, 0}, Text: "Accepted"}
	})
	c := submission()
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `235 2\.7\.0 Accepted`)
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	expect(t, c.SMTPReply(), `503 5\.5\.1 Already authenticated`)
	c.Send("MAIL FROM:<a@x.test>")
	expect(t, c.SMTPReply(), `250 .*`)
}

// TestSTARTTLSStartsAfresh: after STARTTLS the session starts again in TLS
// on the same connection id (RFC 3207 §4.2): a command pipelined behind
// STARTTLS in the clear is dropped, EHLO is needed again, AUTH is offered
// and the personality's lines still carry the id of the greeting.
func TestSTARTTLSStartsAfresh(t *testing.T) {
	t.Parallel()
	_, srv, ca := launch(t, nil)
	c := mailtest.Dial(t, srv.Addr, nil)
	greeting := c.SMTPReply()
	id := greeting[0][strings.LastIndexByte(greeting[0], ' ')+1:]
	c.Send("EHLO client.test")
	c.SMTPReply()
	c.Send("STARTTLS\r\nEHLO injected.test")
	expect(t, c.SMTPReply(), `220 2\.0\.0 Ready to start TLS`)
	c.Upgrade(ca.ClientConfig())
	c.Send("MAIL FROM:<a@x.test>")
	expect(t, c.SMTPReply(), `502 5\.5\.1 .*`)
	c.Send("EHLO client.test")
	if ehlo := strings.Join(c.SMTPReply(), "\n"); !strings.Contains(ehlo, "250-AUTH ") || strings.Contains(ehlo, "STARTTLS") {
		t.Fatalf("EHLO in TLS: %q", ehlo)
	}
	c.Send("AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, "bad"))
	c.SMTPReply()
	c.Send("")
	expect(t, c.SMTPReply(), `535-5\.7\.8 Bad credentials`, `535 5\.7\.8 See `+id)
}

// TestPersonalitySizes: a provider's EHLO SIZE is the size its server
// enforces.
func TestPersonalitySizes(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]mailauth.SMTPPersonality{"google": google.Personality().SMTP, "microsoft": microsoft.Personality().SMTP} {
		for _, e := range p.Extensions {
			if size, ok := strings.CutPrefix(e, "SIZE "); ok && size != strconv.FormatInt(p.MaxMessageBytes, 10) {
				t.Errorf("%s announces SIZE %s and enforces %d", name, size, p.MaxMessageBytes)
			}
		}
	}
}
