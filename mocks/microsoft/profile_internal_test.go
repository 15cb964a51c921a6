package microsoft

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// twoTenants: contoso with a single-tenant app that has delegated
// permissions, and a multi-tenant one; fabrikam with a user.
const twoTenants = `
providers:
  microsoft:
    tenants:
      contoso:
        id: 6F1D6C2E-3B7A-4C1E-9D2A-0C5E8B7A4F10
        domains: [contoso.onmicrosoft.com]
        users: [{email: a@contoso.test, name: A, password: p}]
        clients:
          - name: mail
            id: 5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c
            allow_public_client_flows: true
            permissions: {delegated: [https://outlook.office.com/IMAP.AccessAsUser.All, https://outlook.office.com/SMTP.Send, User.Read]}
          - {name: shared, id: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d, sign_in_audience: AzureADMultipleOrgs}
      fabrikam:
        id: 11111111-2222-4333-8444-555555555555
        domains: [fabrikam.onmicrosoft.com]
        users: [{email: b@fabrikam.test, name: B, password: p}]
`

func loadTwoTenants(t *testing.T) (*world.World, profile) {
	t.Helper()
	w, err := world.Load(strings.NewReader(twoTenants), world.Schemas{Name: Schema()})
	if err != nil {
		t.Fatal(err)
	}
	return w, profile{w: w, loops: newLoopGuard()}
}

