package microsoft

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// The tenant segments that name no tenant (M-01).
const (
	Common        = "common"
	Organizations = "organizations"
	Consumers     = "consumers"
)

// server returns Microsoft's behaviour for the neutral authorization
// server, over the tenants of w.
func (p profile) server() authserver.Profile {
	return authserver.Profile{
		Name:        Name,
		DisplayName: "Microsoft",
		Tokens: authserver.Tokens{
			Code: authserver.TokenShape{Prefix: "1.A"},
			// M-07: access tokens are RS256 JWTs; EX-07: with x5t and a
			// nonce in the header.
			Access:  authserver.TokenShape{JWT: true, Headers: accessHeaders},
			Refresh: authserver.TokenShape{Prefix: "1.A"},
		},
		// M-02: "codes live about 10 minutes".
		CodeLifespan: 10 * time.Minute,
		// M-03: "expires_in" 3599.
		AccessTokenLifespan: 3599 * time.Second,
		// M-03: 90 days; each refresh hands out a new one with a new
		// lifetime, so the chain dies after 90 days without use (700082).
		RefreshTokenLifespan: 90 * 24 * time.Hour,
		Forget:               90 * 24 * time.Hour,
		PKCEPlain:            true,
		// M-02: query (the default for code), fragment, form_post; MSAL
		// libraries' interactive flows ask for form_post.
		ResponseModes: []fosite.ResponseModeType{fosite.ResponseModeQuery, fosite.ResponseModeFragment, fosite.ResponseModeFormPost},
		// M-07: one set of signing keys, the same under every tenant.
		SharedKeys:  true,
		FindClient:  p.findClient,
		FindAccount: p.findAccount,
		// M-11: Entra still answers ROPC (grant_type=password).
		Grants:   []string{"authorization_code", "refresh_token", "client_credentials", authserver.DeviceGrantType, "password"},
		Password: p.password,
		// M-09: MSAL for Node polls with grant_type=device_code.
		GrantAliases:    map[string]string{"device_code": authserver.DeviceGrantType},
		GrantTypes:      grantTypes,
		AuthMethods:     authMethods,
		RedirectAllowed: redirectAllowed,
		ResolveGrant:    p.resolveGrant,
		// M-03: a new refresh token each time, with a new lifetime; the old
		// one still works.
		Refresh: authserver.RefreshPolicy{ReturnNew: true, RevokeUsed: false, Sliding: true},
		// M-03 [OBS]: Microsoft's headers.
		TokenHeaders: http.Header{
			"Cache-Control": {"no-store, no-cache"},
			"Pragma":        {"no-cache"},
			"Content-Type":  {"application/json; charset=utf-8"},
			// M-11: a recorded 50126 reply's headers (teams-apps-requestateam#369).
			"Expires": {"-1"},
		},
		// M-03, M-04: one compact line, the success keys in Entra's order
		// (error bodies are aadError, already in M-04's).
		TokenJSON: &authserver.JSONStyle{Order: tokenOrder},
		// M-06: 900144 names the missing parameter.
		RequiredParams: map[string][]string{"authorization_code": {"code"}, "refresh_token": {"refresh_token"}},
		Redeem:         p.redeem,
		RefreshCheck:   p.refreshCheck,
		AdmitAuthorize: p.admitAuthorize,
		// M-02: prompt=login signs the user in again.
		PromptLogin:      true,
		RedirectQuery:    redirectQuery,
		TokenResponse:    p.tokenResponse,
		TokenError:       p.tokenError,
		AuthorizeFailure: p.authorizeFailure,
		Issuer:           p.issuer,
		Subject:          subject,
		IDTokenClaims:    p.idTokenClaims,
		Device: &authserver.DeviceProfile{
			UserCode: userCode,
			// M-05: expires_in 900, interval 5.
			Lifespan:         900 * time.Second,
			Interval:         5 * time.Second,
			VerificationPath: DeviceLoginPath,
			Response:         deviceResponse,
			Admit:            p.admitDevice,
			// M-05: an early poll is pending (70016), never slow_down.
			NoSlowDown: true,
		},
	}
}

// profile holds what Microsoft's hooks read: the world's tenants, and
// the loop detection's counts (M-14).
type profile struct {
	w     *world.World
	loops *loopGuard
}

