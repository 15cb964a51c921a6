package authserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/authserver"
)

// FuzzTokenEndpoint: whatever the body, the token endpoint answers JSON
// with a status below 500, and an error or a token.
func FuzzTokenEndpoint(f *testing.F) {
	f.Add("grant_type=authorization_code&code=x&client_id=app&client_secret=app-secret")
	f.Add("grant_type=refresh_token&refresh_token=a.b&client_id=app&client_secret=app-secret")
	f.Add("grant_type=" + authserver.DeviceGrantType + "&device_code=zz&client_id=tv")
	f.Add("grant_type=client_credentials&client_id=app&client_secret=app-secret&scope=a%20b")
	f.Add("%zz&&==;grant_type")
	f.Fuzz(func(t *testing.T, body string) {
		p := newRFC(t, authserver.RefreshPolicy{})
		resp, err := p.client.Post(p.srv.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if resp.StatusCode >= 500 || json.Unmarshal(raw, &m) != nil || (m["error"] == nil && m["access_token"] == nil) {
			t.Fatalf("body %q: HTTP %d %q", body, resp.StatusCode, raw)
		}
	})
}

// FuzzAuthorize: whatever the query, the authorization endpoint answers a
// page or a redirect, never a 5xx.
func FuzzAuthorize(f *testing.F) {
	f.Add("client_id=app&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&response_type=code&login_hint=u%40x.test")
	f.Add("client_id=app&response_type=code&code_challenge=x&code_challenge_method=S256&prompt=none")
	f.Add("client_id=tv&response_type=token&scope=%00")
	f.Fuzz(func(t *testing.T, query string) {
		p := newRFC(t, authserver.RefreshPolicy{})
		resp, err := p.client.Get(p.srv.URL + "/auth?" + query)
		if err != nil {
			return // the query did not make a valid URL: nothing reached the server
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("query %q: HTTP %d", query, resp.StatusCode)
		}
		if resp.StatusCode/100 == 3 && resp.Header.Get("Location") == "" {
			t.Fatalf("query %q: redirect without Location", query)
		}
	})
}

func TestDeviceAuthorizationRefusesGET(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	resp, err := p.client.Get(p.srv.URL + "/device/code?client_id=tv")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
}