// TestFindClient: an app is found through its tenant and through common;
// another tenant finds only a multi-tenant app (700016 else).
func TestFindClient(t *testing.T) {
	t.Parallel()
	_, p := loadTwoTenants(t)
	for _, c := range []struct {
		realm, id string
		found     bool
	}{
		{"contoso", "5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c", true},
		{"common", "5E1A9C2B-7D3F-4A8E-B6C1-0F2D4E6A8B9C", true},
		{"fabrikam", "5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c", false},
		{"fabrikam", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", true},
		{"contoso", "00000000-0000-4000-8000-000000000000", false},
	} {
		_, f := p.findClient(authserver.Call{Realm: c.realm}, c.id)
		if (f == nil) != c.found {
			t.Errorf("%s at %s: found %v, want %v", c.id, c.realm, f == nil, c.found)
		}
		if f != nil && (f.Kind != authserver.UnknownClient || f.Detail != c.id) {
			t.Errorf("%s at %s: %+v", c.id, c.realm, f)
		}
	}
}

// TestResolveGrant: what a user's grant holds (M-03, M-07): /.default is
// the app's configured permissions of the resource, a bare scope is
// Graph's, no scope is Graph's User.Read; Outlook's scopes are listed with
// their resource, Graph's bare; each refusal has its number.
func TestResolveGrant(t *testing.T) {
	t.Parallel()
	w, p := loadTwoTenants(t)
	contoso := realm("contoso")
	app, _ := w.ClientNamed(contoso, "mail")
	user, _ := w.Account(contoso, "a@contoso.test")
	call := authserver.Call{Realm: "contoso", Client: app, Now: time.Now()}
	for _, c := range []struct {
		scopes  []string
		granted []string
		scp     string
		aud     string
		refused code
	}{
		{scopes: []string{"https://outlook.office.com/.default"}, granted: []string{"https://outlook.office.com/IMAP.AccessAsUser.All",
			"https://outlook.office.com/SMTP.Send"}, scp: "IMAP.AccessAsUser.All SMTP.Send", aud: Outlook},
		{scopes: []string{"https://outlook.office.com/SMTP.Send", "offline_access", "openid"},
			granted: []string{"https://outlook.office.com/SMTP.Send", "openid"}, scp: "SMTP.Send", aud: Outlook},
		{scopes: []string{"Mail.Read", "profile"}, granted: []string{"Mail.Read", "profile"}, scp: "Mail.Read", aud: Graph},
		{scopes: []string{"openid"}, granted: []string{"User.Read", "openid"}, scp: "User.Read", aud: Graph},
		{scopes: []string{"https://outlook.office.com/Nope"}, refused: 70011},
		{scopes: []string{"https://nowhere.example/x"}, refused: 500011},
		// M-12: /authorize takes two resources; the token is the first's.
		{scopes: []string{"https://outlook.office.com/SMTP.Send", "Mail.Read"},
			granted: []string{"https://outlook.office.com/SMTP.Send", "https://graph.microsoft.com/Mail.Read"}, scp: "SMTP.Send", aud: Outlook},
	} {
		g, f := p.resolveGrant(call, authserver.GrantRequest{GrantType: "authorization_code", User: user, Scopes: c.scopes, Form: url.Values{}})
		switch {
		case c.refused != 0:
			if f == nil || f.Kind != authserver.ProviderRefused || code(f.ProviderCode) != c.refused {
				t.Errorf("%v: %+v, want AADSTS%d", c.scopes, f, c.refused)
			}
		case f != nil:
			t.Errorf("%v refused: %+v", c.scopes, f)
		case !slices.Equal(g.Scopes, c.granted) || g.Claims["scp"] != c.scp || g.Claims["aud"] != c.aud:
			t.Errorf("%v: granted %v scp %q aud %v, want %v %q %s", c.scopes, g.Scopes, g.Claims["scp"], g.Claims["aud"], c.granted, c.scp, c.aud)
		}
	}
	for _, c := range []struct {
		realm   string
		scopes  []string
		refused code
	}{
		{"common", []string{"https://outlook.office365.com/.default"}, 50059},
		{"contoso", []string{"https://outlook.office365.com/SMTP.SendAsApp"}, 1002012},
		{"contoso", []string{"https://outlook.office365.com/.default", "https://graph.microsoft.com/.default"}, 70011},
		{"contoso", []string{"https://graph.microsoft.com/.default", "https://graph.microsoft.com/User.Read"}, 70011},
		{"contoso", []string{"https://nowhere.example/.default"}, 500011},
		{"contoso", []string{"https://outlook.office365.com/.default"}, 0},
	} {
		c2 := call
		c2.Realm = c.realm
		g, f := p.resolveGrant(c2, authserver.GrantRequest{GrantType: "client_credentials", Scopes: c.scopes, Form: url.Values{}})
		if _, ok := g.Claims["roles"]; ok {
			// The app has no consented application permissions.
			t.Errorf("client credentials %v at %s: roles %v", c.scopes, c.realm, g.Claims["roles"])
		}
		if got := code(0); f != nil {
			got = code(f.ProviderCode)
			if got != c.refused {
				t.Errorf("client credentials %v at %s: AADSTS%d, want %d", c.scopes, c.realm, got, c.refused)
			}
		} else if c.refused != 0 {
			t.Errorf("client credentials %v at %s granted, want AADSTS%d", c.scopes, c.realm, c.refused)
		}
	}
}

// TestSplitScope: a scope with a resource URI or GUID is split at its
// last slash; a bare one is Graph's.
func TestSplitScope(t *testing.T) {
	t.Parallel()
	for scope, want := range map[string]scopeRef{
		"https://outlook.office.com/SMTP.Send":          {Outlook, "SMTP.Send"},
		"https://outlook.office.com//.default":          {Outlook, ".default"},
		"00000002-0000-0ff1-ce00-000000000000/.default": {"00000002-0000-0ff1-ce00-000000000000", ".default"},
		"SMTP.Send":                             {Graph, "SMTP.Send"},
		"/SMTP.Send":                            {Graph, "/SMTP.Send"},
		"a-b-c-d-e":                             {Graph, "a-b-c-d-e"},
		"/a-b-c-d-e":                            {Graph, "/a-b-c-d-e"},
		"foo/bar":                               {Graph, "foo/bar"},
		"https:SMTP.Send":                       {Graph, "https:SMTP.Send"},
		"https://graph.microsoft.com/Mail.Read": {Graph, "Mail.Read"},
		"00000002-0000-0ff1-ce00-000000000000/IMAP.AccessAs": {"00000002-0000-0ff1-ce00-000000000000", "IMAP.AccessAs"},
	} {
		if got := splitScope(scope); got != want {
			t.Errorf("splitScope(%q) = %+v, want %+v", scope, got, want)
		}
	}
}

// TestTokenResponse: ext_expires_in repeats expires_in (M-03); client_info
// is added only when asked for and a user is signed in (M-09).
func TestTokenResponse(t *testing.T) {
	t.Parallel()
	w, p := loadTwoTenants(t)
	user, _ := w.Account(realm("contoso"), "a@contoso.test")
	for _, c := range []struct {
		form string
		user world.Account
		info bool
	}{
		{"client_info=1", user, true},
		{"client_info=0", user, false},
		{"", user, false},
		{"client_info=1", world.Account{}, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		body := map[string]any{"expires_in": 3599}
		p.tokenResponse(authserver.Call{Request: r}, authserver.Issued{User: c.user}, body)
		if _, ok := body["client_info"]; ok != c.info || body["ext_expires_in"] != 3599 {
			t.Errorf("%q, user %q: %v", c.form, c.user.Email, body)
		}
	}
	p.tokenResponse(authserver.Call{}, authserver.Issued{User: user}, map[string]any{})
}

// TestIssuerAndObjectID: a tenant's issuer has its id, consumers the
// consumers tenant's, common a placeholder; a user's object id is the
// world's, else a GUID derived from the address.
func TestIssuerAndObjectID(t *testing.T) {
	t.Parallel()
	_, p := loadTwoTenants(t)
	for r, want := range map[string]string{
		"contoso":   "https://b/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/v2.0",
		"consumers": "https://b/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
		"common":    "https://b/{tenantid}/v2.0",
	} {
		if got := p.issuer("https://b", r); got != want {
			t.Errorf("issuer(%s) = %s, want %s", r, got, want)
		}
	}
	if got := objectID(world.Account{ID: "given", Email: "a@b"}); got != "given" {
		t.Errorf("objectID with an id: %s", got)
	}
	if got := objectID(world.Account{Email: "A@B"}); !isGUID(got) || got != objectID(world.Account{Email: "a@b"}) {
		t.Errorf("objectID derived: %s", got)
	}
}

// TestAnswerDetails: the texts name what they quote (the application of
// the request, else the failure's client id), the correlation id is the
// client's, and a redirect carries a suberror only where there is one.
func TestAnswerDetails(t *testing.T) {
	t.Parallel()
	_, p := loadTwoTenants(t)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("client-request-id", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
	known := authserver.Call{Realm: "contoso", Client: world.Client{ID: "the-app"}, Request: r}
	unknown := authserver.Call{Realm: "contoso", Request: r}
	desc := func(c authserver.Call, f authserver.Failure) string {
		reply, _ := p.tokenError(c, f)
		return reply.Body.(aadError).ErrorDescription
	}
	if d := desc(known, authserver.Failure{Kind: authserver.WrongSecret, Detail: "other"}); !strings.Contains(d, "app 'the-app'") ||
		!strings.Contains(d, "Correlation ID: aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\r\n") {
		t.Errorf("7000215 of a known app: %q", d)
	}
	if d := desc(unknown, authserver.Failure{Kind: authserver.WrongSecret, Detail: "other"}); !strings.Contains(d, "app 'other'") {
		t.Errorf("7000215 of an app known by id only: %q", d)
	}
	if d := (aadsts{text: "x"}).body(authserver.Call{}); d.CorrelationID == "" || !isGUID(d.CorrelationID) {
		t.Errorf("no request: correlation id %q", d.CorrelationID)
	}
	page := p.authorizeFailure(known, authserver.Failure{Kind: authserver.UnknownClient, Detail: "asked-for"})
	if !strings.Contains(page.Page.Lines[1], "identifier 'asked-for'") {
		t.Errorf("700016 page: %q", page.Page.Lines[1])
	}
	page = p.authorizeFailure(unknown, authserver.Failure{Kind: authserver.RedirectMismatch, Detail: "https://x/cb"})
	if !strings.Contains(page.Page.Lines[1], "redirect URI 'https://x/cb'") || !strings.Contains(page.Page.Lines[1], "the application ''") ||
		!strings.Contains(page.Page.Lines[len(page.Page.Lines)-1], "Message: AADSTS50011: ") {
		t.Errorf("50011 page: %q", page.Page.Lines[1])
	}
	consent := p.authorizeFailure(known, authserver.Failure{Kind: authserver.ConsentRequired})
	scope := p.authorizeFailure(known, authserver.Failure{Kind: authserver.InvalidScope, Detail: "x"})
	if consent.Params.Get("suberror") != "consent_required" || scope.Params.Has("suberror") {
		t.Errorf("suberrors: 65001 %v, 70011 %v", consent.Params, scope.Params)
	}
}

// TestInstanceDiscovery: MSAL's instance discovery answers for the
// fake's own host over https, and 50049 for anything else (M-09).
func TestInstanceDiscovery(t *testing.T) {
	t.Parallel()
	w, _ := loadTwoTenants(t)
	prov := New(w, Options{})
	prov.SetBaseURL("https://login.test")
	h := prov.Handler()
	for endpoint, want := range map[string]int{
		"https://login.test/common/oauth2/v2.0/authorize": http.StatusOK,
		"http://login.test/common/oauth2/v2.0/authorize":  http.StatusBadRequest,
		"https://elsewhere/common/oauth2/v2.0/authorize":  http.StatusBadRequest,
		"%zz": http.StatusBadRequest,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, InstancePath+"?authorization_endpoint="+url.QueryEscape(endpoint), nil))
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", endpoint, rec.Code, want)
		}
	}
}

