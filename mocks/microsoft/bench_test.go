package microsoft_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	jose "github.com/go-jose/go-jose/v3"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

const (
	daemonID     = "2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f"
	daemonSecret = "Yr9R~daemon0mailoauth.secret-value000000"
	desktopID    = "6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d"
	tenantID     = "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"
	mailbox      = "alice@contoso.test"
)

// benchWorld is the default world with only Microsoft running.
func benchWorld(b *testing.B) (*mocks.Server, *mocks.Provider) {
	srv := mocks.Start(b, mocks.Options{Providers: []string{microsoft.Name}})
	return srv, srv.Provider(microsoft.Name)
}

// post posts form to u and checks the status.
func post(b *testing.B, hc *http.Client, u string, form url.Values, status int) []byte {
	resp, err := hc.PostForm(u, form)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		b.Fatalf("POST %s: HTTP %d, want %d: %s", u, resp.StatusCode, status, body)
	}
	return body
}

// reference is a plain net/http TLS server answering every request with
// status and body, or with a body that sign makes per request.
func reference(b *testing.B, status int, body []byte, sign func() []byte) *httptest.Server {
	ref := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		if sign != nil {
			_, _ = w.Write(sign())
			return
		}
		_, _ = w.Write(body)
	}))
	b.Cleanup(ref.Close)
	return ref
}

// BenchmarkJWTIssue measures client credentials grants at a tenant's token
// endpoint, each an RS256 JWT access token, one client over keep-alive
// HTTPS; against plain net/http TLS servers in the same run that answer a
// canned body, and that sign a JWT of the same claims with RS256.
func BenchmarkJWTIssue(b *testing.B) {
	srv, ms := benchWorld(b)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {daemonID}, "client_secret": {daemonSecret},
		"scope": {"https://outlook.office365.com/.default"}}
	tokenURL := ms.TenantEndpoint(tenantID).TokenURL
	canned := post(b, srv.Client(), tokenURL, form, http.StatusOK)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, nil)
	if err != nil {
		b.Fatal(err)
	}
	claims := []byte(`{"aud":"https://outlook.office365.com","iss":"https://sts.windows.net/` + tenantID + `/","appid":"` + daemonID +
		`","roles":["IMAP.AccessAsApp","POP.AccessAsApp","SMTP.SendAsApp"],"tid":"` + tenantID + `","ver":"1.0","idtyp":"app"}`)
	sign := func() []byte {
		jws, _ := signer.Sign(claims)
		tok, _ := jws.CompactSerialize()
		out, _ := json.Marshal(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
		return out
	}
	refCanned, refSigned := reference(b, http.StatusOK, canned, nil), reference(b, http.StatusOK, nil, sign)
	for _, c := range []struct {
		name string
		url  string
		hc   *http.Client
	}{
		{"mock", tokenURL, srv.Client()},
		{"reference-canned", refCanned.URL, refCanned.Client()},
		{"reference-rs256", refSigned.URL, refSigned.Client()},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				post(b, c.hc, c.url, form, http.StatusOK)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkDevicePoll measures device-code polls answered
// authorization_pending (the clock moves the interval between polls, off
// the timer's cost: it is a counter), against a plain TLS server answering
// the same body.
func BenchmarkDevicePoll(b *testing.B) {
	srv, ms := benchWorld(b)
	e := ms.TenantEndpoint("organizations")
	hc := srv.Client()
	newCode := func() string {
		var da struct {
			DeviceCode string `json:"device_code"`
		}
		body := post(b, hc, e.DeviceAuthURL, url.Values{"client_id": {desktopID}, "scope": {"https://outlook.office.com/SMTP.Send"}}, http.StatusOK)
		if err := json.Unmarshal(body, &da); err != nil {
			b.Fatal(err)
		}
		return da.DeviceCode
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {desktopID}}
	form.Set("device_code", newCode())
	srv.World.Clock.Advance(5 * time.Second)
	pending := post(b, hc, e.TokenURL, form, http.StatusBadRequest)
	ref := reference(b, http.StatusBadRequest, pending, nil)
	b.Run("mock", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			if i%150 == 149 { // 900 s of codes at 5 s a poll
				b.StopTimer()
				form.Set("device_code", newCode())
				b.StartTimer()
			}
			srv.World.Clock.Advance(5 * time.Second)
			post(b, hc, e.TokenURL, form, http.StatusBadRequest)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "polls/s")
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		rc := ref.Client()
		for range b.N {
			post(b, rc, ref.URL, form, http.StatusBadRequest)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "polls/s")
	})
}

// appToken is the daemon's app token for Exchange (seed 002).
func appToken(b *testing.B, srv *mocks.Server, ms *mocks.Provider) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {daemonID}, "client_secret": {daemonSecret},
		"scope": {"https://outlook.office365.com/.default"}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(post(b, srv.Client(), ms.TenantEndpoint(tenantID).TokenURL, form, http.StatusOK), &tok); err != nil {
		b.Fatal(err)
	}
	return tok.AccessToken
}

var kilobyte = []byte("From: alice@contoso.test\r\nTo: bob@contoso.test\r\nSubject: bench\r\n\r\n" +
	strings.Repeat("0123456789abcdef\r\n", 54))

