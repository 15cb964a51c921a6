package authserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// odd is a provider unlike Google, served by the core as it is: tenants in
// the path, a two-step JSON dialog, JSON errors from authorize, JWT access
// tokens that never expire, Basic-only client authentication, and a user
// object in the token response.
type odd struct {
	w   *world.World
	s   *authserver.Server
	srv *httptest.Server
}

func newOdd(t *testing.T) *odd {
	t.Helper()
	w := world.New()
	t1 := world.Realm{Provider: "odd", Tenant: "t1"}
	if err := w.AddClient(t1, world.Client{Name: "app", ID: "app", Secret: "s3cret", RedirectURIs: []string{"http://localhost/cb"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddAccount(t1, world.Account{Email: "u@t1.test", Name: "U"}); err != nil {
		t.Fatal(err)
	}
	profile := authserver.Profile{
		Name:                 "odd",
		Tokens:               authserver.Tokens{Code: authserver.TokenShape{Length: 16}, Access: authserver.TokenShape{JWT: true}},
		CodeLifespan:         10 * time.Minute,
		AccessTokenLifespan:  authserver.Never,
		RefreshTokenLifespan: authserver.Never,
		Grants:               []string{"authorization_code"},
		GrantTypes:           func(world.Client) []string { return []string{"authorization_code"} },
		AuthMethods:          func(world.Client) []string { return []string{authserver.AuthBasic} },
		RedirectAllowed: func(c authserver.Call, uri string) bool {
			return len(c.Client.RedirectURIs) > 0 && c.Client.RedirectURIs[0] == uri
		},
		ResolveGrant: func(c authserver.Call, req authserver.GrantRequest) (authserver.Grant, *authserver.Failure) {
			return authserver.Grant{Claims: map[string]any{"aud": "https://api.odd.test", "tid": c.Realm, "upn": req.User.Email}}, nil
		},
		Issuer: func(base, realm string) string { return base + "/" + realm + "/v2" },
		TokenResponse: func(_ authserver.Call, t authserver.Issued, body map[string]any) {
			body["user"] = map[string]string{"email": t.User.Email, "name": t.User.Name}
		},
		AuthorizeFailure: func(_ authserver.Call, f authserver.Failure) authserver.Answer {
			if f.Kind == authserver.AccessDenied {
				return authserver.Answer{Redirect: true}
			}
			return authserver.Answer{JSON: &authserver.Reply{Status: http.StatusForbidden,
				Body: map[string]string{"error": "unauthorized_client", "error_description": string(f.Kind)}}}
		},
	}
	o := &odd{w: w, s: authserver.New(w, profile)}
	r := mux.NewRouter()
	api := r.PathPrefix("/{tenant}").Subrouter()
	api.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
			next.ServeHTTP(rw, req.WithContext(authserver.WithRealm(req.Context(), mux.Vars(req)["tenant"])))
		})
	})
	// The dialog's two steps: the request is validated and held for the
	// user (JSON), then the user's decision completes it.
	api.HandleFunc("/authorize", func(rw http.ResponseWriter, req *http.Request) {
		tx, f := o.s.BeginAuthorize(req)
		if f != nil {
			o.s.AuthorizeFailure(rw, req, tx, *f)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(rw).Encode(map[string]string{"transactionID": o.s.Hold(tx, req.Form.Get("user"))})
	})
	api.HandleFunc("/decision", func(rw http.ResponseWriter, req *http.Request) {
		_ = req.ParseForm()
		user := req.Form.Get("user")
		tx, ok := o.s.Take(req.Form.Get("transaction_id"), user)
		if !ok {
			http.Error(rw, `{"error":"no transaction"}`, http.StatusForbidden)
			return
		}
		if req.Form.Get("allow") == "" {
			o.s.AuthorizeFailure(rw, req, tx, authserver.Failure{Kind: authserver.AccessDenied})
			return
		}
		acct, _ := o.w.Account(world.Realm{Provider: "odd", Tenant: mux.Vars(req)["tenant"]}, user)
		o.s.CompleteAuthorize(rw, req, tx, acct, true)
	})
	api.Handle("/token", o.s.FaultAt("token", o.s.Token))
	api.HandleFunc("/keys", o.s.JWKS)
	o.srv = httptest.NewServer(r)
	t.Cleanup(o.srv.Close)
	o.s.SetBaseURL(o.srv.URL)
	return o
}