// realm is a tenant's place in the world.
func realm(tenant string) world.Realm { return world.Realm{Provider: Name, Tenant: tenant} }

// isTenant reports whether a request realm names one tenant (not common,
// organizations or consumers).
func isTenant(r string) bool { return r != Common && r != Organizations && r != Consumers }

// tenants returns the realms a request realm covers: one tenant; the
// consumers tenant of personal Microsoft accounts for consumers; every
// tenant but that one for organizations; every tenant for common (M-01).
func (p profile) tenants(r string) []world.Realm {
	switch r {
	case Common:
		return p.w.Realms(Name)
	case Organizations:
		return slices.DeleteFunc(p.w.Realms(Name), personalRealm)
	}
	return []world.Realm{realm(r)}
}

// personalRealm reports whether r is the consumers tenant, which holds
// the personal Microsoft accounts (outlook.com, hotmail.com).
func personalRealm(r world.Realm) bool { return r.Tenant == Consumers }

// findClient is where an app registration is found: in its tenant, or
// for a multi-tenant app in any tenant and through common (700016 else).
func (p profile) findClient(c authserver.Call, id string) (world.Client, *authserver.Failure) {
	for _, r := range p.w.Realms(Name) {
		reg, ok := p.w.Client(r, strings.ToLower(id))
		if !ok {
			reg, ok = p.w.Client(r, id)
		}
		if ok && (r.Tenant == c.Realm || !isTenant(c.Realm) || appOf(reg).MultiTenant) {
			return reg, nil
		}
	}
	return world.Client{}, &authserver.Failure{Kind: authserver.UnknownClient, Detail: id}
}

// findAccount finds a user in the request's tenant, or in any tenant
// through common and organizations.
func (p profile) findAccount(c authserver.Call, email string) (world.Account, bool) {
	for _, r := range p.tenants(c.Realm) {
		if a, ok := p.w.Account(r, email); ok {
			return a, true
		}
	}
	return world.Account{}, false
}

// grantTypes: every app may try every grant; what it lacks (a secret,
// public client flows) is refused with the AADSTS code that says so.
func grantTypes(world.Client) []string {
	return []string{"authorization_code", "refresh_token", "client_credentials", authserver.DeviceGrantType, "password"}
}

// authMethods is M-03 and M-08: a confidential app proves itself with a
// secret, in the body or a Basic header; an app that allows public client
// flows may also come with its id alone, and one with no secret must
// (700025).
func authMethods(c world.Client) []string {
	secret := []string{authserver.AuthPost, authserver.AuthBasic}
	switch {
	case len(appOf(c).SPA) > 0 && !c.HasSecret():
		// An SPA redeems its codes with PKCE and no secret.
		return []string{authserver.AuthNone}
	case c.Public && c.HasSecret():
		return append([]string{authserver.AuthNone}, secret...)
	case c.Public:
		return []string{authserver.AuthNone}
	}
	return secret
}

// redirectAllowed is M-02: exact match, except that a mobile and desktop
// (public) redirect on http://localhost accepts any port, as Entra does
// for loopback redirects of native apps.
func redirectAllowed(c authserver.Call, uri string) bool {
	if slices.Contains(c.Client.RedirectURIs, uri) {
		return true
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		return false
	}
	bare := u.Scheme + "://" + u.Hostname() + u.Path
	for _, reg := range appOf(c.Client).PublicRedirects {
		if r, err := url.Parse(reg); err == nil && r.Port() == "" && (r.Hostname() == "localhost" || r.Hostname() == "127.0.0.1") &&
			strings.TrimSuffix(reg, "/") == strings.TrimSuffix(bare, "/") {
			return true
		}
	}
	return false
}

// refusal is a refusal of Microsoft's own, carried to tokenError and
// authorizeFailure: the catalogue's answer n, its text filled while the
// request's tenant and scopes are at hand.
func refusal(n code, v vars) *authserver.Failure {
	a := answer(n, v)
	return &authserver.Failure{Kind: authserver.ProviderRefused, ProviderCode: int(n), Code: a.err, Description: a.text}
}

