package authserver_test

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// deviceServer is a device authorization endpoint with random user codes,
// for the client "tv", over TLS with writeTimeout as its write timeout if
// it is not zero.
func deviceServer(t *testing.T, writeTimeout time.Duration) (*httptest.Server, *world.World) {
	t.Helper()
	w := world.New()
	if err := w.AddClient(world.Realm{Provider: "rfc"}, world.Client{ID: "tv", Type: "device", Public: true}); err != nil {
		t.Fatal(err)
	}
	s := authserver.New(w, authserver.Profile{Name: "rfc", CodeLifespan: time.Minute, AccessTokenLifespan: time.Hour,
		RefreshTokenLifespan: authserver.Never, Grants: []string{authserver.DeviceGrantType},
		GrantTypes: func(world.Client) []string { return []string{authserver.DeviceGrantType} },
		Device: &authserver.DeviceProfile{
			UserCode:         func() string { return rand.Text() },
			Lifespan:         30 * time.Minute,
			Interval:         5 * time.Second,
			VerificationPath: "/device",
			Response:         func(_ authserver.Call, d authserver.DeviceAuthorization) any { return d },
		}})
	srv := httptest.NewUnstartedServer(s.FaultAt("device", s.DeviceAuthorization))
	if writeTimeout > 0 {
		srv.Config.WriteTimeout = writeTimeout
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, w
}

// heapAfter is the live heap once the collector ran.
func heapAfter() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestPendingDeviceCodes: a pending device code keeps its grant's scopes,
// not its request: scopes padded to 60 KB cost a code under 2 KB (66 KB
// before); a
// client has at most 1,000 codes pending, then 429 rate_limit_exceeded.
func TestPendingDeviceCodes(t *testing.T) {
	srv, _ := deviceServer(t, 0)
	post := func(form url.Values) (int, string) {
		resp, err := srv.Client().PostForm(srv.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	padded := url.Values{"client_id": {"tv"}, "scope": {"email" + strings.Repeat(" ", 60<<10) + "profile"}}
	const n = 200
	before := heapAfter()
	for range n {
		if status, body := post(padded); status != http.StatusOK {
			t.Fatalf("device code: %d %s", status, body)
		}
	}
	per := (int64(heapAfter()) - int64(before)) / n
	t.Logf("%d bytes each", per)
	if per > 2<<10 {
		t.Errorf("a pending device code costs %d bytes", per)
	}
	small := url.Values{"client_id": {"tv"}, "scope": {"email"}}
	for range 1000 - n {
		if status, body := post(small); status != http.StatusOK {
			t.Fatalf("device code: %d %s", status, body)
		}
	}
	if status, _ := post(small); status != http.StatusTooManyRequests {
		t.Errorf("the 1,001st pending code: %d, want 429", status)
	}
}
