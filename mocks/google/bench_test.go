package google_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/google"
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