// resolveGrant is what Entra grants (M-03, M-07, EX-01, seed 000 and 002).
func (p profile) resolveGrant(c authserver.Call, req authserver.GrantRequest) (authserver.Grant, *authserver.Failure) {
	var refs []scopeRef
	offline, openid := false, false
	for _, s := range req.Scopes {
		switch s {
		case "offline_access":
			offline = true
			continue
		case "openid":
			openid = true
			continue
		case "profile", "email":
			continue
		}
		refs = append(refs, splitScope(s))
	}
	if badScopeFormat(req.Scopes) {
		return authserver.Grant{}, scopeFormatRefusal()
	}
	if req.GrantType == "client_credentials" {
		return p.appGrant(c, req, refs)
	}
	var res resource
	var resID string
	for _, ref := range refs {
		r, ok := lookupResource(ref.resource)
		if !ok {
			return authserver.Grant{}, refusal(500011, vars{resource: ref.resource, tenant: p.tenantName(req.User.Realm)})
		}
		if ref.permission != ".default" && !permitted(r.delegated, ref.permission) {
			return authserver.Grant{}, refusal(70011, vars{scope: ref.full()})
		}
		if resID == "" {
			// M-12: /authorize takes scopes of several resources (it only
			// collects consent); the token is for the first until the
			// redemption names one (Redeem).
			res, resID = r, strings.TrimSuffix(ref.resource, "/")
		}
	}
	if resID == "" {
		res, resID = graph, Graph
	}
	app := appOf(c.Client)
	if f := p.admitUser(c, req.User); f != nil {
		return authserver.Grant{}, f
	}
	var scp []string
	granted := make([]string, 0, len(refs)+2)
	for _, ref := range refs {
		if !sameResource(ref.resource, res) {
			// Another resource's scope: consented to, not in this token.
			granted = append(granted, ref.full())
			continue
		}
		if ref.permission == ".default" {
			for _, d := range app.Delegated {
				if r := splitScope(d); sameResource(r.resource, res) {
					scp = append(scp, r.permission)
				}
			}
			continue
		}
		scp = append(scp, ref.permission)
	}
	if resID == Graph && len(refs) == 0 {
		scp = append(scp, "User.Read")
	}
	tenant, _ := TenantOf(p.w, req.User.Realm)
	if tenant.UserConsentDisabled && !AdminConsented(p.w, req.User.Realm, c.Client) {
		// F-10, M-13: users may not consent and the administrator has not.
		return authserver.Grant{}, p.noConsent(c, req.User)
	}
	own := make([]string, 0, len(scp))
	for _, s := range scp {
		if resID == Graph {
			own = append(own, s)
		} else {
			own = append(own, resID+"/"+s)
		}
	}
	granted = append(own, granted...)
	if openid {
		granted = append(granted, "openid")
	}
	claims := p.baseClaims(c, tenant.ID, audience(resID))
	claims["scp"] = strings.Join(scp, " ")
	claims["oid"] = objectID(req.User)
	claims["upn"], claims["unique_name"], claims["name"] = req.User.Email, req.User.Email, req.User.Name
	claims["sub"] = subject(c, req.User)
	if c.Client.Public {
		claims["appidacr"] = "0"
	}
	// M-07: how the user signed in; an interactive sign-in under an MFA
	// requirement passed it (F-28).
	claims["amr"] = []string{"pwd"}
	if applies(tenant.MFARequired, req.User.Email) {
		claims["amr"] = []string{"pwd", "mfa"}
	}
	g := authserver.Grant{Scopes: withOIDC(granted, req.Scopes), Claims: claims, Offline: offline}
	if slices.Contains(app.SPA, req.Form.Get("redirect_uri")) {
		// M-03: 24 hours for a code sent to an SPA redirect URI, never
		// extended by refreshing (msal-js#6765).
		g.RefreshLifespan, g.FixedRefresh = 24*time.Hour, true
	}
	return g, nil
}

// withOIDC keeps the OpenID Connect scopes the client asked for in the
// token response's scope, as Entra lists them.
func withOIDC(granted, requested []string) []string {
	for _, s := range []string{"profile", "email"} {
		if slices.Contains(requested, s) {
			granted = append(granted, s)
		}
	}
	return granted
}

// sameResource reports whether an identifier names r.
func sameResource(id string, r resource) bool {
	got, ok := lookupResource(id)
	return ok && got.id == r.id
}