// BenchmarkExchangeSMTPSession measures whole submission sessions at
// Exchange Online's SMTP server (STARTTLS, AUTH XOAUTH2 with an app token:
// JWT signature, audience, role, service principal, mailbox permission;
// MAIL, RCPT, DATA 1 KB, QUIT), against a canned go-smtp server in the same
// run that takes any XOAUTH2 and discards the message.
func BenchmarkExchangeSMTPSession(b *testing.B) {
	srv, ms := benchWorld(b)
	token := appToken(b, srv, ms)
	refAddr := cannedSMTP(b, srv.CA.ServerConfig())
	tlsConfig := srv.CA.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"
	for _, c := range []struct{ name, addr string }{{"mock", ms.Mail.SMTP}, {"reference", refAddr}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				cl, err := gosmtp.DialStartTLS(c.addr, tlsConfig)
				if err != nil {
					b.Fatal(err)
				}
				if err := cl.Auth(sasl.NewXOAUTH2Client(mailbox, token, nil)); err != nil {
					b.Fatal(err)
				}
				if err := cl.SendMail(mailbox, []string{"bob@contoso.test"}, bytes.NewReader(kilobyte)); err != nil {
					b.Fatal(err)
				}
				if err := cl.Quit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}

// BenchmarkExchangeIMAPSession measures whole sessions at Exchange
// Online's IMAP server (implicit TLS, AUTHENTICATE XOAUTH2 with an app
// token, SELECT, FETCH 1, LOGOUT), against go-imap's imapmemserver in the
// same run (implicit TLS, AUTHENTICATE PLAIN, one message).
func BenchmarkExchangeIMAPSession(b *testing.B) {
	srv, ms := benchWorld(b)
	token := appToken(b, srv, ms)
	if err := srv.World.Deliver("bob@contoso.test", []string{mailbox}, kilobyte); err != nil {
		b.Fatal(err)
	}
	refAddr := cannedIMAP(b, srv.CA.ServerConfig())
	tlsConfig := srv.CA.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"
	for _, c := range []struct {
		name, addr string
		auth       gosasl.Client
	}{
		{"mock", ms.Mail.IMAPS, sasl.NewXOAUTH2Client(mailbox, token, nil)},
		{"reference", refAddr, gosasl.NewPlainClient("", mailbox, "password")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				cl, err := imapclient.DialTLS(c.addr, &imapclient.Options{TLSConfig: tlsConfig})
				if err != nil {
					b.Fatal(err)
				}
				if err := cl.Authenticate(c.auth); err != nil {
					b.Fatal(err)
				}
				if _, err := cl.Select("INBOX", nil).Wait(); err != nil {
					b.Fatal(err)
				}
				msgs, err := cl.Fetch(goimap.SeqSetNum(1), &goimap.FetchOptions{Envelope: true}).Collect()
				if err != nil || len(msgs) != 1 {
					b.Fatalf("fetch: %v %d", err, len(msgs))
				}
				if err := cl.Logout().Wait(); err != nil {
					b.Fatal(err)
				}
				cl.Close()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}

// cannedSMTP is a go-smtp server with the world's certificate that takes
// any XOAUTH2 and discards every message.
func cannedSMTP(b *testing.B, tlsConfig *tls.Config) string {
	s := gosmtp.NewServer(cannedBackend{})
	s.Domain, s.TLSConfig = "127.0.0.1", tlsConfig
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	b.Cleanup(func() { _ = s.Close() })
	return ln.Addr().String()
}

type cannedBackend struct{}

func (cannedBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &cannedSession{}, nil }

type cannedSession struct{}

func (*cannedSession) AuthMechanisms() []string { return []string{sasl.XOAUTH2} }
func (*cannedSession) Auth(string) (gosasl.Server, error) {
	return acceptAny{}, nil
}
func (*cannedSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (*cannedSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (*cannedSession) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (*cannedSession) Reset()                                 {}
func (*cannedSession) Logout() error                          { return nil }

// acceptAny is a SASL server that accepts the first response.
type acceptAny struct{}

func (acceptAny) Next([]byte) ([]byte, bool, error) { return nil, true, nil }

// cannedIMAP is go-imap's imapmemserver over implicit TLS with mailbox
// holding one message.
func cannedIMAP(b *testing.B, tlsConfig *tls.Config) string {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(mailbox, "password")
	if err := user.Create("INBOX", nil); err != nil {
		b.Fatal(err)
	}
	if _, err := user.Append("INBOX", literal(kilobyte), &goimap.AppendOptions{}); err != nil {
		b.Fatal(err)
	}
	mem.AddUser(user)
	s := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         goimap.CapSet{goimap.CapIMAP4rev1: {}},
		TLSConfig:    tlsConfig,
		InsecureAuth: true,
	})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", tlsConfig)
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	b.Cleanup(func() { _ = s.Close() })
	return ln.Addr().String()
}

// literal is a message as an IMAP literal reader.
type literalReader struct {
	*bytes.Reader
	size int64
}

func (l literalReader) Size() int64 { return l.size }

func literal(b []byte) goimap.LiteralReader {
	return literalReader{bytes.NewReader(b), int64(len(b))}
}
