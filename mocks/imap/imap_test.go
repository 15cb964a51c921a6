package imap_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/world"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a server; tlsConn dials the implicit-TLS port and reads the greeting.
func start(t *testing.T, mutate func(*imap.Config)) (*world.World, *imap.Server, func() *mailtest.Conn, *mailtest.Conn) {
	t.Helper()
	w, srv, ca := launch(t, mutate)
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
	return w, srv, dial, plain
}

// launch runs a server with its world and CA.
func launch(t *testing.T, mutate func(*imap.Config)) (*world.World, *imap.Server, *tlsca.CA) {
	t.Helper()
	w := mailtest.World(t)
	ca := mailtest.CA(t)
	cfg := imap.Config{ServerConfig: mailtest.Server(w, ca), Personality: mailtest.Personality.IMAP}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := imap.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return w, srv, ca
}

func match(t *testing.T, got, pattern string) {
	t.Helper()
	if !regexp.MustCompile("^" + pattern + "$").MatchString(got) {
		t.Fatalf("got %q, want %s", got, pattern)
	}
}

func TestAuthenticateAndRead(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// TestSTARTTLSStartsAfresh: after STARTTLS the session starts again in TLS
// on the same connection id (RFC 9051 §6.2.1): a command pipelined behind
// STARTTLS in the clear is dropped, the capabilities are those of TLS, and
// the personality's texts still replace go-imap's, with the same id.
func TestSTARTTLSStartsAfresh(t *testing.T) {
	t.Parallel()
	_, srv, ca := launch(t, nil)
	c := mailtest.Dial(t, srv.Addr, nil)
	c.Line()
	c.Send("a STARTTLS\r\nb CAPABILITY")
	match(t, c.Line(), `a OK Begin TLS negotiation now`)
	c.Upgrade(ca.ClientConfig())
	c.Send("c CAPABILITY")
	if caps := c.Line(); !strings.Contains(caps, "AUTH=XOAUTH2") || strings.Contains(caps, "STARTTLS") || strings.Contains(caps, "LOGINDISABLED") {
		t.Fatalf("capabilities in TLS %q", caps)
	}
	match(t, c.Line(), `c OK CAPABILITY completed\.`)
	c.Send("d AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	match(t, c.Line(), `d OK AUTHENTICATE completed\.`)
	c.Send("e LOGOUT")
	bye := c.Line()
	match(t, bye, `\* BYE mx.test signing off [0-9a-f]{20}`)
	match(t, c.Line(), `e OK LOGOUT completed\.`)
}

// TestIdleUpdatesGoOutAtOnce: the untagged lines of a response are held
// for its tagged line, but not after a continuation request: a message
// delivered during IDLE is told at once, and the response to DONE
// follows.
func TestIdleUpdatesGoOutAtOnce(t *testing.T) {
	t.Parallel()
	w, _, dial, _ := start(t, nil)
	c := dial()
	c.Send("a AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	c.Line()
	c.Send("b SELECT INBOX")
	c.Until("b ")
	c.Send("c IDLE")
	match(t, c.Line(), `\+ .*`)
	if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte("Subject: new\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.Raw().SetReadDeadline(time.Now().Add(3 * time.Second))
	match(t, c.Line(), `\* 1 EXISTS`)
	c.Send("DONE")
	match(t, c.Until("c "), `c OK .*`)
}

// TestLargeMailboxNumbers: FETCH and UID FETCH name the right messages
// (the store starts at the first named and stops past the last), also
// while the session still numbers a message another session expunged;
// FLAGS lists the flags some message has, and only those, system flags
// spelled as RFC 9051 does ("\Flagged", not go-imap memstore's
// "\flagged").
func TestLargeMailboxNumbers(t *testing.T) {
	t.Parallel()
	w, _, dial, _ := start(t, nil)
	for i := 1; i <= 10; i++ {
		if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte(fmt.Sprintf("Subject: m%d\r\n\r\nbody\r\n", i))); err != nil {
			t.Fatal(err)
		}
	}
	login := func() *mailtest.Conn {
		c := dial()
		c.Send("a AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
		c.Line()
		return c
	}
	subjects := func(c *mailtest.Conn, command string) string {
		t.Helper()
		c.Send("f " + command + " (ENVELOPE)")
		var got []string
		for l := c.Line(); !strings.HasPrefix(l, "f "); l = c.Line() {
			if m := regexp.MustCompile(`^\* (\d+) FETCH .*"(m\d+)"`).FindStringSubmatch(l); m != nil {
				got = append(got, m[1]+"="+m[2])
			}
		}
		return strings.Join(got, " ")
	}
	a, b := login(), login()
	a.Send("s SELECT INBOX")
	if sel := a.Until("s "); !strings.HasPrefix(sel, "s OK") {
		t.Fatalf("SELECT: %q", sel)
	}
	b.Send("s SELECT INBOX")
	b.Until("s ")
	b.Send(`x STORE 3 +FLAGS.SILENT (\Deleted)`)
	b.Until("x ")
	b.Send("y EXPUNGE")
	b.Until("y ")
	for _, tc := range []struct{ command, want string }{
		{"FETCH 1", "1=m1"},
		{"FETCH 3", ""}, // expunged, not yet told to a
		{"FETCH 4:5", "4=m4 5=m5"},
		{"FETCH 2,9", "2=m2 9=m9"},
		{"UID FETCH 7:8", "7=m7 8=m8"}, // the EXPUNGE goes out with it
		{"FETCH 8:*", "8=m9 9=m10"},
		{"UID FETCH 9:*", "8=m9 9=m10"},
		{"FETCH *", "9=m10"},
	} {
		if got := subjects(a, tc.command); got != tc.want {
			t.Errorf("%s after an expunge elsewhere: %q, want %q", tc.command, got, tc.want)
		}
	}
	for _, tc := range []struct{ command, want string }{
		{"FETCH 3", "3=m4"},
		{"FETCH 8:*", "8=m9 9=m10"},
		{"UID FETCH 2:4", "2=m2 3=m4"},
	} {
		if got := subjects(b, tc.command); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.command, got, tc.want)
		}
	}
	flags := func(c *mailtest.Conn) string {
		c.Send("s SELECT INBOX")
		l := c.Until("* FLAGS")
		c.Until("s ")
		return l
	}
	b.Send(`z STORE 2 +FLAGS.SILENT (\Flagged)`)
	b.Until("z ")
	if l := flags(b); !strings.Contains(l, `\Flagged`) {
		t.Fatalf("FLAGS with a flagged message: %q", l)
	}
	b.Send(`z STORE 2 -FLAGS.SILENT (\Flagged)`)
	b.Until("z ")
	if l := flags(b); strings.Contains(l, `\Flagged`) || strings.Contains(l, `\Seen`) {
		t.Fatalf("FLAGS with no flagged or seen message: %q", l)
	}
	b.Send("r FETCH 1 BODY[]")
	b.Until("r ")
	if l := flags(b); !strings.Contains(l, `\Seen`) {
		t.Fatalf("FLAGS once a message was read: %q", l)
	}
}

// TestWholeMessage: BODY[] is the message as it was stored, byte for
// byte, also when its header does not parse (go-imap's section reader
// answered an empty literal), and BODY[]<o.n> a part of it.
func TestWholeMessage(t *testing.T) {
	t.Parallel()
	w, _, dial, _ := start(t, nil)
	raw := "not a header line\r\n\r\nbody\r\n"
	if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	c := dial()
	c.Send("a AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	c.Line()
	c.Send("b SELECT INBOX")
	c.Until("b ")
	for _, tc := range []struct{ fetch, want string }{
		{"BODY.PEEK[]", raw},
		{"BODY.PEEK[]<4.6>", "a head"},
		{"BODY.PEEK[]<100.6>", ""},
	} {
		c.Send("f FETCH 1 " + tc.fetch)
		head := c.Line()
		m := regexp.MustCompile(`\{(\d+)\}$`).FindStringSubmatch(head)
		if m == nil {
			t.Fatalf("%s: %q", tc.fetch, head)
		}
		n, _ := strconv.Atoi(m[1])
		got := make([]byte, n)
		if _, err := io.ReadFull(c.Reader(), got); err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s: %q, want %q", tc.fetch, got, tc.want)
		}
		c.Until("f ")
	}
}

// TestNonSynchronizingAppend: with LITERAL+ announced (Exchange, EX-03), an
// APPEND whose literal "{n+}" (RFC 7888) is past 4,096 bytes comes whole
// without a "+" and is stored as sent, a line in it that looks like a
// refused literal included. (Without LITERAL+ go-imap refuses it and
// drops the connection while the client still writes: its own answer.)
func TestNonSynchronizingAppend(t *testing.T) {
	t.Parallel()
	// Its last line, ended by the APPEND's own CRLF, looks like a LOGIN
	// whose literal go-imap would refuse.
	msg := "Subject: big\r\n\r\n" + strings.Repeat("x", 10000) + "\r\nb LOGIN {999999}"
	_, _, dial, _ := start(t, func(c *imap.Config) {
		c.Personality.Capabilities = append(slices.Clone(c.Personality.Capabilities), "LITERAL+")
	})
	c := dial()
	c.Send("a AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
	c.Line()
	c.Send("c APPEND INBOX {" + strconv.Itoa(len(msg)) + "+}\r\n" + msg)
	if got := c.Until("c "); !strings.HasPrefix(got, "c OK") {
		t.Fatalf("APPEND: %q", got)
	}
	// Nothing was slipped into the stream after the literal.
	c.Send("n NOOP")
	match(t, c.Line(), `n OK .*`)
	c.Send("d SELECT INBOX")
	c.Until("d ")
	c.Send("e FETCH 1 BODY.PEEK[]")
	if head := c.Line(); !strings.HasSuffix(head, "{"+strconv.Itoa(len(msg))+"}") {
		t.Fatalf("FETCH: %q", head)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c.Reader(), got); err != nil || string(got) != msg {
		t.Fatalf("stored %q (%v), want the message sent", got, err)
	}
	c.Until("e ")
}

// TestListedCapabilities: a provider's own capability lists (Gmail's and
// Exchange's; the scenarios check them whole) keep go-imap's
// state-dependent entries, and list nothing the server does not
// implement: every entry is one go-imap announces for the same
// personality before or after authentication (IMAP4, the RFC 1730 tag,
// aside).
func TestListedCapabilities(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]mailauth.IMAPPersonality{"google": google.Personality().IMAP, "microsoft": microsoft.Personality().IMAP} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lists := func(p mailauth.IMAPPersonality) (before, after []string) {
				_, srv, ca := launch(t, func(cfg *imap.Config) { cfg.Personality = p })
				c := mailtest.Dial(t, srv.TLSAddr, ca.ClientConfig())
				c.Line()
				c.Send("a CAPABILITY")
				before = strings.Fields(strings.TrimPrefix(c.Line(), "* CAPABILITY "))
				c.Until("a ")
				c.Send("b AUTHENTICATE XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token))
				match(t, c.Until("b "), `b OK .*`)
				c.Send("c CAPABILITY")
				after = strings.Fields(strings.TrimPrefix(c.Line(), "* CAPABILITY "))
				c.Until("c ")
				return before, after
			}
			own := p
			own.ListedBefore, own.ListedAfter = nil, nil
			libBefore, libAfter := lists(own)
			before, after := lists(p)
			implemented := append([]string{"IMAP4"}, append(libBefore, libAfter...)...)
			for _, l := range [][]string{before, after} {
				for _, c := range l {
					if !slices.Contains(implemented, c) {
						t.Errorf("%s listed, which go-imap does not announce (%v, then %v)", c, libBefore, libAfter)
					}
				}
			}
			state := func(l []string) (out []string) {
				for _, c := range l {
					if c == "STARTTLS" || c == "LOGINDISABLED" || strings.HasPrefix(c, "AUTH=") {
						out = append(out, c)
					}
				}
				return out
			}
			if !slices.Equal(state(before), state(libBefore)) {
				t.Errorf("before authentication %v, go-imap's %v", before, libBefore)
			}
			if p.ListedAfter == nil && !slices.Equal(after, libAfter) {
				t.Errorf("once authenticated %v, go-imap's %v", after, libAfter)
			}
		})
	}
}
