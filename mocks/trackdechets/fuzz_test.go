package trackdechets

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

const fuzzWorld = `
providers:
  trackdechets:
    clients:
      - {name: web, id: ck7d66y9s00x20784u4u7fp8l, secret: s3cr3t, redirect_uris: ["http://localhost/cb"]}
    users:
      - {email: alice@trackdechets.test, name: Alice, password: pw}
`

func fuzzProvider(t *testing.T) http.Handler {
	w, err := world.Load(strings.NewReader(fuzzWorld), world.Schemas{Name: Schema()})
	if err != nil {
		t.Fatal(err)
	}
	return New(w, Options{}).Handler()
}

// FuzzAPI: whatever the body and its type, the GraphQL API answers with a
// status below 500 (Express's, Apollo's or a GraphQL result).
func FuzzAPI(f *testing.F) {
	f.Add("application/json", `{"query":"{ me { email } }"}`)
	f.Add("application/json", `[{"query":"{ me { email } }"},{"query":"mutation { revokeAuthorizedApplication(id: \"x\") { id } }"}]`)
	f.Add("application/json", `{"query":"query($a: DateTime) { me { id } }","variables":{"a":"2026"}}`)
	f.Add("application/graphql", `{ authorizedApplications { id lastConnection } }`)
	f.Add("application/json; charset=utf-8", `{"query": 12}`)
	f.Add("text/plain", `{}`)
	f.Fuzz(func(t *testing.T, contentType, body string) {
		h := fuzzProvider(t)
		req := httptest.NewRequest(http.MethodPost, APIPath, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+body)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: HTTP %d %s", contentType, body, rec.Code, rec.Body)
		}
	})
}

// FuzzTokenClientAuth: whatever the Authorization header, the token
// endpoint answers passport's 400 or 401, or oauth2orize's JSON, never a
// 5xx; a 401 always carries the Basic challenge.
func FuzzTokenClientAuth(f *testing.F) {
	f.Add("Basic Y2s3ZDY2eTlzMDB4MjA3ODR1NHU3ZnA4bDpzM2NyM3Q=", "grant_type=authorization_code&code=x&redirect_uri=http://localhost/cb")
	f.Add("Basic", "grant_type=refresh_token")
	f.Add("basic Og==", "client_id=ck7d66y9s00x20784u4u7fp8l&client_secret=s3cr3t")
	f.Add("Bearer x", "")
	f.Fuzz(func(t *testing.T, authorization, body string) {
		h := fuzzProvider(t)
		req := httptest.NewRequest(http.MethodPost, TokenPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code >= 500 && rec.Code != http.StatusNotImplemented:
			t.Fatalf("%q %q: HTTP %d %s", authorization, body, rec.Code, rec.Body)
		case rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") != `Basic realm="Users"`:
			t.Fatalf("%q %q: 401 without the Basic challenge", authorization, body)
		}
	})
}