func (o *odd) do(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	c := o.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp, m
}

func (o *odd) get(t *testing.T, path string) (*http.Response, map[string]any) {
	req, _ := http.NewRequest(http.MethodGet, o.srv.URL+path, nil)
	return o.do(t, req)
}

func (o *odd) post(t *testing.T, path string, form url.Values, basic bool) (*http.Response, map[string]any) {
	req, _ := http.NewRequest(http.MethodPost, o.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth("app", "s3cret")
	}
	return o.do(t, req)
}

// code runs the two-step dialog in tenant t1 and returns the code.
func (o *odd) code(t *testing.T) string {
	t.Helper()
	q := url.Values{"client_id": {"app"}, "redirect_uri": {"http://localhost/cb"}, "response_type": {"code"},
		"state": {"st"}, "user": {"u@t1.test"}}
	resp, tx := o.get(t, "/t1/authorize?"+q.Encode())
	if resp.StatusCode != 200 || len(tx["transactionID"].(string)) != 8 {
		t.Fatalf("authorize: HTTP %d %v", resp.StatusCode, tx)
	}
	resp, _ = o.post(t, "/t1/decision", url.Values{"transaction_id": {tx["transactionID"].(string)},
		"user": {"u@t1.test"}, "allow": {"1"}}, false)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || len(loc.Query().Get("code")) != 16 || loc.Query().Get("state") != "st" {
		t.Fatalf("decision: HTTP %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func TestCoreHostsAnotherProvider(t *testing.T) {
	t.Parallel()
	o := newOdd(t)
	redemption := url.Values{"grant_type": {"authorization_code"}, "code": {o.code(t)}, "redirect_uri": {"http://localhost/cb"}}

	t.Run("body credentials are refused when the client may only use Basic", func(t *testing.T) {
		form := url.Values{"client_id": {"app"}, "client_secret": {"s3cret"}}
		for k, v := range redemption {
			form[k] = v
		}
		if resp, body := o.post(t, "/t1/token", form, false); resp.StatusCode != 401 || body["error"] != "invalid_client" {
			t.Fatalf("HTTP %d %v", resp.StatusCode, body)
		}
	})

	resp, tok := o.post(t, "/t1/token", redemption, true)
	if resp.StatusCode != 200 {
		t.Fatalf("redemption: HTTP %d %v", resp.StatusCode, tok)
	}
	t.Run("a token that never expires has no expires_in, and the profile's field", func(t *testing.T) {
		if _, ok := tok["expires_in"]; ok {
			t.Errorf("expires_in present: %v", tok)
		}
		if _, ok := tok["refresh_token"]; ok {
			t.Errorf("refresh_token present: %v", tok)
		}
		if u, _ := tok["user"].(map[string]any); u["email"] != "u@t1.test" || u["name"] != "U" {
			t.Errorf("user %v", tok["user"])
		}
	})

	access := tok["access_token"].(string)
	t.Run("the access token is a JWT signed with the realm's key", func(t *testing.T) {
		_, keys := o.get(t, "/t1/keys")
		raw, _ := json.Marshal(keys)
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(raw, &set); err != nil || len(set.Keys) != 1 {
			t.Fatalf("JWKS %s: %v", raw, err)
		}
		jws, err := jose.ParseSigned(access)
		if err != nil {
			t.Fatal(err)
		}
		if jws.Signatures[0].Header.KeyID != set.Keys[0].KeyID {
			t.Fatalf("kid %q, JWKS %q", jws.Signatures[0].Header.KeyID, set.Keys[0].KeyID)
		}
		payload, err := jws.Verify(set.Keys[0].Key)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		_ = json.Unmarshal(payload, &claims)
		if claims["iss"] != o.srv.URL+"/t1/v2" || claims["aud"] != "https://api.odd.test" || claims["tid"] != "t1" ||
			claims["upn"] != "u@t1.test" || claims["exp"] != nil {
			t.Fatalf("claims %v", claims)
		}
		_, other := o.get(t, "/t2/keys")
		if raw2, _ := json.Marshal(other); string(raw2) == string(raw) {
			t.Fatal("two realms share a key")
		}
	})

	t.Run("ten years later the token still opens the resource", func(t *testing.T) {
		o.w.Clock.Advance(10 * 365 * 24 * time.Hour)
		ctx := authserver.WithRealm(t.Context(), "t1")
		if info := o.s.Introspect(ctx, access); !info.Active || info.User != "u@t1.test" || !info.Expiry.IsZero() {
			t.Fatalf("%+v", info)
		}
		if info := o.s.Introspect(ctx, access[:len(access)-4]+"AAAA"); info.Active {
			t.Fatal("a JWT with another signature is active")
		}
	})

	t.Run("authorize answers JSON, and realms do not share clients", func(t *testing.T) {
		q := url.Values{"client_id": {"app"}, "redirect_uri": {"http://localhost/cb"}, "response_type": {"code"}}
		resp, body := o.get(t, "/t2/authorize?"+q.Encode())
		if resp.StatusCode != 403 || body["error_description"] != string(authserver.UnknownClient) {
			t.Fatalf("HTTP %d %v", resp.StatusCode, body)
		}
		q.Set("redirect_uri", "http://localhost/elsewhere")
		resp, body = o.get(t, "/t1/authorize?"+q.Encode())
		if resp.StatusCode != 403 || body["error_description"] != string(authserver.RedirectMismatch) {
			t.Fatalf("HTTP %d %v", resp.StatusCode, body)
		}
	})

	t.Run("a held transaction is the holder's, once", func(t *testing.T) {
		q := url.Values{"client_id": {"app"}, "redirect_uri": {"http://localhost/cb"}, "response_type": {"code"}, "user": {"u@t1.test"}}
		_, tx := o.get(t, "/t1/authorize?"+q.Encode())
		id := tx["transactionID"].(string)
		if resp, _ := o.post(t, "/t1/decision", url.Values{"transaction_id": {id}, "user": {"x@t1.test"}, "allow": {"1"}}, false); resp.StatusCode != 403 {
			t.Fatalf("another user's decision: HTTP %d", resp.StatusCode)
		}
		resp, _ := o.post(t, "/t1/decision", url.Values{"transaction_id": {id}, "user": {"u@t1.test"}}, false)
		if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || !strings.Contains(loc, "error=access_denied") {
			t.Fatalf("cancel: HTTP %d %q", resp.StatusCode, loc)
		}
		if resp, _ := o.post(t, "/t1/decision", url.Values{"transaction_id": {id}, "user": {"u@t1.test"}, "allow": {"1"}}, false); resp.StatusCode != 403 {
			t.Fatalf("a transaction taken twice: HTTP %d", resp.StatusCode)
		}
	})
}

// TestSecrets: a client holds several secrets; an expired one is told
// apart from a wrong one.
func TestSecrets(t *testing.T) {
	t.Parallel()
	p := newRFC(t, authserver.RefreshPolicy{})
	now := p.w.Clock.Now()
	if err := p.w.UpdateClient(world.Realm{Provider: "rfc"}, "app", func(c *world.Client) {
		c.Secrets = []world.Secret{{ID: "id-old", Value: "old", Expires: now.Add(time.Hour)}, {ID: "id-new", Value: "new"}}
	}); err != nil {
		t.Fatal(err)
	}
	cc := func(secret string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {secret}}
	}
	for _, secret := range []string{"app-secret", "old", "new"} {
		if status, body := p.post(t, "/token", cc(secret)); status != 200 {
			t.Fatalf("secret %q: HTTP %d %v", secret, status, body)
		}
	}
	p.w.Clock.Advance(2 * time.Hour)
	p.kinds = nil
	p.post(t, "/token", cc("old"))
	p.post(t, "/token", cc("id-old"))
	if len(p.kinds) != 2 || p.kinds[0] != authserver.SecretExpired || p.kinds[1] != authserver.WrongSecret {
		t.Fatalf("kinds %v", p.kinds)
	}
}
