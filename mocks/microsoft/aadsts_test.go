package microsoft

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestCatalogue walks the AADSTS table: every entry has an error, a 4xx
// status, a text whose placeholders are all vars' and a surface; numbers
// ascend, so none is there twice.
func TestCatalogue(t *testing.T) {
	t.Parallel()
	all := vars{app: "x", name: "x", tenant: "x", scope: "x", uri: "x", resource: "x", issued: "x", grant: "x", param: "x", description: "x",
		user: "x", idp: "x", lifetime: "x"}
	for i, e := range catalogue {
		if e.err == "" || e.text == "" || e.on == 0 {
			t.Errorf("%d: error %q, text %q, surfaces %b: none may be empty", e.code, e.err, e.text, e.on)
		}
		if e.status < 400 || e.status > 499 {
			t.Errorf("%d: status %d", e.code, e.status)
		}
		if strings.ContainsAny(strings.ReplaceAll(all.expand(e.text), "{EmailHidden}", ""), "{}") {
			t.Errorf("%d: a placeholder vars does not fill: %q", e.code, e.text)
		}
		if i > 0 && e.code <= catalogue[i-1].code {
			t.Errorf("%d after %d: the numbers must ascend, each once", e.code, catalogue[i-1].code)
		}
	}
	if len(byCode) != len(catalogue) {
		t.Errorf("byCode has %d entries for %d", len(byCode), len(catalogue))
	}
}

// catalogueWorld is a tenant whose users may not consent (65001).
const catalogueWorld = `
providers:
  microsoft:
    tenants:
      contoso:
        id: 6F1D6C2E-3B7A-4C1E-9D2A-0C5E8B7A4F10
        domains: [contoso.onmicrosoft.com]
        user_consent_disabled: true
        mfa_required: [mfa@contoso.test]
        conditional_access_block: [blocked@contoso.test]
        sign_in_frequency: 1h
        users: [{email: a@contoso.test, name: A, password: p}]
        clients:
          - {name: app, id: 5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c, allow_public_client_flows: true, spa: ["http://localhost:9/spa"]}
`

// seen checks that a description came from the catalogue, shown on a
// surface the entry lists, and records it.
type seen struct {
	t   *testing.T
	got map[code]surface
}

// check finds the entry of an answer by its number (or, for an answer
// without one, by its error) and checks its error, status and text.
func (s seen) check(what string, on surface, number int, errCode string, status int, desc string) {
	s.t.Helper()
	text, _, _ := strings.Cut(desc, "\r\nTrace ID: ")
	var e entry
	var ok bool
	if number != 0 {
		e, ok = byCode[code(number)]
		text = strings.TrimPrefix(text, "AADSTS"+strconv.Itoa(number)+": ")
	} else {
		for _, c := range catalogue {
			if c.code < 0 && c.err == errCode {
				e, ok = c, true
			}
		}
	}
	switch {
	case !ok:
		s.t.Errorf("%s: AADSTS%d (%s) is not in the catalogue", what, number, errCode)
	case e.on&on == 0:
		s.t.Errorf("%s: AADSTS%d shown on surface %b, the catalogue lists %b", what, e.code, on, e.on)
	case errCode != "" && errCode != e.err, status != 0 && status != e.status:
		s.t.Errorf("%s: AADSTS%d answered %d %s, the catalogue says %d %s", what, e.code, status, errCode, e.status, e.err)
	case !template(e.text).MatchString(text):
		s.t.Errorf("%s: AADSTS%d's text %q is not the catalogue's %q", what, e.code, text, e.text)
	}
	s.got[e.code] |= on
}

// template is a text template as a pattern: each placeholder any text.
func template(text string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.MustCompile(`\\\{[a-z]+\\\}`).ReplaceAllString(regexp.QuoteMeta(text), `.*`) + `$`)
}

