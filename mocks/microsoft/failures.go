package microsoft

import (
	"net/http"
	"net/url"

	"github.com/mailoauth/mailoauth/mocks/authserver"
)

// tokenError is Entra's answer to a refused token request (M-04, M-05,
// M-06, M-10): the catalogue's answer to the failure.
func (p profile) tokenError(c authserver.Call, f authserver.Failure) (authserver.Reply, bool) {
	a, ok := answerTo(f, p.vars(c, f))
	if !ok {
		return authserver.Reply{}, false
	}
	return a.reply(c), true
}

// codeOf is the AADSTS answer to a failure of the core, or the number a
// refusal of Microsoft's own carries; ok is false for a failure Entra has
// no answer of its own to (the standard one is given).
func codeOf(f authserver.Failure) (code, bool) {
	switch f.Kind {
	case authserver.ProviderRefused:
		return code(f.ProviderCode), true
	case authserver.UnknownClient:
		return 700016, true
	case authserver.WrongSecret:
		return 7000215, true
	case authserver.SecretExpired:
		return 7000222, true
	case authserver.ClientAuthMissing, authserver.AuthMethodRefused:
		return 7000218, true
	case authserver.SecretFromPublicClient:
		return 700025, true
	case authserver.CodeReused:
		return 54005, true
	case authserver.CodeExpired:
		return 70008, true
	case authserver.CodeInvalid, authserver.CodeOtherClient, authserver.RefreshInvalid, authserver.RefreshOtherClient:
		return 70000, true
	case authserver.PKCEFailed:
		return 501481, true
	case authserver.RefreshExpired:
		if f.Fixed {
			return 700084, true
		}
		return 700082, true
	case authserver.RefreshRevoked:
		return 50173, true
	case authserver.RedirectMismatch:
		return 50011, true
	case authserver.InvalidScope:
		return 70011, true
	case authserver.UnsupportedGrantType:
		return 70003, true
	case authserver.InvalidRequest:
		return 900144, true
	case authserver.DevicePending:
		return 70016, true
	case authserver.DeviceExpired:
		return 70020, true
	case authserver.DeviceDenied:
		return declined, true
	case authserver.DeviceCodeInvalid:
		return badVerificationCode, true
	case authserver.DeviceSlowDown:
		return slowDown, true
	}
	return 0, false
}

// answerTo is the catalogue's answer to f, its text filled from v; a
// refusal of Microsoft's own has its text already.
func answerTo(f authserver.Failure, v vars) (aadsts, bool) {
	n, ok := codeOf(f)
	if !ok {
		return aadsts{}, false
	}
	e, ok := byCode[n]
	if !ok {
		return aadsts{}, false
	}
	if f.Kind == authserver.ProviderRefused {
		return e.with(f.Description), true
	}
	return e.with(v.expand(e.text)), true
}

// vars are what the catalogue's texts quote of a failure: the detail the
// core put in it (the client id, scope, redirect URI or grant type), the
// application, the tenant and when the refused token was issued.
func (p profile) vars(c authserver.Call, f authserver.Failure) vars {
	v := vars{app: c.Client.ID, tenant: p.tenantName(realm(c.Realm)), scope: f.Detail, uri: f.Detail, grant: f.Detail,
		description: f.Description, issued: f.Issued.UTC().Format("2006-01-02T15:04:05.0000000Z"), param: "'code'"}
	switch f.Kind {
	case authserver.UnknownClient:
		v.app = f.Detail
	case authserver.RefreshInvalid, authserver.RefreshOtherClient:
		v.param = "'refresh_token' or 'assertion'"
	}
	if v.app == "" {
		v.app = f.Detail
	}
	return v
}

// authorizeFailure is M-02: an unknown application and a redirect URI
// that does not match are shown on the sign-in page; the rest go back to
// the application with error and error_description.
func (p profile) authorizeFailure(c authserver.Call, f authserver.Failure) authserver.Answer {
	switch f.Kind {
	case authserver.UnknownClient, authserver.RedirectMismatch:
		v := p.vars(c, f)
		if f.Kind == authserver.RedirectMismatch {
			// The page names the application of the request, if known.
			v.app = c.Client.ID
		}
		a, _ := answerTo(f, v)
		return authserver.Answer{Page: &authserver.Page{Status: http.StatusBadRequest, Title: "Sign in",
			Lines: []string{"Sorry, but we're having trouble signing you in.", a.body(c).ErrorDescription}}}
	case authserver.AccessDenied:
		return authserver.Answer{Redirect: true, Params: url.Values{"error_description": {"the user canceled the authentication"}}}
	}
	params := url.Values{}
	if a, ok := answerTo(f, p.vars(c, f)); ok {
		params.Set("error_description", a.body(c).ErrorDescription)
		params.Set("error", a.err)
		if a.suberror != "" {
			params.Set("suberror", a.suberror)
		}
	}
	return authserver.Answer{Redirect: true, Params: params}
}
