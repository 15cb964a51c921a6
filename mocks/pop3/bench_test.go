package pop3_test

import (
	"bufio"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/internal/mailtest"
	"github.com/mailoauth/mailoauth/mocks/pop3"
)

// BenchmarkPOP3Session measures whole sessions over implicit TLS, one after
// another: connect, AUTH XOAUTH2, STAT, RETR of a 1 KB message, QUIT;
// against a canned server in the same run that answers each command with
// the same lines and decides nothing.
func BenchmarkPOP3Session(b *testing.B) {
	w := mailtest.World(b)
	body := "Subject: bench\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 56)
	if err := w.Deliver("s@y.test", []string{mailtest.User}, []byte(body)); err != nil {
		b.Fatal(err)
	}
	ca := mailtest.CA(b)
	srv, err := pop3.Start(pop3.Config{ServerConfig: mailtest.Server(w, ca), Personality: mailtest.Personality.POP3})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ref := canned(b, ca.ServerConfig(), body)
	tlsConfig := ca.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"
	auth := "AUTH XOAUTH2 " + mailtest.XOAUTH2(mailtest.User, mailtest.Token)
	for _, c := range []struct{ name, addr string }{{"mock", srv.TLSAddr}, {"reference", ref}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				conn, err := tls.Dial("tcp", c.addr, tlsConfig)
				if err != nil {
					b.Fatal(err)
				}
				r := bufio.NewReader(conn)
				expectOK(b, r)
				for _, cmd := range []string{auth, "STAT", "RETR 1", "QUIT"} {
					if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
						b.Fatal(err)
					}
					expectOK(b, r)
					if cmd == "RETR 1" {
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								b.Fatal(err)
							}
							if l == ".\r\n" {
								break
							}
						}
					}
				}
				conn.Close()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}

func expectOK(b *testing.B, r *bufio.Reader) {
	l, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(l, "+OK") {
		b.Fatalf("%q %v", l, err)
	}
}

// canned is a POP3 server that answers +OK to everything and RETR with
// body: the bare cost of the same exchange.
func canned(b *testing.B, cfg *tls.Config, body string) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r, w := bufio.NewReader(c), bufio.NewWriter(c)
				w.WriteString("+OK ready\r\n")
				w.Flush()
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch {
					case strings.HasPrefix(l, "RETR"):
						w.WriteString("+OK\r\n" + body + ".\r\n")
					case strings.HasPrefix(l, "QUIT"):
						w.WriteString("+OK\r\n")
						w.Flush()
						return
					default:
						w.WriteString("+OK 1 1024\r\n")
					}
					w.Flush()
				}
			}()
		}
	}()
	return ln.Addr().String()
}
