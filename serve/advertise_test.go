package serve_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/serve"
)

// TestAdvertise starts a world advertised as two names (a container's
// published host, a compose service) and dials it by them, as a client
// outside the container would: every URL, issuer and mail endpoint names
// the first, the certificate covers both, the admin API answers to both
// and hands out the CA.
func TestAdvertise(t *testing.T) {
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir(), Advertise: []string{"mailoauth.test", "10.9.8.7"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	m := inst.Manifest

	raw, _ := json.Marshal(m)
	var doc any
	_ = json.Unmarshal(raw, &doc)
	// Scopes are URLs too (https://mail.google.com/), and redirect URIs
	// are the clients': what must not be there is the address serve binds.
	urls := 0
	walkStrings(doc, func(key, s string) {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || key == "redirect_uris" {
			return
		}
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() || u.Hostname() == "localhost" {
			t.Errorf("%s %s names the listen address, not the advertised host", key, s)
		}
		if u.Hostname() == "mailoauth.test" {
			urls++
		}
	})
	if urls < 20 {
		t.Fatalf("only %d URLs in the manifest name the advertised host", urls)
	}
	for name, p := range m.Providers {
		for listener, e := range p.Mail {
			if e.Host != "mailoauth.test" {
				t.Errorf("%s %s: host %s", name, listener, e.Host)
			}
		}
	}

	pem, err := os.ReadFile(m.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	// Every name leads to this machine's loopback, as a published port
	// does; TLS checks the name the URL carries.
	loop := &net.Dialer{Timeout: 10 * time.Second}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, _ := net.SplitHostPort(addr)
			return loop.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
		},
	}}
	t.Cleanup(client.CloseIdleConnections)

	for _, name := range []string{"google", "microsoft"} {
		p := m.Providers[name]
		var disc struct {
			Issuer        string `json:"issuer"`
			TokenEndpoint string `json:"token_endpoint"`
		}
		discoveryOf(t, client, p.DiscoveryURL, &disc)
		if disc.Issuer != p.Issuer || !strings.HasPrefix(disc.TokenEndpoint, "https://mailoauth.test:") {
			t.Errorf("%s discovery: issuer %q (manifest %q), token_endpoint %q", name, disc.Issuer, p.Issuer, disc.TokenEndpoint)
		}
	}

	https, _ := url.Parse(m.Providers["google"].BaseURL)
	for _, name := range []string{"mailoauth.test", "10.9.8.7"} {
		conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", https.Port()), &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Errorf("the certificate for %s: %v", name, err)
			continue
		}
		_ = conn.Close()
	}

	resp, err := client.Get(m.AdminURL + "/api/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(served) != string(pem) {
		t.Errorf("GET /api/ca.pem is not ca_file: %q", served)
	}

	admin, _ := url.Parse(m.AdminURL)
	for host, want := range map[string]int{"mailoauth.test": 200, "10.9.8.7": 200, "other.test": 403} {
		resp, err := client.Get("http://" + net.JoinHostPort(host, admin.Port()) + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("admin API by %s: HTTP %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// walkStrings calls f with every string of a decoded JSON document and the
// key it is under.
func walkStrings(v any, f func(key, s string)) {
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(k, e)
			}
		case []any:
			for _, e := range v {
				walk(key, e)
			}
		case string:
			f(key, v)
		}
	}
	walk("", v)
}

func discoveryOf(t *testing.T, c *http.Client, u string, out any) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}
