package microsoft

import (
	"net/http"
	"strings"
)

// code is an AADSTS number (M-06, M-10). The answers whose number no
// record gives have negative keys: their descriptions carry no number.
type code int

// The answers without a recorded AADSTS number.
const (
	// declined is a device code request the user declined (M-05: its
	// number is NOT FOUND).
	declined code = -3
	// badVerificationCode is a device code the server never issued.
	badVerificationCode code = -2
)

// surface is where an AADSTS answer is shown (M-15: the same text on
// several surfaces).
type surface uint8

const (
	// tokenJSON is the JSON error body of the token, device code,
	// discovery and instance discovery endpoints.
	tokenJSON surface = 1 << iota
	// authorizeRedirect is the error and error_description of a redirect
	// back to the application from /authorize.
	authorizeRedirect
	// errorPage is the sign-in page's "Sorry, but we're having trouble
	// signing you in." (an unknown application, tenant or redirect URI).
	errorPage
	// adminConsentRedirect is the redirect back from /adminconsent.
	adminConsentRedirect
)

// entry is one AADSTS answer: its number, RFC 6749 error, HTTP status at
// the token endpoint, the suberror some carry, the text (a template, see
// vars) and the surfaces it appears on.
type entry struct {
	code     code
	err      string
	status   int
	suberror string
	text     string
	on       surface
}

