package steps

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Microsoft's console: a single-page application's redirect URI is on its
// SPA platform; the others are web clients, or public clients whose
// registered http://localhost takes any port.
func init() {
	consoles[microsoft.Name] = console{register: func(w *world.World, reg world.Client, uri string) (bool, error) {
		if reg.Type != "spa" {
			return false, nil
		}
		return true, microsoft.UpdateApp(w, reg.Realm.Tenant, reg.ID, func(c *world.Client, a *microsoft.App) {
			c.RedirectURIs, a.SPA = []string{uri}, []string{uri}
		})
	}}
}

// microsoftSteps are what is set in Microsoft's consoles (the Entra admin
// center, Exchange Online PowerShell) and what only Microsoft's flows
// have: an authority per tenant, admin consent, client credentials, JWT
// claims.
func (s *scenario) microsoftSteps() []stepDef {
	return []stepDef{
		{`^the application's authority is "([^"]*)"$`, "the tenant segment of the application's endpoints", s.authorityIs},
		{`^the application fetches "([^"]*)"$`, "GETs a path of the provider", s.fetches},
		{`^the device polls with grant_type "([^"]*)"$`, "one device token request with that grant_type, as MSAL for Node sends (M-09)", s.pollsWithGrantType},
		{`^the application asks for a token with client credentials for "([^"]*)"$`,
			"a client credentials token through x/oauth2's clientcredentials", s.clientCredentials},
		{`^the access token is a JWT signed with a key of "([^"]*)"$`,
			"verifies the access token with the keys of that tenant's discovery document (M-07)", s.jwtSignedBy},
		{`^the access token's claim "([^"]*)" (is|contains) "([^"]*)"$`, "a claim of the access token is or contains that value", s.accessClaim},
		{`^the access token has no claim "([^"]*)"$`, "the access token lacks that claim", s.accessNoClaim},
		{`^the token response's client_info names ` + email + `$`, "client_info holds the user's object id and tenant id (M-09)", s.clientInfoNames},
		{`^the tenant "([^"]*)" turns SMTP AUTH off(?: for ` + email + `)?$`,
			"Exchange's SmtpClientAuthenticationDisabled for the tenant or one mailbox (F-04)", s.smtpAuthOff},
		{`^the tenant "([^"]*)" does not let users consent to apps$`, "the tenant's user consent is off", s.userConsentOff},
		{`^the "([^"]*)" app has no admin consent$`, "the app's permissions lose their admin consent", s.noAdminConsent},
		{`^the "([^"]*)" app (does not allow|allows) public client flows$`, "the app's \"Allow public client flows\" setting", s.publicFlows},
		{`^the Exchange service principal of the "([^"]*)" app is removed$`, "Remove-ServicePrincipal for the app (F-02)", s.removeServicePrincipal},
		{`^the "([^"]*)" app has no mailbox permission on ` + email + `$`, "Remove-MailboxPermission for the app on that mailbox (F-02)", s.removeMailboxPermission},
		{`^` + email + ` (grants|refuses) admin consent to the application at "([^"]*)"(?: for "([^"]*)")?$`,
			"an administrator opens the admin consent URL at that path, signs in and decides", s.adminConsent},
		{`^the application's redirect carries ([a-z_]+)=(\S*)$`, "the redirect to the application carries that parameter and value", s.redirectCarries},
		{`^the response body matches '([^']*)'$`, "the last reply's raw body (its trailing newline aside) matches the regular expression (M-03, M-04)", s.bodyMatches},
		{`^the application's redirect URL matches '([^']*)'$`,
			"the URL the provider sent the browser back to, query or fragment as sent, matches the regular expression (M-15)", s.redirectURLMatches},
		{`^the sign-in page was (shown|skipped)$`, "whether the browser went through a sign-in page (M-02: prompt=login)", s.signInScreen},
		{`^the tenant "([^"]*)" requires MFA(?: for ` + email + `)?$`,
			"per-user MFA for one user, or security defaults for every user of the tenant (M-11, F-28)", s.requiresMFA},
		{`^Conditional Access in the tenant "([^"]*)" blocks (every user|` + email + `)$`,
			"a Conditional Access policy that blocks token issuance (M-11: 53003, F-28)", s.blocksCA},
		{`^the tenant "([^"]*)" asks users to sign in again every (\d+) hours$`,
			"Conditional Access's sign-in frequency for the tenant (M-06: 70043)", s.signInFrequency},
		{`^the "([^"]*)" app has the mobile and desktop redirect URI "([^"]*)"$`,
			"adds a redirect URI to the app's mobile and desktop (public client) platform", s.addPublicRedirect},
		{`^the "([^"]*)" app is disabled$`, "the enterprise application's \"Enabled for users to sign in?\" set to No (M-11: 7000112)", s.appDisabled},
		{`^the access token's header "([^"]*)" is (present|the key id)$`, "a JOSE header of the access token is there, or equals its kid (EX-07)", s.accessHeader},
		{`^the ID token has the claims "([^"]*)"$`, "the token response's ID token carries each of those claims (M-09)", s.idTokenHas},
		{`^the page matches '([^']*)'$`, "the text of the page the browser stopped on matches the regular expression (M-15)", s.pageMatches},
		{`^the application's client id is "([^"]*)"$`, "the application sends that client_id from now on (F-21: an e-mail address)", s.clientIDIs},
		{`^the application posts "([^"]*)" to the devicecode endpoint$`, "posts a form body of the scenario's own to /{tenant}/oauth2/v2.0/devicecode", s.postsToDeviceCode},
		{`^the "([^"]*)" app's supported account types are "(AzureADMyOrg|AzureADMultipleOrgs|AzureADandPersonalMicrosoftAccount)"$`,
			"the app registration's sign-in audience (M-11: 50194, F-20, F-39)", s.signInAudience},
	}
}