// TestConsentFor: an administrator's consent to an app of the tenant is
// the app's AdminConsent; to another tenant's, the tenant's ConsentedApps.
func TestConsentFor(t *testing.T) {
	t.Parallel()
	w, _ := loadTwoTenants(t)
	prov := New(w, Options{})
	contoso, fabrikam := realm("contoso"), realm("fabrikam")
	mail, _ := w.ClientNamed(contoso, "mail")
	shared, _ := w.ClientNamed(contoso, "shared")
	if err := prov.consentFor(contoso, mail); err != nil {
		t.Fatal(err)
	}
	if err := prov.consentFor(fabrikam, shared); err != nil {
		t.Fatal(err)
	}
	mail, _ = w.ClientNamed(contoso, "mail")
	tf, _ := TenantOf(w, fabrikam)
	tc, _ := TenantOf(w, contoso)
	if !appOf(mail).AdminConsent || !slices.Equal(tf.ConsentedApps, []string{shared.ID}) || len(tc.ConsentedApps) != 0 {
		t.Errorf("AdminConsent %v, fabrikam %v, contoso %v", appOf(mail).AdminConsent, tf.ConsentedApps, tc.ConsentedApps)
	}
	for _, c := range []struct {
		tenant world.Realm
		app    world.Client
		want   bool
	}{{contoso, mail, true}, {fabrikam, shared, true}, {fabrikam, mail, false}, {contoso, shared, false}} {
		if got := AdminConsented(w, c.tenant, c.app); got != c.want {
			t.Errorf("AdminConsented(%s, %s) = %v", c.tenant.Tenant, c.app.Name, got)
		}
	}
}

