package imap_test

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/world"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a server; tlsConn dials the implicit-TLS port and reads the greeting.
func start(t *testing.T, mutate func(*imap.Config)) (*world.World, *imap.Server, func() *mailtest.Conn, *mailtest.Conn) {
	t.Helper()
	w := mailtest.World(t)
	ca := mailtest.CA(t)
	cfg := imap.Config{Provider: "test", World: w, Rule: mailtest.Rule{}, Personality: mailtest.Personality.IMAP, TLS: ca.ServerConfig()}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := imap.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dial := func() *mailtest.Conn {
		c := mailtest.Dial(t, srv.TLSAddr, ca.ClientConfig())
		if g := c.Line(); g != "* OK mx.test ready for 127.0.0.1" {
			t.Fatalf("greeting %q", g)
		}
		return c
	}
	// plain: the STARTTLS port, greeting read.
	plain := mailtest.Dial(t, srv.Addr, nil)
	plain.Line()
	_ = ca
	return w, srv, dial, plain
}

func match(t *testing.T, got, pattern string) {
	t.Helper()
	if !regexp.MustCompile("^" + pattern + "$").MatchString(got) {
		t.Fatalf("got %q, want %s", got, pattern)
	}
}

func TestAuthenticateAndRead(t *testing.T) {
	w, _, dial, _ := start(t, nil)
	for _, raw := range []string{"Subject: first\r\n\r\nbody\r\n", "Subject: second\r\n\r\nx OK CAPABILITY completed\r\n"} {
		if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	c := dial()
	c.Send("a1 CAPABILITY")
	caps := c.Line()
	for _, want := range []string{"IMAP4rev1", "SASL-IR", "AUTH=XOAUTH2 AUTH=OAUTHBEARER AUTH=PLAIN"} {
		if !strings.Contains(caps, want) {
			t.Fatalf("capabilities %q lack %s", caps, want)
		}
	}
	// The personality's texts replace go-imap's.
	match(t, c.Line(), `a1 OK CAPABILITY completed\.`)
	c.Send("a2 AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	match(t, c.Line(), `a2 OK AUTHENTICATE completed\.`)
	c.Send("a21 CAPABILITY")
	match(t, c.Line(), `\* CAPABILITY IMAP4rev1 .*NAMESPACE UIDPLUS.*`)
	c.Line()
	c.Send("a3 SELECT INBOX")
	match(t, c.Until("a3 "), `a3 OK .*`)
	c.Send("a4 FETCH 1 (ENVELOPE)")
	if l := c.Line(); !strings.Contains(l, `"first"`) {
		t.Fatalf("FETCH: %q", l)
	}
	match(t, c.Until("a4 "), `a4 OK .*`)
	c.Send("a5 SEARCH ALL")
	match(t, c.Line(), `\* SEARCH 1 2`)
	c.Until("a5 ")
	c.Send(`a6 STORE 1 +FLAGS (\Seen)`)
	match(t, c.Until("a6 "), `a6 OK .*`)
	// A message whose line looks like a status line goes through as it is.
	c.Send("a7 FETCH 2 BODY[]")
	var body []string
	for l := c.Line(); !strings.HasPrefix(l, "a7 "); l = c.Line() {
		body = append(body, l)
	}
	if !slices.Contains(body, "x OK CAPABILITY completed") {
		t.Fatalf("FETCH changed the message: %q", body)
	}
	c.Send("a8 LOGOUT")
	match(t, c.Line(), `\* BYE mx.test signing off [0-9a-f]{20}`)
	match(t, c.Line(), `a8 OK LOGOUT completed\.`)
}

func TestAuthenticateFailures(t *testing.T) {
	_, _, dial, _ := start(t, nil)
	challenge := base64.StdEncoding.EncodeToString([]byte(`{"status":"invalid_token"}`))
	cases := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"refused token: challenge, empty answer, NO", []string{"a AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, "bad"), ""},
			[]string{`\+ ` + regexp.QuoteMeta(challenge), `a NO \[AUTHENTICATIONFAILED\] Invalid credentials`}},
		{"refused OAUTHBEARER acknowledged with %x01", []string{"a AUTHENTICATE OAUTHBEARER " +
			base64.StdEncoding.EncodeToString([]byte("n,,\x01auth=Bearer bad\x01\x01")), "AQ=="},
			[]string{`\+ ` + regexp.QuoteMeta(challenge), `a NO \[AUTHENTICATIONFAILED\] Invalid credentials`}},
		{"without SASL-IR: empty continuation first", []string{"a AUTHENTICATE XOAUTH2", mailtest.XOAUTH2(mailtest.User, mailtest.Token)},
			[]string{`\+ `, `a OK .*`}},
		{"cancelled", []string{"a AUTHENTICATE XOAUTH2", "*"}, []string{`\+ `, `a BAD .*cancelled.*`}},
		{"malformed base64", []string{"a AUTHENTICATE XOAUTH2 !!!"}, []string{`a (BAD|NO) .*`}},
		{"malformed XOAUTH2", []string{"a AUTHENTICATE XOAUTH2 " + base64.StdEncoding.EncodeToString([]byte("user=a"))},
			[]string{`a BAD Invalid SASL argument`}},
		{"LOGIN", []string{"a LOGIN a@x.test pw"}, []string{`a NO \[AUTHENTICATIONFAILED\] Basic authentication is disabled`}},
		{"AUTHENTICATE PLAIN", []string{"a AUTHENTICATE PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00a@x.test\x00pw"))},
			[]string{`a NO \[AUTHENTICATIONFAILED\] Basic authentication is disabled`}},
		{"unknown mechanism", []string{"a AUTHENTICATE CRAM-MD5"}, []string{`a NO .*`}},
		{"SELECT before authentication", []string{"a SELECT INBOX"}, []string{`a (BAD|NO) .*`}},
		{"garbage", []string{"a FROBNICATE"}, []string{`a BAD .*`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial()
			for i, l := range tc.lines {
				c.Send(l)
				match(t, c.Line(), tc.want[i])
			}
		})
	}
}

func TestSTARTTLSRequired(t *testing.T) {
	_, _, _, plain := start(t, nil)
	plain.Send("a CAPABILITY")
	caps := plain.Line()
	if !strings.Contains(caps, "STARTTLS") || !strings.Contains(caps, "LOGINDISABLED") || strings.Contains(caps, "AUTH=") {
		t.Fatalf("pre-TLS capabilities %q", caps)
	}
	plain.Line()
	plain.Send("b AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	match(t, plain.Line(), `b NO \[PRIVACYREQUIRED\] .*`)
}

func TestOversizeAndIdle(t *testing.T) {
	_, _, dial, _ := start(t, func(c *imap.Config) { c.Idle = 200 * time.Millisecond })
	c := dial()
	c.Send("a AUTHENTICATE XOAUTH2")
	c.Line() // "+": the server waits for the response...
	// The server may close the connection before all of it is written.
	_, _ = c.Raw().Write([]byte(strings.Repeat("A", 1<<20) + "\r\n"))
	if !c.Closed() {
		t.Fatal("an oversize SASL response did not end the connection")
	}
	vanish := dial()
	vanish.Send("a AUTHENTICATE XOAUTH2")
	vanish.Line()
	vanish.Raw().Close() // goleak (TestMain) checks the session ended
	idle := dial()
	if !idle.Closed() {
		t.Fatal("an idle client was not disconnected")
	}
}