func (s *scenario) pageMatches(pattern string) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return err
	}
	if !re.MatchString(s.flow.page.Text) {
		return s.failf("the page %q does not match %q:\n%s", s.flow.page.Title, pattern, s.flow.page.Text)
	}
	return nil
}

func (s *scenario) clientIDIs(id string) error {
	if s.app.oauth == nil {
		return s.failf("the application has no client")
	}
	s.app.oauth.Config.ClientID = id
	return nil
}

// postsToDeviceCode posts to the device authorization endpoint of the
// application's authority.
func (s *scenario) postsToDeviceCode(ctx context.Context, body string) error {
	if s.app.oauth == nil {
		return s.failf("the application has no client")
	}
	_, err := s.postForm(ctx, s.endpoint().DeviceAuthURL, body, nil)
	return err
}

func (s *scenario) signInAudience(name, audience string) error {
	return s.updateApp(name, func(_ *world.Client, a *microsoft.App) { a.MultiTenant = audience != "AzureADMyOrg" })
}

// bodyMatches matches the last reply's raw bytes: the JSON's layout and
// key order, which decoding would lose (M-03, M-04).
func (s *scenario) bodyMatches(pattern string) error {
	if s.reply.last == nil {
		return s.failf("no server has answered the application yet")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return err
	}
	if body := strings.TrimSuffix(string(s.reply.last.Body), "\n"); !re.MatchString(body) {
		return s.failf("the body %q does not match %q", body, pattern)
	}
	return nil
}

// redirectURLMatches matches the URL the browser was sent back to, as
// the provider wrote it (M-15's encoding).
func (s *scenario) redirectURLMatches(pattern string) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return err
	}
	if !re.MatchString(s.flow.page.URL) {
		return s.failf("the browser ended on %q, which does not match %q", s.flow.page.URL, pattern)
	}
	return nil
}

func (s *scenario) signInScreen(how string) error {
	shown := slices.Contains(s.user.browser.Filled(), "signin")
	if shown != (how == "shown") {
		return s.failf("the sign-in page was %s, want %s", map[bool]string{true: "shown", false: "skipped"}[shown], how)
	}
	return nil
}

// requiresMFA turns MFA on for one user, or for the whole tenant.
func (s *scenario) requiresMFA(tenant, user string) error {
	if user == "" {
		user = "*"
	}
	return s.updateTenant(tenant, func(t *microsoft.Tenant) { t.MFARequired = append(t.MFARequired, user) })
}

// blocksCA adds a Conditional Access policy blocking one user or all.
func (s *scenario) blocksCA(tenant, who string) error {
	if who == "every user" {
		who = "*"
	}
	return s.updateTenant(tenant, func(t *microsoft.Tenant) { t.BlockedByCA = append(t.BlockedByCA, who) })
}

