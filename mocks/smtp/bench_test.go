package smtp_test

import (
	"bytes"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/smtp"
)

var kilobyte = []byte("From: a@x.test\r\nTo: b@y.test\r\nSubject: bench\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 54))

// BenchmarkSMTPSession measures whole submission sessions, one after
// another: connect, EHLO, AUTH XOAUTH2, MAIL, RCPT, DATA of 1 KB, QUIT;
// without TLS (AUTH allowed in clear for the benchmark) and with STARTTLS.
func BenchmarkSMTPSession(b *testing.B) {
	w := mailtest.World(b)
	ca := mailtest.CA(b)
	cfg := mailtest.Server(w, ca)
	cfg.InsecureAuth = true
	srv, err := smtp.Start(smtp.Config{ServerConfig: cfg, Personality: mailtest.Personality.SMTP})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	tlsConfig := ca.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"
	for _, mode := range []string{"plain", "starttls"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				var c *gosmtp.Client
				if mode == "plain" {
					c, err = gosmtp.Dial(srv.Addr)
				} else {
					c, err = gosmtp.DialStartTLS(srv.Addr, tlsConfig)
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Auth(sasl.NewXOAUTH2Client(mailtest.User, mailtest.Token, nil)); err != nil {
					b.Fatal(err)
				}
				if err := c.SendMail(mailtest.User, []string{"b@y.test"}, bytes.NewReader(kilobyte)); err != nil {
					b.Fatal(err)
				}
				if err := c.Quit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}