// TestRedirectQuery: M-15's encoding, parameters in Entra's order, the
// others after, sorted.
func TestRedirectQuery(t *testing.T) {
	t.Parallel()
	q := url.Values{"state": {"s t"}, "zz": {"1"}, "aa": {"2"}, "error_uri": {"https://x/e?code=1"}, "error": {"e"},
		"error_description": {"A: b\r\nc"}, "admin_consent": {"True"}}
	want := "error=e&error_description=A%3a+b%0d%0ac&error_uri=https%3a%2f%2fx%2fe%3fcode%3d1&admin_consent=True&state=s+t&aa=2&zz=1"
	if got := redirectQuery(q); got != want {
		t.Errorf("redirectQuery: %q, want %q", got, want)
	}
	if got := lowerEscape("%3A%2F%E2%82%AC+%"); got != "%3a%2f%e2%82%ac+%" {
		t.Errorf("lowerEscape: %q", got)
	}
}

// TestFindAccountBySegment (M-01): a personal Microsoft account, of the
// consumers tenant, is found under /common and /consumers, not under
// /organizations nor a tenant's own segment; an organization's user is
// found under /common and /organizations, not under /consumers.
func TestFindAccountBySegment(t *testing.T) {
	t.Parallel()
	w, err := world.Load(strings.NewReader(twoTenants+`      consumers:
        id: 9188040d-6c67-4c5b-b112-36a304b66dad
        users: [{email: d@outlook.test, name: D, password: p}]
`), world.Schemas{Name: Schema()})
	if err != nil {
		t.Fatal(err)
	}
	p := profile{w: w}
	for _, c := range []struct {
		segment, email string
		found          bool
	}{
		{Common, "d@outlook.test", true}, {Consumers, "d@outlook.test", true},
		{Organizations, "d@outlook.test", false}, {"contoso", "d@outlook.test", false},
		{Common, "a@contoso.test", true}, {Organizations, "a@contoso.test", true}, {Consumers, "a@contoso.test", false},
	} {
		if _, ok := p.findAccount(authserver.Call{Realm: c.segment}, c.email); ok != c.found {
			t.Errorf("%s under /%s: found %v, want %v", c.email, c.segment, ok, c.found)
		}
	}
}