func (s *scenario) signInFrequency(tenant string, hours int) error {
	return s.updateTenant(tenant, func(t *microsoft.Tenant) { t.SignInFrequency = time.Duration(hours) * time.Hour })
}

func (s *scenario) addPublicRedirect(name, uri string) error {
	return s.updateApp(name, func(c *world.Client, a *microsoft.App) {
		a.PublicRedirects = append(slices.Clone(a.PublicRedirects), uri)
		c.RedirectURIs = append(slices.Clone(c.RedirectURIs), uri)
	})
}

func (s *scenario) appDisabled(name string) error {
	return s.updateApp(name, func(_ *world.Client, a *microsoft.App) { a.Disabled = true })
}

// jwtPart decodes part i (0: header, 1: payload) of a JWT.
func (s *scenario) jwtPart(token string, i int) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, s.failf("not a JWT: %.20s…", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		return nil, s.failf("the JWT's part %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, s.failf("the JWT's part %d: %v", i, err)
	}
	return m, nil
}

func (s *scenario) accessHeader(name, how string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	h, err := s.jwtPart(s.tokens.current.AccessToken, 0)
	if err != nil {
		return err
	}
	v, ok := h[name].(string)
	switch {
	case !ok || v == "":
		return s.failf("the access token's header has no %q: %v", name, h)
	case how == "the key id" && v != h["kid"]:
		return s.failf("the access token's %q is %q, its kid %v", name, v, h["kid"])
	}
	return nil
}

func (s *scenario) idTokenHas(names string) error {
	raw := ""
	if s.tokens.current != nil {
		raw, _ = s.tokens.current.Extra("id_token").(string)
	}
	if raw == "" {
		return s.failf("the token response has no id_token")
	}
	c, err := s.jwtPart(raw, 1)
	if err != nil {
		return err
	}
	for _, n := range strings.Fields(names) {
		if _, ok := c[n]; !ok {
			return s.failf("the ID token has no %q: %v", n, c)
		}
	}
	return nil
}

// adminConsent is an administrator, in a browser of their own, opening
// the admin consent URL the application shows them (path: "/{tenant}/adminconsent"
// or "/{tenant}/v2.0/adminconsent"), signing in and accepting or
// refusing; the redirect comes back to the application's listener.
func (s *scenario) adminConsent(ctx context.Context, admin, decision, path, scope string) error {
	s.act()
	if s.app.catcher == nil {
		return s.failf("the application has no redirect listener")
	}
	q := url.Values{"client_id": {s.app.reg.ID}, "redirect_uri": {s.app.catcher.URL}, "state": {"admin-consent-state"}}
	if scope != "" {
		q.Set("scope", scope)
	}
	b := client.NewBrowser(s.server.CA.ClientConfig())
	b.Email, b.Password = admin, s.password(admin)
	b.Consent = map[string]string{"grants": "allow", "refuses": "deny"}[decision]
	page, err := b.Visit(ctx, s.provider().URL+path+"?"+q.Encode())
	if err != nil {
		return err
	}
	s.flow.page = page
	s.flow.state = "admin-consent-state"
	s.flow.redirect, _ = s.app.catcher.Result()
	return nil
}

func (s *scenario) redirectCarries(name, value string) error {
	if s.flow.redirect == nil {
		return s.failf("no redirect reached the application; the browser stopped on %q", s.flow.page.Title)
	}
	if got, ok := s.flow.redirect[name]; !ok || got[0] != value {
		return s.failf("the redirect carries %s=%v, want %q (all: %v)", name, got, value, s.flow.redirect)
	}
	return nil
}

func (s *scenario) authorityIs(segment string) error {
	s.app.authority = segment
	if s.app.oauth != nil {
		s.app.oauth.Config.Endpoint = s.endpoint()
	}
	return nil
}

