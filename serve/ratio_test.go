package serve

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// ratioWorkers is how many clients the load generator runs at once, each
// with its own keep-alive connection (HTTP) or one session after another
// (SMTP, IMAP).
const ratioWorkers = 16

// ratioRound is how long each side of a round runs: MAILOAUTH_RATIO_SECONDS
// (make bench-ratio: 3), else a fifth of a second, enough for make test to
// run every path once.
func ratioRound() time.Duration {
	if s, err := strconv.ParseFloat(os.Getenv("MAILOAUTH_RATIO_SECONDS"), 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return 200 * time.Millisecond
}

// TestBenchRatio measures serve's token endpoint and mail servers against
// bare references in one run, on one machine (issue 13, "Performance"):
// the refresh grant at Google's token endpoint (Basic client
// authentication, the secret checked, an access token minted and stored,
// the JSON log line written) against a plain net/http TLS server
// answering a fixed token; SMTP and IMAP sessions with STARTTLS against
// canned servers with the same certificate. Each pair runs interleaved
// three times; the rates and ratios are printed, never asserted (the
// machine is shared: make bench-ratio and README). The test fails only if
// a request or session fails.
func TestBenchRatio(t *testing.T) {
	if testing.Short() {
		t.Skip("load")
	}
	inst, err := Start(Config{StateDir: t.TempDir(), Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	g := inst.Mocks.Google
	cfg, err := g.Config("web", google.MailScope)
	if err != nil {
		t.Fatal(err)
	}
	clientTLS := inst.Mocks.TLSConfig()
	serverTLS := inst.Mocks.CA.ServerConfig()
	ctx := context.Background()

	// Google gives a refresh token at the first consent only, and never
	// rotates it: every worker refreshes the same grant.
	tok, err := g.Token(ctx, "alice@gmail.test", google.MailScope)
	if err != nil {
		t.Fatal(err)
	}
	refresh := tok.RefreshToken
	access := tok
	bare := bareTokenServer(t, serverTLS)
	cannedSMTP := cannedServer(t, serverTLS, cannedSMTPSession)
	cannedIMAP := cannedServer(t, serverTLS, cannedIMAPSession)
	message := "From: alice@gmail.test\r\nTo: alice@gmail.test\r\nSubject: ratio\r\n\r\n" + strings.Repeat("x", 1000) + "\r\n"
	smtpSession := func(addr string) func() error {
		return func() error { return smtpClientSession(addr, clientTLS, access.AccessToken, message) }
	}
	imapSession := func(addr string) func() error {
		return func() error { return imapClientSession(addr, clientTLS, access.AccessToken) }
	}
	// The INBOX has a message for FETCH 1.
	if err := smtpSession(g.Mail.SMTP)(); err != nil {
		t.Fatal(err)
	}
	pairs := []struct {
		name       string
		ref, world func(worker int) func() error
	}{
		{"token endpoint, refresh grant (req/s)",
			func(int) func() error { return tokenRequests(bare+"/token", clientTLS, cfg, "") },
			func(int) func() error { return tokenRequests(g.URL+google.TokenPath, clientTLS, cfg, refresh) }},
		{"SMTP sessions, STARTTLS (sessions/s)",
			func(int) func() error { return smtpSession(cannedSMTP) },
			func(int) func() error { return smtpSession(g.Mail.SMTP) }},
		{"IMAP sessions, STARTTLS (sessions/s)",
			func(int) func() error { return imapSession(cannedIMAP) },
			func(int) func() error { return imapSession(g.Mail.IMAP) }},
	}
	d := ratioRound()
	for _, p := range pairs {
		var refs, worlds []float64
		for range 3 {
			r, err := drive(d, p.ref)
			if err != nil {
				t.Fatalf("%s, reference: %v", p.name, err)
			}
			w, err := drive(d, p.world)
			if err != nil {
				t.Fatalf("%s, serve: %v", p.name, err)
			}
			refs, worlds = append(refs, r), append(worlds, w)
		}
		t.Logf("%s: reference %s, serve %s: %.1f%% (rounds %s)", p.name, rates(refs), rates(worlds),
			100*sum(worlds)/sum(refs), ratios(worlds, refs))
	}
}

// drive runs ratioWorkers workers for d, each calling its operation in a
// loop, and returns the operations per second; the first error stops it.
func drive(d time.Duration, work func(worker int) func() error) (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		done     atomic.Int64
		wg       sync.WaitGroup
		firstErr error
		once     sync.Once
	)
	start := time.Now()
	for i := range ratioWorkers {
		op := work(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := op(); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds(), firstErr
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func rates(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strings.Join(parts, "/")
}

func ratios(worlds, refs []float64) string {
	parts := make([]string, len(worlds))
	for i := range worlds {
		parts[i] = fmt.Sprintf("%.1f%%", 100*worlds[i]/refs[i])
	}
	return strings.Join(parts, " ")
}

// tokenRequests returns a worker's operation: a refresh-grant POST with
// Basic client authentication on its own keep-alive HTTPS connection,
// expecting 200 and an access token.
func tokenRequests(endpoint string, tlsConfig *tls.Config, cfg oauth2.Config, refresh string) func() error {
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig, MaxIdleConnsPerHost: 1}}
	body := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}.Encode()
	return func() error {
		req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"access_token"`) {
			return fmt.Errorf("HTTP %d %.200s", resp.StatusCode, raw)
		}
		return nil
	}
}

// bareTokenServer is the reference: net/http over TLS with the world's
// certificate, answering every request with a fixed token response.
func bareTokenServer(t *testing.T, tlsConfig *tls.Config) string {
	body := []byte(`{"access_token":"ya29.a0` + strings.Repeat("A", 160) + `","expires_in":3599,"scope":"https://mail.google.com/","token_type":"Bearer"}`)
	srv := &http.Server{TLSConfig: tlsConfig, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
		_, _ = w.Write(body)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	return "https://" + ln.Addr().String()
}

// cannedServer is a reference mail server: session answers every line
// with a fixed reply, does STARTTLS with the world's certificate and ends
// the TLS session with its close_notify.
func cannedServer(t *testing.T, tlsConfig *tls.Config, session func(net.Conn, *tls.Config)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(time.Minute))
				session(c, tlsConfig)
			}()
		}
	}()
	return ln.Addr().String()
}

// cannedSMTPSession: fixed replies, the message read and dropped.
func cannedSMTPSession(c net.Conn, tlsConfig *tls.Config) {
	r := bufio.NewReader(c)
	w := io.Writer(c)
	say := func(s string) { _, _ = io.WriteString(w, s) }
	say("220 canned ESMTP ready\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); verb {
		case "EHLO":
			say("250-canned\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-STARTTLS\r\n250-AUTH XOAUTH2\r\n250 SMTPUTF8\r\n")
		case "STARTTLS":
			say("220 2.0.0 Ready to start TLS\r\n")
			tc := tls.Server(c, tlsConfig)
			if tc.Handshake() != nil {
				return
			}
			// Closed as a TLS server closes (close_notify), as the
			// libraries' servers do.
			defer tc.Close()
			r, w = bufio.NewReader(tc), tc
		case "AUTH":
			say("235 2.7.0 Accepted\r\n")
		case "DATA":
			say("354 Go ahead\r\n")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			say("250 2.0.0 OK\r\n")
		case "QUIT":
			say("221 2.0.0 closing connection\r\n")
			return
		default:
			say("250 2.1.0 OK\r\n")
		}
	}
}

// cannedIMAPSession: fixed replies to the commands imapClientSession sends.
func cannedIMAPSession(c net.Conn, tlsConfig *tls.Config) {
	r := bufio.NewReader(c)
	w := io.Writer(c)
	say := func(s string) { _, _ = io.WriteString(w, s) }
	say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] canned ready\r\n")
	message := "From: alice@gmail.test\r\nSubject: ratio\r\n\r\n" + strings.Repeat("x", 1000) + "\r\n"
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			say("* BAD\r\n")
			continue
		}
		tag := f[0]
		switch strings.ToUpper(f[1]) {
		case "STARTTLS":
			say(tag + " OK Begin TLS negotiation now\r\n")
			tc := tls.Server(c, tlsConfig)
			if tc.Handshake() != nil {
				return
			}
			// Closed as a TLS server closes (close_notify), as the
			// libraries' servers do.
			defer tc.Close()
			r, w = bufio.NewReader(tc), tc
		case "AUTHENTICATE":
			say(tag + " OK Success\r\n")
		case "SELECT":
			say("* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n* OK [PERMANENTFLAGS (\\Seen \\*)] Flags permitted.\r\n* OK [UIDVALIDITY 1] UIDs valid.\r\n* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDNEXT 2] Predicted next UID.\r\n" + tag + " OK [READ-WRITE] INBOX selected. (Success)\r\n")
		case "FETCH":
			say("* 1 FETCH (BODY[] {" + strconv.Itoa(len(message)) + "}\r\n" + message + ")\r\n" + tag + " OK Success\r\n")
		case "LOGOUT":
			say("* BYE LOGOUT Requested\r\n" + tag + " OK 73 good day (Success)\r\n")
			return
		default:
			say(tag + " OK Success\r\n")
		}
	}
}

// mailClient is the client side of a session: lines and literals.
type mailClient struct {
	c net.Conn
	r *bufio.Reader
}

func dialMail(addr string) (*mailClient, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	return &mailClient{c: c, r: bufio.NewReader(c)}, nil
}

func (m *mailClient) send(s string) error {
	_, err := io.WriteString(m.c, s+"\r\n")
	return err
}

func (m *mailClient) line() (string, error) {
	l, err := m.r.ReadString('\n')
	return strings.TrimRight(l, "\r\n"), err
}

// upgrade starts TLS on the connection as the client.
func (m *mailClient) upgrade(addr string, tlsConfig *tls.Config) error {
	cfg := tlsConfig.Clone()
	cfg.ServerName, _, _ = net.SplitHostPort(addr)
	tc := tls.Client(m.c, cfg)
	if err := tc.Handshake(); err != nil {
		return err
	}
	m.c, m.r = tc, bufio.NewReader(tc)
	return nil
}

// smtpReply reads a (multi-line) reply and checks its code.
func (m *mailClient) smtpReply(code string) error {
	for {
		l, err := m.line()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(l, code) {
			return fmt.Errorf("SMTP %q, want %s", l, code)
		}
		if len(l) < 4 || l[3] != '-' {
			return nil
		}
	}
}

// smtpClientSession: EHLO, STARTTLS, EHLO, AUTH XOAUTH2, MAIL, RCPT, DATA
// (1 KB), QUIT, a fresh TLS handshake each time.
func smtpClientSession(addr string, tlsConfig *tls.Config, token, message string) error {
	m, err := dialMail(addr)
	if err != nil {
		return err
	}
	defer m.c.Close()
	steps := []struct{ send, code string }{
		{"", "220"}, {"EHLO client.test", "250"}, {"STARTTLS", "220"}, {"EHLO client.test", "250"},
		{"AUTH XOAUTH2 " + base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("alice@gmail.test", token)), "235"},
		{"MAIL FROM:<alice@gmail.test>", "250"}, {"RCPT TO:<alice@gmail.test>", "250"}, {"DATA", "354"},
		{message + ".", "250"}, {"QUIT", "221"},
	}
	for _, s := range steps {
		if s.send != "" {
			if err := m.send(s.send); err != nil {
				return err
			}
		}
		if err := m.smtpReply(s.code); err != nil {
			return err
		}
		if s.send == "STARTTLS" {
			if err := m.upgrade(addr, tlsConfig); err != nil {
				return err
			}
		}
	}
	return nil
}

// imapTagged reads until the tagged reply, reading literals whole, and
// checks it is OK.
func (m *mailClient) imapTagged(tag string) error {
	for {
		l, err := m.line()
		if err != nil {
			return err
		}
		if i := strings.LastIndexByte(l, '{'); i >= 0 && strings.HasSuffix(l, "}") {
			n, err := strconv.Atoi(l[i+1 : len(l)-1])
			if err != nil {
				return err
			}
			if _, err := io.CopyN(io.Discard, m.r, int64(n)); err != nil {
				return err
			}
			continue
		}
		if rest, ok := strings.CutPrefix(l, tag+" "); ok {
			if !strings.HasPrefix(rest, "OK") {
				return fmt.Errorf("IMAP %q", l)
			}
			return nil
		}
	}
}

// imapClientSession: STARTTLS, AUTHENTICATE XOAUTH2 (SASL-IR), SELECT INBOX,
// FETCH 1 BODY.PEEK[], LOGOUT, a fresh TLS handshake each time.
func imapClientSession(addr string, tlsConfig *tls.Config, token string) error {
	m, err := dialMail(addr)
	if err != nil {
		return err
	}
	defer m.c.Close()
	if l, err := m.line(); err != nil || !strings.HasPrefix(l, "* OK") {
		return fmt.Errorf("greeting %q: %v", l, err)
	}
	steps := []string{"a STARTTLS", "b AUTHENTICATE XOAUTH2 " + base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("alice@gmail.test", token)),
		"c SELECT INBOX", "d FETCH 1 BODY.PEEK[]", "e LOGOUT"}
	for _, s := range steps {
		if err := m.send(s); err != nil {
			return err
		}
		tag := s[:1]
		if err := m.imapTagged(tag); err != nil {
			return err
		}
		if tag == "a" {
			if err := m.upgrade(addr, tlsConfig); err != nil {
				return err
			}
		}
	}
	return nil
}