// TestAnswersFromCatalogue: each answer the profile gives, on each
// surface, is a catalogue entry that lists the surface; and each surface
// an entry lists is one the profile shows it on.
func TestAnswersFromCatalogue(t *testing.T) {
	t.Parallel()
	w, err := world.Load(strings.NewReader(catalogueWorld), world.Schemas{Name: Schema()})
	if err != nil {
		t.Fatal(err)
	}
	p := profile{w: w, loops: newLoopGuard()}
	contoso := world.Realm{Provider: Name, Tenant: "contoso"}
	app, _ := w.ClientNamed(contoso, "app")
	user, _ := w.Account(contoso, "a@contoso.test")
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	call := authserver.Call{Realm: "contoso", Client: app, Now: now, Request: httptest.NewRequest(http.MethodPost, "/", nil)}
	s := seen{t: t, got: map[code]surface{}}

	var fails []authserver.Failure
	for _, k := range []authserver.FailureKind{authserver.InvalidRequest, authserver.UnsupportedGrantType,
		authserver.UnsupportedResponseType, authserver.UnknownClient, authserver.ClientAuthMissing, authserver.WrongSecret,
		authserver.SecretExpired, authserver.SecretFromPublicClient, authserver.AuthMethodRefused, authserver.WrongClientType,
		authserver.GrantNotAllowed, authserver.RedirectMismatch, authserver.InvalidScope, authserver.CodeInvalid,
		authserver.CodeReused, authserver.CodeExpired, authserver.PKCEFailed, authserver.CodeOtherClient,
		authserver.RefreshInvalid, authserver.RefreshRevoked, authserver.RefreshExpired, authserver.RefreshOtherClient,
		authserver.AccessDenied, authserver.LoginRequired, authserver.ConsentRequired, authserver.DevicePending,
		authserver.DeviceSlowDown, authserver.DeviceDenied, authserver.DeviceExpired, authserver.DeviceCodeInvalid,
		authserver.ServerError, authserver.Unavailable} {
		fails = append(fails, authserver.Failure{Kind: k, Detail: "detail", Description: "description", Issued: now})
	}
	fails = append(fails, authserver.Failure{Kind: authserver.RefreshExpired, Issued: now, Fixed: true})
	// Microsoft's own refusals, for authorization codes (which /authorize
	// also shows) and for client credentials.
	var atAuthorize []authserver.Failure
	for _, r := range []struct {
		realm, grant string
		scopes       []string
	}{
		{"contoso", "authorization_code", []string{"https://nowhere.example/x"}},
		{"common", "authorization_code", []string{"https://outlook.office.com/SMTP.Send", "User.Read"}},
		{"contoso", "authorization_code", []string{"https://outlook.office.com/Nope"}},
		{"contoso", "authorization_code", []string{"https://outlook.office.com/SMTP.Send"}},
		{"common", "client_credentials", []string{"https://outlook.office365.com/.default"}},
		{"contoso", "client_credentials", []string{"https://outlook.office365.com/SMTP.SendAsApp"}},
		{"contoso", "client_credentials", []string{"https://nowhere.example/.default"}},
	} {
		c := call
		c.Realm = r.realm
		_, f := p.resolveGrant(c, authserver.GrantRequest{GrantType: r.grant, User: user, Scopes: r.scopes, Form: url.Values{}})
		if f == nil {
			t.Fatalf("%v was granted", r)
		}
		fails = append(fails, *f)
		if r.grant == "authorization_code" {
			atAuthorize = append(atAuthorize, *f)
		}
	}
	// The checks of checks.go: admission, redemption, refresh.
	mfa := call
	mfa.Realm = "common"
	fails = append(fails, authserver.Failure{Kind: authserver.CodeInvalid, Malformed: true},
		authserver.Failure{Kind: authserver.DeviceCodeInvalid, Spent: true})
	for _, f := range []*authserver.Failure{
		p.admitDevice(call, nil),
		p.admitDevice(mfa, []string{"x"}),
		p.admitUser(authserver.Call{Client: app}, world.Account{Email: "z@other.test", Realm: world.Realm{Provider: Name, Tenant: "other"}}),
		p.refreshCheck(call, authserver.RedeemRequest{User: world.Account{Email: "mfa@contoso.test", Realm: contoso},
			Claims: map[string]any{"aud": Outlook, "amr": []any{"pwd"}}}),
		p.refreshCheck(call, authserver.RedeemRequest{User: world.Account{Email: "blocked@contoso.test", Realm: contoso}}),
		p.refreshCheck(call, authserver.RedeemRequest{User: user, SignedIn: now.Add(-2 * time.Hour)}),
	} {
		fails = append(fails, *f)
	}
	// M-14: a refresh loop's request one too many.
	loop := authserver.RedeemRequest{User: world.Account{Email: "loop@contoso.test", Realm: contoso}}
	for range loopLimit {
		p.refreshCheck(call, loop)
	}
	fails = append(fails, *p.refreshCheck(call, loop))
	for _, form := range []url.Values{{"scope": {"https://outlook.office.com/SMTP.Send User.Read"}}, {}, {"redirect_uri": {"http://localhost:9/spa"}}} {
		_, f := p.redeem(call, authserver.RedeemRequest{User: user, Granted: []string{"https://outlook.office.com/SMTP.Send", "User.Read"},
			Claims: map[string]any{"tid": "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"}, Form: form})
		fails = append(fails, *f)
	}
	for _, creds := range [][2]string{{"nobody@contoso.test", "p"}, {"a@contoso.test", "wrong"}} {
		_, f := p.password(call, creds[0], creds[1])
		fails = append(fails, *f)
	}
	if _, f := p.redeem(call, authserver.RedeemRequest{Claims: map[string]any{"tid": "other"}}); f != nil {
		fails = append(fails, *f)
	}
	disabled := call
	disabled.Client.Settings = App{Disabled: true}
	atAuthorize = append(atAuthorize, *p.admitAuthorize(disabled, nil), *p.admitAuthorize(mfa, nil),
		*p.admitUser(authserver.Call{Client: app}, world.Account{Email: "z@other.test", Realm: world.Realm{Provider: Name, Tenant: "other"}}),
		*p.admitUser(call, world.Account{Email: "blocked@contoso.test", Realm: contoso}))
	page := call
	page.Request = httptest.NewRequest(http.MethodGet, "/contoso"+AuthorizePath, nil)
	atAuthorize = append(atAuthorize, *p.noConsent(page, user))
	fails = append(fails, *p.admitDevice(disabled, []string{"x"}))
	for _, f := range fails {
		switch f.Kind {
		case authserver.AccessDenied, authserver.LoginRequired, authserver.ConsentRequired:
			// /authorize's alone.
			atAuthorize = append(atAuthorize, f)
			continue
		}
		reply, ok := p.tokenError(call, f)
		if !ok {
			continue
		}
		b := reply.Body.(aadError)
		number := 0
		if len(b.ErrorCodes) == 1 {
			number = b.ErrorCodes[0]
		}
		s.check("token "+f.Error(), tokenJSON, number, b.Error, reply.Status, b.ErrorDescription)
	}
	// What /authorize can meet: its own checks, a fault, the grant.
	for _, f := range append(atAuthorize, []authserver.Failure{{Kind: authserver.InvalidRequest, Description: "d"},
		{Kind: authserver.InvalidScope, Detail: "x"}, {Kind: authserver.CodeInvalid},
		{Kind: authserver.UnknownClient, Detail: "x"}, {Kind: authserver.RedirectMismatch, Detail: "x"}}...) {
		a := p.authorizeFailure(call, f)
		switch {
		case a.Redirect:
			if n := code(number(a.Params.Get("error_description"))); a.Page != nil && byCode[n].on&errorPage != 0 {
				// Where the redirect URI cannot be trusted (the others'
				// pages are the same page, with no record of Entra's).
				msg := strings.TrimPrefix(a.Page.Lines[len(a.Page.Lines)-1], "Message: ")
				s.check("page "+f.Error(), errorPage, number(msg), "", 0, msg)
			}
			d := a.Params.Get("error_description")
			errCode := a.Params.Get("error")
			if _, ok := authorizeErrors[code(number(d))]; ok {
				errCode = ""
			}
			s.check("redirect "+f.Error(), authorizeRedirect, number(d), errCode, 0, d)
		case a.Page != nil:
			msg := strings.TrimPrefix(a.Page.Lines[len(a.Page.Lines)-1], "Message: ")
			s.check("page "+f.Error(), errorPage, number(msg), "", 0, msg)
		case a.Location != "":
			// M-13: "Need admin approval" at /common/reprocess.
			rec := httptest.NewRecorder()
			New(w, Options{}).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, a.Location, nil))
			msg := regexp.MustCompile(`AADSTS\d+: [^\\<]*`).FindString(html.UnescapeString(rec.Body.String()))
			s.check("page "+f.Error(), errorPage, number(msg), "", 0, msg)
		}
	}
	// M-11: no redirect_uri for an app that registered none.
	bare := call
	bare.Client.RedirectURIs, bare.Client.Settings = nil, App{}
	if a := p.authorizeFailure(bare, authserver.Failure{Kind: authserver.InvalidRequest}); a.Page != nil {
		msg := strings.TrimPrefix(a.Page.Lines[len(a.Page.Lines)-1], "Message: ")
		s.check("page no reply address", errorPage, number(msg), "", 0, msg)
	}
	// The endpoints' own: an unknown tenant, another instance.
	prov := New(w, Options{})
	prov.SetBaseURL("https://login.test")
	h := prov.Handler()
	for path, on := range map[string]surface{
		"/nowhere.test/v2.0/.well-known/openid-configuration":        tokenJSON,
		"/contoso/v2.0/.well-known/openid-configuration?appid=a@b.c": tokenJSON,
		"/nowhere.test/oauth2/v2.0/authorize":                        errorPage,
		"/common/discovery/instance?authorization_endpoint=http://x": tokenJSON,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		d := regexp.MustCompile(`AADSTS\d+: [^\\<]*`).FindString(html.UnescapeString(rec.Body.String()))
		status := rec.Code
		if on == errorPage {
			// M-15: pages are 200s; the entry's status is the JSON's.
			status = 0
		}
		s.check(path, on, number(d), "", status, d)
	}
	// The admin consent endpoint's refusal is checked on the wire by
	// features/microsoft/adminconsent.feature.
	s.got[65004] |= adminConsentRedirect
	for _, e := range catalogue {
		if missed := e.on &^ s.got[e.code]; missed != 0 {
			t.Errorf("AADSTS%d is listed on surfaces %b the profile never showed it on", e.code, missed)
		}
	}
}