// fetches GETs a path of the provider with the application's HTTP client;
// the reply is the server's last.
func (s *scenario) fetches(ctx context.Context, path string) error {
	s.act()
	if s.app.oauth == nil {
		return s.failf("the application has no client")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.provider().URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := s.app.oauth.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	s.record(s.app.oauth)
	return nil
}

// pollsWithGrantType polls the token endpoint by hand, as MSAL for Node
// does with grant_type=device_code (M-09).
func (s *scenario) pollsWithGrantType(ctx context.Context, grantType string) error {
	if s.flow.device == nil {
		return s.failf("the device has no device code")
	}
	form := url.Values{"grant_type": {grantType}, "client_id": {s.app.oauth.Config.ClientID}, "device_code": {s.flow.device.DeviceCode}}
	_, err := s.postForm(ctx, s.app.oauth.Config.Endpoint.TokenURL, form.Encode(), nil)
	return err
}

// clientCredentials is seed 002: x/oauth2's clientcredentials package, as
// a daemon uses it, with the secret in the body.
func (s *scenario) clientCredentials(ctx context.Context, scope string) error {
	s.act()
	if s.app.oauth == nil {
		return s.failf("the application has no client")
	}
	cfg := clientcredentials.Config{ClientID: s.app.oauth.Config.ClientID, ClientSecret: s.app.oauth.Config.ClientSecret,
		TokenURL: s.app.oauth.Config.Endpoint.TokenURL, Scopes: strings.Fields(scope), AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cfg.Token(s.app.oauth.Context(ctx))
	s.record(s.app.oauth)
	s.took(tok, err)
	return nil
}

// claims decodes the access token's payload.
func (s *scenario) claims() (map[string]any, error) {
	if s.tokens.current == nil {
		return nil, s.failf("the application has no token")
	}
	parts := strings.Split(s.tokens.current.AccessToken, ".")
	if len(parts) != 3 {
		return nil, s.failf("the access token is not a JWT: %.20s…", s.tokens.current.AccessToken)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, s.failf("the access token's payload: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, s.failf("the access token's payload: %v", err)
	}
	return c, nil
}

// jwtSignedBy verifies the access token with the keys the tenant's
// discovery document points to, fetched over HTTPS as a resource server
// does (M-07).
func (s *scenario) jwtSignedBy(ctx context.Context, segment string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	hc := s.app.oauth.HTTPClient()
	var doc struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, hc, s.provider().URL+"/"+segment+microsoft.DiscoveryPath, &doc); err != nil {
		return err
	}
	var set jose.JSONWebKeySet
	if err := getJSON(ctx, hc, doc.JWKS, &set); err != nil {
		return err
	}
	jws, err := jose.ParseSigned(s.tokens.current.AccessToken)
	if err != nil {
		return s.failf("the access token is not a JWS: %v", err)
	}
	if len(jws.Signatures) != 1 || jws.Signatures[0].Header.Algorithm != "RS256" {
		return s.failf("the access token is not signed with RS256")
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) == 0 {
		return s.failf("no key %q in %s", jws.Signatures[0].Header.KeyID, doc.JWKS)
	}
	if _, err := jws.Verify(keys[0].Key); err != nil {
		return s.failf("the access token's signature: %v", err)
	}
	return nil
}

func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// accessClaim compares a claim: a string claim "is" a value; a
// space-separated or array claim "contains" it.
func (s *scenario) accessClaim(name, how, want string) error {
	c, err := s.claims()
	if err != nil {
		return err
	}
	var got []string
	switch v := c[name].(type) {
	case string:
		got = []string{v}
		if how == "contains" {
			got = strings.Fields(v)
		}
	case []any:
		for _, x := range v {
			got = append(got, fmt.Sprint(x))
		}
	case nil:
		return s.failf("the access token has no claim %q", name)
	default:
		got = []string{fmt.Sprint(v)}
	}
	if how == "is" && (len(got) != 1 || got[0] != want) || how == "contains" && !slices.Contains(got, want) {
		return s.failf("the access token's %q is %v, want it to %s %q", name, c[name], how, want)
	}
	return nil
}

func (s *scenario) accessNoClaim(name string) error {
	c, err := s.claims()
	if err != nil {
		return err
	}
	if v, ok := c[name]; ok {
		return s.failf("the access token has %q: %v", name, v)
	}
	return nil
}

// clientInfoNames decodes client_info (M-09): {"uid": oid, "utid": tid}.
func (s *scenario) clientInfoNames(user string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	raw, _ := s.tokens.current.Extra("client_info").(string)
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return s.failf("client_info %q is not base64url: %v", raw, err)
	}
	var info struct{ UID, UTID string }
	if err := json.Unmarshal(b, &info); err != nil {
		return s.failf("client_info %q: %v", b, err)
	}
	acct, realm, err := s.msAccount(user)
	if err != nil {
		return err
	}
	tenant, _ := microsoft.TenantOf(s.server.World, realm)
	if info.UID != acct.ID || info.UTID != tenant.ID {
		return s.failf("client_info is %s, want uid %s and utid %s", b, acct.ID, tenant.ID)
	}
	return nil
}

// msAccount finds a Microsoft user and their tenant.
func (s *scenario) msAccount(user string) (world.Account, world.Realm, error) {
	for _, r := range s.server.World.Realms(microsoft.Name) {
		if a, ok := s.server.World.Account(r, user); ok {
			return a, r, nil
		}
	}
	return world.Account{}, world.Realm{}, fmt.Errorf("no Microsoft user %s", user)
}

// tenantKey finds a tenant by its key or a domain.
func (s *scenario) tenantKey(name string) (string, error) {
	for _, r := range s.server.World.Realms(microsoft.Name) {
		t, _ := microsoft.TenantOf(s.server.World, r)
		if r.Tenant == name || slices.Contains(t.Domains, name) {
			return r.Tenant, nil
		}
	}
	return "", fmt.Errorf("no tenant %q", name)
}

func (s *scenario) updateTenant(name string, change func(*microsoft.Tenant)) error {
	key, err := s.tenantKey(name)
	if err != nil {
		return err
	}
	return microsoft.UpdateTenant(s.server.World, key, change)
}

// smtpAuthOff is Set-TransportConfig -SmtpClientAuthenticationDisabled
// $true, or Set-CASMailbox -SmtpClientAuthenticationDisabled for one
// mailbox (F-04).
func (s *scenario) smtpAuthOff(tenant, mailbox string) error {
	return s.updateTenant(tenant, func(t *microsoft.Tenant) {
		if mailbox == "" {
			t.Exchange.SMTPAuthDisabled = true
		} else {
			t.Exchange.SMTPAuthDisabledFor = append(t.Exchange.SMTPAuthDisabledFor, mailbox)
		}
	})
}

func (s *scenario) userConsentOff(tenant string) error {
	return s.updateTenant(tenant, func(t *microsoft.Tenant) { t.UserConsentDisabled = true })
}

// updateApp changes the app registration named name.
func (s *scenario) updateApp(name string, change func(*world.Client, *microsoft.App)) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	if err := microsoft.UpdateApp(s.server.World, reg.Realm.Tenant, reg.ID, change); err != nil {
		return err
	}
	if s.app.reg.ID == reg.ID {
		s.app.reg, _ = s.client(name)
	}
	return nil
}