// audience is the aud of a token for a resource identifier (M-07).
func audience(resID string) string { return strings.TrimSuffix(resID, "/") }

// appGrant is client credentials (seed 002, M-03): a tenant's endpoint,
// one resource's /.default, roles from the application permissions the
// administrator consented to.
func (p profile) appGrant(c authserver.Call, req authserver.GrantRequest, refs []scopeRef) (authserver.Grant, *authserver.Failure) {
	if !isTenant(c.Realm) {
		return authserver.Grant{}, refusal(50059, vars{})
	}
	defaults := 0
	for _, r := range refs {
		if r.permission == ".default" {
			defaults++
		}
	}
	scope := strings.Join(req.Scopes, " ")
	switch {
	case len(refs) == 1 && defaults == 1:
	case defaults > 1 && defaults == len(refs):
		// M-12, F-29: two resources' /.default, 70011 variant (b).
		return authserver.Grant{}, refusalText(70011, "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope "+scope+" is not valid.")
	case defaults > 0:
		// M-12: /.default beside a named permission, 70011 variant (a).
		return authserver.Grant{}, refusal(70011, vars{scope: scope})
	default:
		// F-11: a delegated scope where /.default is required.
		return authserver.Grant{}, refusal(1002012, vars{scope: scope})
	}
	res, ok := lookupResource(refs[0].resource)
	if !ok {
		return authserver.Grant{}, refusal(500011, vars{resource: refs[0].resource, tenant: p.tenantName(realm(c.Realm))})
	}
	app := appOf(c.Client)
	var roles []string
	if AdminConsented(p.w, realm(c.Realm), c.Client) {
		for _, a := range app.Application {
			if r := splitScope(a); sameResource(r.resource, res) {
				roles = append(roles, r.permission)
			}
		}
	}
	tenant, _ := TenantOf(p.w, realm(c.Realm))
	claims := p.baseClaims(c, tenant.ID, audience(refs[0].resource))
	claims["oid"], claims["sub"] = app.EnterpriseObjectID, app.EnterpriseObjectID
	claims["idtyp"] = "app"
	// M-07: an app token names its identity provider, the tenant's v1
	// issuer (Microsoft's Mail.Protocols fixture).
	claims["idp"] = claims["iss"]
	if len(roles) > 0 {
		claims["roles"] = roles
	}
	return authserver.Grant{Scopes: []string{refs[0].full()}, Claims: claims}, nil
}

// baseClaims are the claims of every access token (M-07, EX-07): v1
// tokens issued by sts.windows.net, as Exchange's are.
func (p profile) baseClaims(c authserver.Call, tid, aud string) map[string]any {
	return map[string]any{
		"aud": aud, "iss": "https://sts.windows.net/" + tid + "/", "tid": tid,
		"appid": c.Client.ID, "app_displayname": c.Client.Name, "appidacr": "1", "ver": "1.0",
	}
}

// noConsent is the answer to a grant the user may not consent to (F-10,
// M-13): the "Need admin approval" page (900941) where the user is on
// /authorize, 65001 at the token endpoint (a device code's poll, a
// redemption).
func (p profile) noConsent(c authserver.Call, user world.Account) *authserver.Failure {
	if c.Request != nil && strings.HasSuffix(c.Request.URL.Path, AuthorizePath) {
		f := refusal(900941, vars{tenant: p.tenantName(user.Realm), name: clientName(c.Client)})
		// The tenant the page names, for /common/reprocess (M-13).
		f.Detail = p.tenantName(user.Realm)
		return f
	}
	return refusal(65001, vars{app: c.Client.ID, name: c.Client.Name})
}

// refusalText is Microsoft's refusal n with a text of its own (a variant
// of the catalogue's, M-06's 70011).
func refusalText(n code, text string) *authserver.Failure {
	a := byCode[n].with(text)
	return &authserver.Failure{Kind: authserver.ProviderRefused, ProviderCode: int(n), Code: a.err, Description: a.text}
}

// tenantName is how AADSTS texts name a tenant: its first domain, or id.
func (p profile) tenantName(r world.Realm) string {
	t, ok := TenantOf(p.w, r)
	switch {
	case ok && len(t.Domains) > 0:
		return t.Domains[0]
	case ok:
		return t.ID
	}
	return r.Tenant
}