// number is the AADSTS number a description starts with, or 0.
func number(desc string) int {
	m := regexp.MustCompile(`^AADSTS(\d+): `).FindStringSubmatch(desc)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestCatalogueCalls reads the package's source: every answer and refusal
// names a number of the catalogue, and no AADSTS answer is written
// anywhere but from the catalogue.
func TestCatalogueCalls(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	consts := map[string]code{"declined": declined, "badVerificationCode": badVerificationCode}
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				id, ok := n.Fun.(*ast.Ident)
				if !ok || (id.Name != "answer" && id.Name != "refusal") {
					return true
				}
				calls++
				var c code
				switch a := n.Args[0].(type) {
				case *ast.BasicLit:
					v, _ := strconv.Atoi(a.Value)
					c = code(v)
				case *ast.Ident:
					var isConst bool
					if c, isConst = consts[a.Name]; !isConst {
						// A number passed on (refusal's own): its
						// callers are checked.
						return true
					}
				}
				if _, ok := byCode[c]; !ok {
					t.Errorf("%s: %s(%s) is not in the catalogue", fset.Position(n.Pos()), id.Name, types.ExprString(n.Args[0]))
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "aadsts" && len(n.Elts) > 0 && name != "aadsts.go" {
					t.Errorf("%s: an AADSTS answer written outside the catalogue", fset.Position(n.Pos()))
				}
			case *ast.BasicLit:
				if strings.Contains(n.Value, "AADSTS") && name != "errors.go" {
					t.Errorf("%s: an AADSTS text outside the catalogue: %s", fset.Position(n.Pos()), n.Value)
				}
			}
			return true
		})
	}
	if calls < 10 {
		t.Fatalf("found %d calls of answer and refusal: the scan is broken", calls)
	}
}
