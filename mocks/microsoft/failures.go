package microsoft

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/mailoauth/mailoauth/mocks/authserver"
)

// tokenError is Entra's answer to a refused token request (M-04, M-05,
// M-06, M-10): the AADSTS code, its text and status.
func (p profile) tokenError(c authserver.Call, f authserver.Failure) (authserver.Reply, bool) {
	a, ok := p.aadsts(c, f)
	if !ok {
		return authserver.Reply{}, false
	}
	return a.reply(c), true
}

// aadsts is the AADSTS answer to f. Texts recorded in PROVIDERS.md (M-05,
// M-06, M-10): 7000215, 7000222, 7000218, 700025, 65001, 70011, 700016,
// 700082, 70000 (refresh token), 28000, 1002012, 90002, 500011, 70016,
// 70020. Numbers recorded without a wire text, the text being Entra's as
// commonly reported [INF]: 54005, 50173, 70008. Neither recorded [INF]:
// 70000 for a code, 501481 (PKCE), 50011 at the token endpoint, 70003,
// 900144, 50059.
func (p profile) aadsts(c authserver.Call, f authserver.Failure) (aadsts, bool) {
	appID := c.Client.ID
	if appID == "" {
		appID = f.Detail
	}
	const unauthorized = http.StatusUnauthorized
	switch f.Kind {
	case authserver.ProviderRefused:
		code, _ := strconv.Atoi(f.Detail)
		a := aadsts{err: f.Code, code: code, text: f.Description}
		if code == 65001 {
			a.suberror = "consent_required"
		}
		return a, true
	case authserver.UnknownClient:
		return aadsts{status: http.StatusBadRequest, err: "unauthorized_client", code: 700016, text: "Application with identifier '" + f.Detail +
			"' was not found in the directory '" + p.tenantName(realm(c.Realm)) + "'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."}, true
	case authserver.WrongSecret:
		// F-08: the text names the secret id pasted for the value.
		return aadsts{status: unauthorized, err: "invalid_client", code: 7000215, text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + appID + "'."}, true
	case authserver.SecretExpired:
		// F-09.
		return aadsts{status: unauthorized, err: "invalid_client", code: 7000222, text: "The provided client secret keys for app '" + appID + "' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."}, true
	case authserver.ClientAuthMissing, authserver.AuthMethodRefused:
		// F-07: public client flows off, no secret.
		return aadsts{status: unauthorized, err: "invalid_client", code: 7000218, text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}, true
	case authserver.SecretFromPublicClient:
		return aadsts{status: unauthorized, err: "invalid_client", code: 700025, text: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."}, true
	case authserver.CodeReused:
		return aadsts{err: "invalid_grant", code: 54005, text: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."}, true
	case authserver.CodeExpired:
		return aadsts{err: "invalid_grant", code: 70008, text: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."}, true
	case authserver.CodeInvalid, authserver.CodeOtherClient:
		return aadsts{err: "invalid_grant", code: 70000, text: "The provided value for the input parameter 'code' is not valid."}, true
	case authserver.PKCEFailed:
		return aadsts{err: "invalid_grant", code: 501481, text: "The Code_Verifier does not match the code_challenge supplied in the authorization request."}, true
	case authserver.RefreshExpired:
		issued := f.Issued.UTC().Format("2006-01-02T15:04:05.0000000Z")
		if f.Fixed {
			// An SPA's 24 hours [OBS msal-js#6765, #7033]; the suberror is
			// cut after "bad" in the recorded body: "bad_token" [INF].
			return aadsts{err: "invalid_grant", code: 700084, suberror: "bad_token", text: "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on " + issued + "."}, true
		}
		// F-12: 90 days without use.
		return aadsts{err: "invalid_grant", code: 700082, text: "The refresh token has expired due to inactivity. The token was issued on " + issued + " and was inactive for 90.00:00:00."}, true
	case authserver.RefreshRevoked:
		return aadsts{err: "invalid_grant", code: 50173, text: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."}, true
	case authserver.RefreshInvalid, authserver.RefreshOtherClient:
		return aadsts{err: "invalid_grant", code: 70000, text: "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid."}, true
	case authserver.RedirectMismatch:
		return aadsts{err: "invalid_grant", code: 50011, text: redirectMismatchText(f.Detail, appID)}, true
	case authserver.InvalidScope:
		return aadsts{err: "invalid_scope", code: 70011, text: "The provided value for the input parameter 'scope' is not valid. The scope " + f.Detail + " is not valid."}, true
	case authserver.UnsupportedGrantType:
		return aadsts{err: "unsupported_grant_type", code: 70003, text: "The app requested an unsupported grant type '" + f.Detail + "'."}, true
	case authserver.InvalidRequest:
		return aadsts{err: "invalid_request", code: 900144, text: f.Description}, true
	case authserver.DevicePending:
		return aadsts{err: "authorization_pending", code: 70016, text: "OAuth 2.0 device flow error. Authorization is pending. Continue polling."}, true
	case authserver.DeviceExpired:
		return aadsts{err: "expired_token", code: 70020, text: "The provided value for the input parameter 'device_code' is not valid. This device code has expired."}, true
	case authserver.DeviceDenied:
		// The AADSTS number of a declined device request is NOT FOUND.
		return aadsts{err: "authorization_declined", text: "The end user denied the authorization request."}, true
	case authserver.DeviceCodeInvalid:
		return aadsts{err: "bad_verification_code", text: "The provided value for the input parameter 'device_code' is not valid."}, true
	case authserver.DeviceSlowDown:
		// Microsoft's slow_down is NOT FOUND: RFC 8628's code in Entra's shape.
		return aadsts{err: "slow_down", text: "The client is polling too quickly and should back off."}, true
	}
	return aadsts{}, false
}

// redirectMismatchText is 50011's text (M-06).
func redirectMismatchText(uri, appID string) string {
	return "The redirect URI '" + uri + "' specified in the request does not match the redirect URIs configured for the application '" +
		appID + "'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
}

// authorizeFailure is M-02: an unknown application and a redirect URI
// that does not match are shown on the sign-in page; the rest go back to
// the application with error and error_description.
func (p profile) authorizeFailure(c authserver.Call, f authserver.Failure) authserver.Answer {
	switch f.Kind {
	case authserver.UnknownClient, authserver.RedirectMismatch:
		a, _ := p.aadsts(c, f)
		if f.Kind == authserver.RedirectMismatch {
			a = aadsts{code: 50011, text: redirectMismatchText(f.Detail, c.Client.ID)}
		}
		return authserver.Answer{Page: &authserver.Page{Status: http.StatusBadRequest, Title: "Sign in",
			Lines: []string{"Sorry, but we're having trouble signing you in.", a.body(c).ErrorDescription}}}
	case authserver.AccessDenied:
		return authserver.Answer{Redirect: true, Params: url.Values{"error_description": {"the user canceled the authentication"}}}
	}
	params := url.Values{}
	if a, ok := p.aadsts(c, f); ok {
		params.Set("error_description", a.body(c).ErrorDescription)
		if a.err != "" {
			params.Set("error", a.err)
		}
		if a.suberror != "" {
			params.Set("suberror", a.suberror)
		}
	}
	return authserver.Answer{Redirect: true, Params: params}
}
