package imap_test

import (
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailoauth/mailoauth/mocks/imap"
	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// BenchmarkIMAPSession measures whole sessions, one after another: connect,
// AUTHENTICATE XOAUTH2, SELECT, FETCH one message, LOGOUT; without TLS
// (authentication allowed in clear for the benchmark) and with implicit TLS.
func BenchmarkIMAPSession(b *testing.B) {
	w := mailtest.World(b)
	ca := mailtest.CA(b)
	if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte("Subject: one\r\n\r\nbody\r\n")); err != nil {
		b.Fatal(err)
	}
	cfg := mailtest.Server(w, ca)
	cfg.InsecureAuth = true
	srv, err := imap.Start(imap.Config{ServerConfig: cfg, Personality: mailtest.Personality.IMAP})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	tlsConfig := ca.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"
	for _, mode := range []string{"plain", "tls"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				var c *imapclient.Client
				if mode == "plain" {
					c, err = imapclient.DialInsecure(srv.Addr, nil)
				} else {
					c, err = imapclient.DialTLS(srv.TLSAddr, &imapclient.Options{TLSConfig: tlsConfig})
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Authenticate(sasl.NewXOAUTH2Client(mailtest.User, mailtest.Token, nil)); err != nil {
					b.Fatal(err)
				}
				if _, err := c.Select("INBOX", nil).Wait(); err != nil {
					b.Fatal(err)
				}
				msgs, err := c.Fetch(goimap.SeqSetNum(1), &goimap.FetchOptions{Envelope: true}).Collect()
				if err != nil || len(msgs) != 1 {
					b.Fatalf("fetch: %v %d", err, len(msgs))
				}
				if err := c.Logout().Wait(); err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}