func (s *scenario) noAdminConsent(name string) error {
	return s.updateApp(name, func(_ *world.Client, a *microsoft.App) { a.AdminConsent = false })
}

func (s *scenario) publicFlows(name, how string) error {
	return s.updateApp(name, func(c *world.Client, _ *microsoft.App) { c.Public = how == "allows" })
}

// removeServicePrincipal is Remove-ServicePrincipal for the app (F-02).
func (s *scenario) removeServicePrincipal(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	return microsoft.UpdateTenant(s.server.World, reg.Realm.Tenant, func(t *microsoft.Tenant) {
		t.Exchange.ServicePrincipals = slices.DeleteFunc(t.Exchange.ServicePrincipals,
			func(sp microsoft.ServicePrincipal) bool { return strings.EqualFold(sp.AppID, reg.ID) })
	})
}

// removeMailboxPermission is Remove-MailboxPermission for the app's
// enterprise application on mailbox (F-02).
func (s *scenario) removeMailboxPermission(name, mailbox string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	app, _ := reg.Settings.(microsoft.App)
	return microsoft.UpdateTenant(s.server.World, reg.Realm.Tenant, func(t *microsoft.Tenant) {
		t.Exchange.MailboxPermissions = slices.DeleteFunc(t.Exchange.MailboxPermissions, func(m microsoft.MailboxPermission) bool {
			return strings.EqualFold(m.Mailbox, mailbox) && strings.EqualFold(m.User, app.EnterpriseObjectID)
		})
	})
}
