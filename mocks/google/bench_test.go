package google_test

import (
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// BenchmarkTokenExchange measures code-for-token exchanges over loopback
// HTTP, one client after another. The codes are obtained beforehand, off
// the clock.
func BenchmarkTokenExchange(b *testing.B) {
	f := newFixture(b)
	web := f.client0(b, "web")
	codes := make([]string, b.N)
	for i := range codes {
		codes[i] = f.code(b, web, "alice@gmail.test", google.MailScope, url.Values{"access_type": {"offline"}})
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {web.ID},
		"client_secret": {web.Secret}, "redirect_uri": {web.RedirectURIs[0]}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		form.Set("code", codes[i])
		expectOK(b, f, form)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
}

// BenchmarkRefresh measures refresh-token grants over loopback HTTP (Google
// does not rotate, so one refresh token serves every iteration).
func BenchmarkRefresh(b *testing.B) {
	f := newFixture(b)
	web := f.client0(b, "web")
	refresh := f.token(b, web, "alice@gmail.test", google.MailScope)["refresh_token"].(string)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh},
		"client_id": {web.ID}, "client_secret": {web.Secret}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		expectOK(b, f, form)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "refreshes/s")
}

func expectOK(b *testing.B, f *fixture, form url.Values) {
	resp, err := f.client.PostForm(f.srv.URL+google.TokenPath, form)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("HTTP %d", resp.StatusCode)
	}
}

// BenchmarkGrantMemory measures the live heap each grant keeps in the
// world: an authorization (offline access, consent) and its exchange, with
// the code, access token and refresh token the server remembers; then
// each refresh, which stores one more access token. The figures are
// bytes of live heap after a collection, per grant and per refresh, once
// the audit log is full (it is bounded by count: world.MaxEvents).
func BenchmarkGrantMemory(b *testing.B) {
	b.Run("grant", func(b *testing.B) {
		f := newFixture(b)
		web := f.client0(b, "web")
		fillEvents(b, f)
		before := liveHeap()
		b.ResetTimer()
		for range b.N {
			f.token(b, web, "alice@gmail.test", google.MailScope)
		}
		b.ReportMetric(float64(liveHeap()-before)/float64(b.N), "B/grant")
		runtime.KeepAlive(f)
	})
	b.Run("refresh", func(b *testing.B) {
		f := newFixture(b)
		web := f.client0(b, "web")
		refresh := f.token(b, web, "alice@gmail.test", google.MailScope)["refresh_token"].(string)
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh},
			"client_id": {web.ID}, "client_secret": {web.Secret}}
		fillEvents(b, f)
		before := liveHeap()
		b.ResetTimer()
		for range b.N {
			expectOK(b, f, form)
		}
		b.ReportMetric(float64(liveHeap()-before)/float64(b.N), "B/refresh")
		runtime.KeepAlive(f)
	})
}

// fillEvents fills the world's audit log with failed token requests.
func fillEvents(b *testing.B, f *fixture) {
	for len(f.w.Events()) < world.MaxEvents {
		f.post(b, google.TokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"unknown"}})
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestGrantKeepsNoJunk: what a grant keeps does not grow with what the
// client sends: with a 30 KB parameter on the authorization and a 60 KB
// one on the token request, a grant keeps about 1 KB, as without them
// (neither is stored with the codes and tokens).
func TestGrantKeepsNoJunk(t *testing.T) {
	f := newFixture(t)
	web := f.client0(t, "web")
	junk := strings.Repeat("j", 30<<10)
	grant := func() {
		code := f.code(t, web, "alice@gmail.test", google.MailScope, url.Values{"access_type": {"offline"}, "prompt": {"consent"}, "junk": {junk}})
		status, body := f.post(t, google.TokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"client_id": {web.ID}, "client_secret": {web.Secret}, "redirect_uri": {web.RedirectURIs[0]}, "junk": {junk + junk}})
		if status != http.StatusOK {
			t.Fatalf("token: HTTP %d %v", status, body)
		}
	}
	grant() // the first grant fills the tables that stay
	const grants = 100
	before := liveHeap()
	for range grants {
		grant()
	}
	perGrant := (liveHeap() - before) / grants
	if perGrant > 4<<10 {
		t.Fatalf("%d bytes of live heap per grant: the junk is kept", perGrant)
	}
	runtime.KeepAlive(f)
}