// objectID is a user's object id: the world's, or one derived from the
// address.
func objectID(a world.Account) string {
	if a.ID != "" {
		return a.ID
	}
	sum := sha256.Sum256([]byte(strings.ToLower(a.Email)))
	b := sum[:16]
	return strings.Join([]string{hex.EncodeToString(b[0:4]), hex.EncodeToString(b[4:6]), hex.EncodeToString(b[6:8]),
		hex.EncodeToString(b[8:10]), hex.EncodeToString(b[10:16])}, "-")
}

// subject is the OpenID Connect sub: pairwise, per user and application.
func subject(c authserver.Call, a world.Account) string {
	sum := sha256.Sum256([]byte(objectID(a) + "|" + c.Client.ID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}

// tokenOrder is the order of a token response's keys (M-03, M-04):
// token_type, scope, expires_in, ext_expires_in, access_token,
// refresh_token, id_token, client_info.
var tokenOrder = []string{"token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info"}

// tokenResponse adds ext_expires_in (M-03) and client_info when asked for
// (M-09: base64url {"uid":oid,"utid":tid}); client credentials carry no
// scope (M-03).
func (p profile) tokenResponse(c authserver.Call, t authserver.Issued, body map[string]any) {
	if exp, ok := body["expires_in"]; ok {
		body["ext_expires_in"] = exp
	}
	if t.GrantType == "client_credentials" {
		delete(body, "scope")
	}
	if t.User.Email != "" && c.Request != nil && c.Request.PostFormValue("client_info") == "1" {
		tenant, _ := TenantOf(p.w, t.User.Realm)
		info, _ := json.Marshal(map[string]string{"uid": objectID(t.User), "utid": tenant.ID})
		body["client_info"] = base64.RawURLEncoding.EncodeToString(info)
	}
}

// issuer is a tenant's v2.0 issuer; common and organizations publish
// "{tenantid}" in its place (M-01).
func (p profile) issuer(base, r string) string {
	if t, ok := TenantOf(p.w, realm(r)); ok {
		return base + "/" + t.ID + "/v2.0"
	}
	if r == Consumers {
		return base + "/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
	}
	return base + "/{tenantid}/v2.0"
}

// idTokenClaims are the v2.0 ID token's claims MSAL reads (M-09).
func (p profile) idTokenClaims(c authserver.Call, a world.Account, scopes []string) map[string]any {
	tenant, _ := TenantOf(p.w, a.Realm)
	// M-09: MSAL reads upn and nbf besides the others.
	claims := map[string]any{"oid": objectID(a), "tid": tenant.ID, "ver": "2.0", "upn": a.Email,
		"nbf": time.Now().UTC().Truncate(time.Second).Unix()}
	if slices.Contains(scopes, "profile") {
		claims["preferred_username"], claims["name"] = a.Email, a.Name
	}
	if slices.Contains(scopes, "email") {
		claims["email"] = a.Email
	}
	return claims
}

// accessHeaders are the header fields of Entra's access tokens beyond
// typ, alg and kid (EX-07): x5t, which carries the same value as kid in
// Entra's keys [INF: the JWKS publishes both alike], and a nonce.
func accessHeaders(kid string) map[string]any {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return map[string]any{"x5t": kid, "nonce": base64.RawURLEncoding.EncodeToString(b)}
}

// userCode is a user code like Microsoft's "BPPVYQZMA" (M-05).
func userCode() string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// deviceAuthResponse is the devicecode answer (M-05): with message, and
// without verification_uri_complete.
type deviceAuthResponse struct {
	UserCode        string `json:"user_code"`
	DeviceCode      string `json:"device_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int64  `json:"expires_in"`
	Interval        int64  `json:"interval"`
	Message         string `json:"message"`
}

func deviceResponse(_ authserver.Call, d authserver.DeviceAuthorization) any {
	return deviceAuthResponse{UserCode: d.UserCode, DeviceCode: d.DeviceCode, VerificationURI: d.VerificationURL,
		ExpiresIn: d.ExpiresIn, Interval: d.Interval,
		Message: "To sign in, use a web browser to open the page " + d.VerificationURL + " and enter the code " + d.UserCode + " to authenticate."}
}
