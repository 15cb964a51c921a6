package authserver_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestDelayLongerThanTheWriteTimeout: a delay fault longer than the
// server's write timeout still ends in the whole answer, over TLS (where
// the timeout used to cut the reply mid-record), with HTTP/1.1 and HTTP/2.
func TestDelayLongerThanTheWriteTimeout(t *testing.T) {
	srv, w := deviceServer(t, 50*time.Millisecond)
	for _, h2 := range []bool{false, true} {
		if _, err := w.ArmFault(world.Fault{Target: "rfc.device", Kind: world.FaultDelay, Count: 1, DelayMS: 200}); err != nil {
			t.Fatal(err)
		}
		hc := srv.Client()
		if !h2 {
			tr := hc.Transport.(*http.Transport).Clone()
			tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
			tr.ForceAttemptHTTP2 = false
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			hc = &http.Client{Transport: tr}
		}
		resp, err := hc.PostForm(srv.URL, url.Values{"client_id": {"tv"}, "scope": {"email"}})
		if err != nil {
			t.Fatalf("HTTP/2 %v: %v", h2, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || (resp.ProtoMajor == 2) != h2 || !strings.Contains(string(body), "DeviceCode") {
			t.Errorf("HTTP/2 %v: %s %d %q %v", h2, resp.Proto, resp.StatusCode, body, err)
		}
	}
}
