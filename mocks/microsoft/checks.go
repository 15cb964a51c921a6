package microsoft

import (
	"crypto/subtle"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// resourceApps are the application ids AADSTS50076 names a resource by.
var resourceApps = map[string]string{Outlook: "00000002-0000-0ff1-ce00-000000000000", Graph: "00000003-0000-0000-c000-000000000000"}

// admitAuthorize refuses, before anyone signs in, an application its
// owner disabled (7000112, M-11) and a single-tenant application used
// through /common (50194, M-11, F-20: redirected when the redirect URI is
// valid, else on the sign-in page), and a request without scope, or with
// an empty scope= (900144 'scope', M-06), or a scope naming no resource
// (70011 (c), on the sign-in page, M-15).
func (p profile) admitAuthorize(c authserver.Call, tx *authserver.Transaction) *authserver.Failure {
	app := appOf(c.Client)
	switch {
	case app.Disabled:
		return refusal(7000112, vars{app: c.Client.ID, name: c.Client.Name})
	case c.Realm == Common && !app.MultiTenant:
		return refusal(50194, vars{app: c.Client.ID, name: c.Client.Name})
	case tx != nil && len(tx.Scopes) == 0:
		return &authserver.Failure{Kind: authserver.InvalidRequest, Detail: "scope", Description: "Missing required parameter: scope"}
	case tx != nil && badScopeFormat(tx.Scopes):
		return scopeFormatRefusal()
	}
	return nil
}

// admitDevice checks a device authorization request (M-05, M-06, F-39):
// scope is required (900144), a disabled application refused (7000112),
// and a single-tenant application must name its tenant (50059 under
// /common or /organizations).
func (p profile) admitDevice(c authserver.Call, scopes []string) *authserver.Failure {
	app := appOf(c.Client)
	switch {
	case len(scopes) == 0:
		return &authserver.Failure{Kind: authserver.InvalidRequest, Detail: "scope", Description: "Missing required parameter: scope"}
	case app.Disabled:
		return refusal(7000112, vars{app: c.Client.ID, name: c.Client.Name})
	case (c.Realm == Common || c.Realm == Organizations) && !app.MultiTenant:
		return refusal(50059, vars{})
	}
	return nil
}

// admitUser refuses a user the application may not have (M-11): one of
// another tenant at a single-tenant application (50020), one a
// Conditional Access policy blocks (53003).
func (p profile) admitUser(c authserver.Call, user world.Account) *authserver.Failure {
	if user.Realm != c.Client.Realm && !appOf(c.Client).MultiTenant {
		home, _ := TenantOf(p.w, user.Realm)
		return refusal(50020, vars{user: user.Email, idp: "https://sts.windows.net/" + home.ID + "/",
			tenant: p.tenantName(c.Client.Realm), app: c.Client.ID, name: c.Client.Name})
	}
	if t, _ := TenantOf(p.w, user.Realm); applies(t.BlockedByCA, user.Email) {
		return refusal(53003, vars{})
	}
	return nil
}

// resourcesOf are the distinct resources scopes name, OpenID Connect's
// aside.
func resourcesOf(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		if slices.Contains([]string{"openid", "profile", "email", "offline_access"}, s) {
			continue
		}
		ref := splitScope(s)
		id := strings.ToLower(strings.TrimSuffix(ref.resource, "/"))
		if r, ok := lookupResource(ref.resource); ok {
			id = r.id
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// redeem is what Entra checks of a code redemption beyond the code
// itself: the tenant it was issued under (a code of one tenant is not
// redeemed at another's endpoint: 70000 [INF, docs/providers/microsoft.md]),
// PKCE for an SPA redirect URI (9002325 [INF]), and the scope mix of M-12:
// a redemption naming two resources is 28000 for an organization's user,
// 70011 variant (d) for a personal Microsoft account (M-06, F-29: which
// account gets which is M-12's guess [INF]), one naming none after a
// multi-resource authorization 28003, one naming one resource gets that
// resource's token.
func (p profile) redeem(c authserver.Call, req authserver.RedeemRequest) (*authserver.Grant, *authserver.Failure) {
	if isTenant(c.Realm) {
		if t, _ := TenantOf(p.w, realm(c.Realm)); req.Claims["tid"] != t.ID {
			return nil, refusal(70000, vars{param: "'code'"})
		}
	}
	if slices.Contains(appOf(c.Client).SPA, req.Form.Get("redirect_uri")) && req.Form.Get("code_verifier") == "" {
		return nil, refusal(9002325, vars{})
	}
	scope := req.Form.Get("scope")
	asked := resourcesOf(strings.Fields(scope))
	switch {
	case len(asked) > 1 && personalRealm(req.User.Realm):
		// The list quoted as sent, space-separated (assast/outlookEmail#58).
		return nil, refusalText(70011, "The provided value for the input parameter 'scope' is not valid. One or more scopes in '"+
			scope+"' are not compatible with each other.")
	case len(asked) > 1:
		return nil, refusal(28000, vars{scope: scope})
	case len(resourcesOf(req.Granted)) <= 1:
		return nil, nil
	case len(asked) == 0:
		return nil, refusal(28003, vars{})
	}
	g, f := p.resolveGrant(c, authserver.GrantRequest{GrantType: "authorization_code", User: req.User,
		Scopes: strings.Fields(scope), Form: req.Form})
	if f != nil {
		return nil, f
	}
	return &g, nil
}

// refreshCheck is what a refresh meets: loop detection (M-14), then the
// policies changed since the sign-in (M-11, F-28): Conditional Access blocking the user (53003),
// a sign-in older than the tenant's sign-in frequency (70043, M-06), MFA
// required of a grant signed in without it (50076); and a password
// changed since the sign-in revokes the grant (50173, M-06: "grant
// revoked (password change/admin)").
func (p profile) refreshCheck(c authserver.Call, req authserver.RedeemRequest) *authserver.Failure {
	if f := p.loopRefusal(c, req.User, "refresh_token"); f != nil {
		return f
	}
	if changed := req.User.PasswordChanged; !changed.IsZero() && !req.SignedIn.IsZero() && changed.After(req.SignedIn) {
		return &authserver.Failure{Kind: authserver.RefreshRevoked}
	}
	t, _ := TenantOf(p.w, req.User.Realm)
	if applies(t.BlockedByCA, req.User.Email) {
		return refusal(53003, vars{})
	}
	if f := t.SignInFrequency; f > 0 && !req.SignedIn.IsZero() && c.Now.Sub(req.SignedIn) > f {
		return refusal(70043, vars{issued: req.SignedIn.UTC().Format(issuedLayout), lifetime: strconv.Itoa(int(f / time.Second))})
	}
	if applies(t.MFARequired, req.User.Email) && !hasMFA(req.Claims["amr"]) {
		aud, _ := req.Claims["aud"].(string)
		app := resourceApps[aud]
		if r, ok := lookupResource(aud); ok {
			app = resourceApps[r.id]
		}
		return refusal(50076, vars{resource: app})
	}
	return nil
}

// hasMFA reports whether an amr claim lists "mfa".
func hasMFA(amr any) bool {
	switch v := amr.(type) {
	case []string:
		return slices.Contains(v, "mfa")
	case []any:
		return slices.Contains(v, any("mfa"))
	}
	return false
}

// password is ROPC as Entra answers it (M-11, F-28): a user the tenant
// does not have is 50034, a wrong password 50126; once the password is
// right, loop detection (50196, M-14), Conditional Access (53003) and
// MFA, which ROPC cannot do (50076), are met.
func (p profile) password(c authserver.Call, username, password string) (world.Account, *authserver.Failure) {
	user, ok := p.findAccount(c, username)
	switch {
	case !ok:
		return world.Account{}, refusal(50034, vars{tenant: p.tenantName(realm(c.Realm))})
	case subtle.ConstantTimeCompare([]byte(user.Password), []byte(password)) != 1:
		return world.Account{}, refusal(50126, vars{})
	}
	if f := p.loopRefusal(c, user, "password"); f != nil {
		return world.Account{}, f
	}
	t, _ := TenantOf(p.w, user.Realm)
	if applies(t.BlockedByCA, user.Email) {
		return world.Account{}, refusal(53003, vars{})
	}
	if applies(t.MFARequired, user.Email) {
		res := Graph
		if c.Request != nil {
			if r := resourcesOf(strings.Fields(c.Request.PostFormValue("scope"))); len(r) > 0 {
				res = r[0]
			}
		}
		return world.Account{}, refusal(50076, vars{resource: resourceApps[res]})
	}
	return user, nil
}