// catalogue is every AADSTS answer of the mock, by ascending number.
// Texts recorded in PROVIDERS.md (M-05, M-06, M-10, M-11, F-39): 7000215,
// 7000222, 7000218, 700025, 65001, 65004, 70011, 700016, 700082, 70000
// (refresh token), 28000, 28003, 1002012, 90002, 90112, 500011, 70016,
// 70020, 900144, 9002313, 50020, 50034, 50058, 50059, 50076, 50126,
// 50194, 50196, 53003, 900941, 900971, 7000112. Numbers recorded without a wire text,
// the text being Entra's as commonly reported [INF]: 54005, 50173, 70008,
// 90120, 70043. Neither recorded [INF]: 70000 for a code, 501481 (PKCE), 50011
// at the token endpoint, 70003, 50049, 9002325, 700084's suberror.
var catalogue = []entry{
	{code: declined, err: "authorization_declined", status: http.StatusBadRequest, on: tokenJSON,
		text: "The end user denied the authorization request."},
	{code: badVerificationCode, err: "bad_verification_code", status: http.StatusBadRequest, on: tokenJSON,
		text: "The provided value for the input parameter 'device_code' is not valid."},
	// F-06, M-12: Graph and Outlook scopes in one token request
	// (/authorize accepts them).
	{code: 28000, err: "invalid_scope", status: http.StatusBadRequest, on: tokenJSON,
		text: "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid."},
	// M-10, M-12: a redemption without scope after a multi-resource authorize.
	{code: 28003, err: "invalid_request", status: http.StatusBadRequest, on: tokenJSON,
		text: "Provided value for the input parameter scope cannot be empty when requesting an access token using the provided authorization code. Please specify a valid scope."},
	// M-02, M-06: at /authorize on the sign-in page.
	{code: 50011, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON | errorPage,
		text: "The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for the application '{app}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."},
	// M-11: a user of another tenant signs in to a single-tenant app.
	{code: 50020, err: "access_denied", status: http.StatusBadRequest, on: tokenJSON | errorPage,
		text: "User account '{user}' from identity provider '{idp}' does not exist in tenant '{tenant}' and cannot access the application '{app}'({name}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account."},
	// M-11: ROPC for a user the tenant does not have ({EmailHidden} is
	// Entra's own placeholder, not a template).
	{code: 50034, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "The user account {EmailHidden} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory."},
	// M-09: MSAL's instance discovery for another authority.
	{code: 50049, err: "invalid_instance", status: http.StatusBadRequest, on: tokenJSON,
		text: "Unknown or invalid instance."},
	// M-11, M-13: prompt=none and nobody signed in.
	{code: 50058, err: "login_required", status: http.StatusBadRequest, on: authorizeRedirect,
		text: "A silent sign-in request was sent but no user is signed in."},
	// F-39: client credentials, or a single-tenant app's device code,
	// through common or organizations.
	{code: 50059, err: "invalid_request", status: http.StatusBadRequest, on: tokenJSON,
		text: "No tenant-identifying information found in either the request or implied by any provided credentials."},
	// M-11, F-28: MFA required on refresh or ROPC.
	{code: 50076, err: "invalid_grant", status: http.StatusBadRequest, suberror: "basic_action", on: tokenJSON,
		text: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'."},
	// M-11: wrong password in ROPC.
	{code: 50126, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "Error validating credentials due to invalid username or password."},
	{code: 50173, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."},
	// M-11, F-20: a single-tenant app through /common.
	{code: 50194, err: "invalid_request", status: http.StatusBadRequest, on: authorizeRedirect | errorPage,
		text: "Application '{app}'({name}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant."},
	// M-14, M-05 (the newer text): a user's token requests in a loop
	// (loops.go). Status and error are NOT FOUND: 400 [INF: the one
	// status MSAL.NET logged in such a loop, #2353] and invalid_request
	// [INF: the request, not the grant, is refused; invalid_grant would
	// send MSAL to an interactive sign-in, one more turn of the loop].
	{code: 50196, err: "invalid_request", status: http.StatusBadRequest, on: tokenJSON,
		text: "The server terminated an operation because it encountered a client request loop. Please contact your app vendor."},
	// M-11, F-28: Conditional Access blocks issuance.
	{code: 53003, err: "interaction_required", status: http.StatusBadRequest, suberror: "message_only", on: tokenJSON | errorPage,
		text: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."},
	{code: 54005, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."},
	// F-10: users may not consent and the administrator has not.
	{code: 65001, err: "invalid_grant", status: http.StatusBadRequest, suberror: "consent_required", on: tokenJSON | authorizeRedirect,
		text: "The user or administrator has not consented to use the application with ID '{app}' named '{name}'. Send an interactive authorization request for this user and resource."},
	// M-13: Cancel on the consent page (the authorize redirect's error is
	// consent_required, authorizeErrors).
	{code: 65004, err: "access_denied", status: http.StatusBadRequest, on: adminConsentRedirect | authorizeRedirect,
		text: "User declined to consent to access the app."},
	// {param} is 'code', or 'refresh_token' or 'assertion'.
	{code: 70000, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON | authorizeRedirect,
		text: "The provided value for the input parameter {param} is not valid."},
	{code: 70003, err: "unsupported_grant_type", status: http.StatusBadRequest, on: tokenJSON,
		text: "The app requested an unsupported grant type '{grant}'."},
	{code: 70008, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."},
	{code: 70011, err: "invalid_scope", status: http.StatusBadRequest, on: tokenJSON | authorizeRedirect,
		text: "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."},
	{code: 70016, err: "authorization_pending", status: http.StatusBadRequest, on: tokenJSON,
		text: "OAuth 2.0 device flow error. Authorization is pending. Continue polling."},
	{code: 70020, err: "expired_token", status: http.StatusBadRequest, on: tokenJSON,
		text: "The provided value for the input parameter 'device_code' is not valid. This device code has expired."},
	// M-06, F-12: Conditional Access's sign-in frequency; the text is
	// Entra's as commonly reported [INF], the lifetime in seconds.
	{code: 70043, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on {issued} and the maximum allowed lifetime for this request is {lifetime}."},
	// M-10: on every path of an unknown tenant.
	{code: 90002, err: "invalid_tenant", status: http.StatusBadRequest, on: tokenJSON | errorPage,
		text: "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."},
	// M-11, F-21: discovery with ?appid= that is not a GUID.
	{code: 90112, err: "invalid_request", status: http.StatusBadRequest, on: tokenJSON,
		text: "Application identifier is expected to be a GUID."},
	// M-06: a device code polled again once it was decided and used.
	{code: 90120, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "The device request has already been authorized or declined. Start a new device code request."},
	{code: 500011, err: "invalid_resource", status: http.StatusBadRequest, on: tokenJSON | authorizeRedirect,
		text: "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."},
	{code: 501481, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "The Code_Verifier does not match the code_challenge supplied in the authorization request."},
	{code: 700016, err: "unauthorized_client", status: http.StatusBadRequest, on: tokenJSON | errorPage,
		text: "Application with identifier '{app}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."},
	{code: 700025, err: "invalid_client", status: http.StatusUnauthorized, on: tokenJSON,
		text: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."},
	// F-12: 90 days without use.
	{code: 700082, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "The refresh token has expired due to inactivity. The token was issued on {issued} and was inactive for 90.00:00:00."},
	// An SPA's 24 hours [OBS msal-js#6765, #7033]; the suberror is cut
	// after "bad" in the recorded body: "bad_token" [INF].
	{code: 700084, err: "invalid_grant", status: http.StatusBadRequest, suberror: "bad_token", on: tokenJSON,
		text: "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on {issued}."},
	// {description} is the core's text of the missing parameter.
	{code: 900144, err: "invalid_request", status: http.StatusBadRequest, on: tokenJSON | authorizeRedirect,
		text: "{description}"},
	// M-11, M-13, F-30: user consent disabled, on the "Need admin
	// approval" page.
	{code: 900941, err: "access_denied", status: http.StatusBadRequest, on: errorPage,
		text: "An administrator of {tenant} has set a policy that prevents you from granting {name} the permissions it is requesting. Contact an administrator of {tenant} who can grant permissions to this application on your behalf."},
	// M-11: no redirect_uri, and the app has none; its error value is not
	// recorded (invalid_request, INF), the answer is a page.
	{code: 900971, err: "invalid_request", status: http.StatusBadRequest, on: errorPage,
		text: "No reply address provided."},
	// F-11: a delegated scope where /.default is required.
	{code: 1002012, err: "invalid_scope", status: http.StatusBadRequest, on: tokenJSON,
		text: "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."},
	// M-11: an application its owner disabled.
	{code: 7000112, err: "unauthorized_client", status: http.StatusBadRequest, on: tokenJSON | errorPage,
		text: "Application '{app}'({name}) is disabled."},
	// F-08: the text names the secret id pasted for the value.
	{code: 7000215, err: "invalid_client", status: http.StatusUnauthorized, on: tokenJSON,
		text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app}'."},
	// F-07: public client flows off, no secret.
	{code: 7000218, err: "invalid_client", status: http.StatusUnauthorized, on: tokenJSON,
		text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."},
	// F-09.
	{code: 7000222, err: "invalid_client", status: http.StatusUnauthorized, on: tokenJSON,
		text: "The provided client secret keys for app '{app}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."},
	// M-06: a code or refresh token that is not one (truncated, re-encoded).
	{code: 9002313, err: "invalid_grant", status: http.StatusBadRequest, on: tokenJSON,
		text: "Invalid request. Request is malformed or invalid."},
	// An SPA redirect's code redeemed without PKCE [INF: Entra's text as
	// reported by MSAL.js users; not in PROVIDERS.md].
	{code: 9002325, err: "invalid_request", status: http.StatusBadRequest, on: tokenJSON,
		text: "Proof Key for Code Exchange is required for cross-origin authorization code redemption."},
}

// byCode indexes catalogue.
var byCode = func() map[code]entry {
	m := make(map[code]entry, len(catalogue))
	for _, e := range catalogue {
		m[e.code] = e
	}
	return m
}()

// vars are what a text template quotes, each in braces: {app} the
// application id, {name} its display name, {tenant} the tenant (or path
// segment), {scope} the scope or scopes, {uri} the redirect URI,
// {resource} the resource identifier, {issued} when the token was issued,
// {grant} the grant type, {param} the parameter named invalid,
// {description} the core's own description, {user} the user's address,
// {idp} the user's identity provider, {lifetime} a lifetime in seconds.
type vars struct {
	app, name, tenant, scope, uri, resource, issued, grant, param, description, user, idp, lifetime string
}

// expand fills the placeholders of a template.
func (v vars) expand(template string) string {
	return strings.NewReplacer("{app}", v.app, "{name}", v.name, "{tenant}", v.tenant, "{scope}", v.scope, "{uri}", v.uri,
		"{resource}", v.resource, "{issued}", v.issued, "{grant}", v.grant, "{param}", v.param, "{description}", v.description,
		"{user}", v.user, "{idp}", v.idp, "{lifetime}", v.lifetime).Replace(template)
}

// answer is the catalogue's answer n with its text filled from v. n is
// always one of the catalogue's (TestCatalogueCalls checks every call).
func answer(n code, v vars) aadsts {
	return byCode[n].with(v.expand(byCode[n].text))
}

// with is e's answer with its text.
func (e entry) with(text string) aadsts {
	a := aadsts{status: e.status, err: e.err, text: text, suberror: e.suberror}
	if e.code > 0 {
		a.code = int(e.code)
	}
	return a
}
