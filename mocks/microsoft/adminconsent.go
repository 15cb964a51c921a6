package microsoft

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// The admin consent endpoints (M-01), under /{tenant}: the v1 one and the
// v2.0 one, which takes a scope.
const (
	AdminConsentPath   = "/adminconsent"
	AdminConsentV2Path = "/v2.0/adminconsent"
)

// adminConsent is the admin consent endpoint: an administrator of the
// tenant signs in, accepts the app's permissions for the whole
// organization, and is sent back to the app's registered redirect URI with
// admin_consent=True, the tenant id, the scope asked for and the state
// ([DOC] v2-admin-consent). An app of the tenant gets "Grant admin consent";
// another tenant's multi-tenant app is added to the tenant's consented
// apps. What Entra shows a user who is not an administrator is not
// recorded: a "Need admin approval" page is inferred [INF]; a refusal is
// access_denied with AADSTS65004 as M-06 records it.
func (p *Provider) adminConsent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.Message(w, http.StatusBadRequest, "Sign in", "Sorry, but we're having trouble signing you in.", "The request is malformed.")
		return
	}
	c := authserver.Call{Realm: authserver.RealmOf(r.Context()), Now: p.w.Clock.Now(), Request: r}
	reg, f := profile{w: p.w}.findClient(c, r.Form.Get("client_id"))
	if f != nil {
		p.AuthorizeFailure(w, r, nil, *f)
		return
	}
	c.Client = reg
	redirectURI := r.Form.Get("redirect_uri")
	if redirectURI == "" || !redirectAllowed(c, redirectURI) {
		// The page names the application (M-06's 50011 text).
		p.AuthorizeFailure(w, r, &authserver.Transaction{Client: reg}, authserver.Failure{Kind: authserver.RedirectMismatch, Detail: redirectURI})
		return
	}
	v, ok := p.SignedIn(w, r, reg)
	if !ok {
		return
	}
	back, _ := url.Parse(redirectURI)
	q := url.Values{}
	if state := r.Form.Get("state"); state != "" {
		q.Set("state", state)
	}
	if f := (profile{w: p.w}).admitUser(c, v.Account); f != nil && f.ProviderCode == 50020 {
		// M-11: an account of another tenant at a single-tenant app's
		// admin consent is sent back with access_denied.
		body := byCode[50020].with(f.Description).body(c)
		q.Set("error", body.Error)
		q.Set("error_description", body.ErrorDescription)
		q.Set("error_uri", body.ErrorURI)
		redirectBack(w, r, back, q)
		return
	}
	tenant, _ := TenantOf(p.w, v.Realm)
	if !slices.ContainsFunc(tenant.Admins, func(a string) bool { return strings.EqualFold(a, v.Email) }) {
		p.Message(w, http.StatusForbidden, "Need admin approval",
			clientName(reg)+" needs permission to access resources in your organization that only an admin can grant.",
			"Please ask an admin to grant permission to this app before you can use it.")
		return
	}
	app := appOf(reg)
	perms := strings.Fields(r.Form.Get("scope"))
	if len(perms) == 0 || slices.ContainsFunc(perms, func(s string) bool { return strings.HasSuffix(s, "/.default") }) {
		perms = slices.Concat(app.Delegated, app.Application)
	}
	decision, ok := p.AskConsent(w, r, v, reg, perms)
	if !ok {
		return
	}
	if decision == authserver.Deny {
		// M-06's 65004 row: error, error_description, error_uri,
		// admin_consent=True, state.
		body := answer(65004, vars{}).body(c)
		q.Set("error", body.Error)
		q.Set("error_description", body.ErrorDescription)
		q.Set("error_uri", body.ErrorURI)
		q.Set("admin_consent", "True")
	} else {
		if err := p.consentFor(v.Realm, reg); err != nil {
			p.Message(w, http.StatusInternalServerError, "Sign in", err.Error())
			return
		}
		q.Set("admin_consent", "True")
		q.Set("tenant", tenant.ID)
		if scope := r.Form.Get("scope"); scope != "" {
			q.Set("scope", scope)
		}
	}
	redirectBack(w, r, back, q)
}

// redirectBack sends the administrator's browser back to the application's
// redirect URI with q added in Entra's encoding (M-15).
func redirectBack(w http.ResponseWriter, r *http.Request, back *url.URL, q url.Values) {
	if back.RawQuery != "" {
		back.RawQuery += "&" + redirectQuery(q)
	} else {
		back.RawQuery = redirectQuery(q)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// consentFor records tenant's admin consent to reg.
func (p *Provider) consentFor(tenant world.Realm, reg world.Client) error {
	if reg.Realm == tenant {
		return UpdateApp(p.w, tenant.Tenant, reg.ID, func(_ *world.Client, a *App) { a.AdminConsent = true })
	}
	return UpdateTenant(p.w, tenant.Tenant, func(t *Tenant) {
		if !slices.Contains(t.ConsentedApps, reg.ID) {
			t.ConsentedApps = append(t.ConsentedApps, reg.ID)
		}
	})
}

func clientName(c world.Client) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}
