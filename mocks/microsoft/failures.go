package microsoft

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

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
	case authserver.CodeInvalid, authserver.RefreshInvalid:
		if f.Malformed {
			// M-06: not a code or refresh token at all.
			return 9002313, true
		}
		return 70000, true
	case authserver.CodeOtherClient, authserver.RefreshOtherClient:
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
	case authserver.LoginRequired:
		return 50058, true
	case authserver.ConsentRequired:
		return 65001, true
	case authserver.AccessDenied:
		return 65004, true
	case authserver.DevicePending:
		return 70016, true
	case authserver.DeviceExpired:
		return 70020, true
	case authserver.DeviceDenied:
		return declined, true
	case authserver.DeviceCodeInvalid:
		if f.Spent {
			// M-06: the request was decided and its tokens issued.
			return 90120, true
		}
		return badVerificationCode, true
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
	v := vars{app: c.Client.ID, name: c.Client.Name, tenant: p.tenantName(realm(c.Realm)), scope: f.Detail, uri: f.Detail,
		grant: f.Detail, description: f.Description, issued: f.Issued.UTC().Format(issuedLayout), param: "'code'"}
	switch f.Kind {
	case authserver.UnknownClient:
		v.app = f.Detail
	case authserver.RefreshInvalid, authserver.RefreshOtherClient:
		v.param = "'refresh_token' or 'assertion'"
	case authserver.InvalidRequest:
		if f.Detail != "" {
			// M-06: 900144 names the missing parameter.
			v.description = "The request body must contain the following parameter: '" + f.Detail + "'."
		}
	}
	if v.app == "" && f.Kind != authserver.RedirectMismatch {
		v.app = f.Detail
	}
	return v
}

// issuedLayout is how AADSTS texts write when a token was issued (M-06's
// 700082).
const issuedLayout = "2006-01-02T15:04:05.0000000Z"

// authorizeErrors are the authorize redirect's error where it is not the
// catalogue's: the consent page's Cancel (M-13, PuzzleServer#571) and
// prompt=none without consent (M-13 [INF], OpenID Connect Core §3.1.2.6).
var authorizeErrors = map[code]string{65004: "consent_required", 65001: "consent_required"}

// authorizeFailure is M-02, M-13 and M-15: an unknown application, a
// redirect URI that does not match and the other sign-in page errors are
// shown on the sign-in error page; user consent disabled on "Need admin
// approval"; the rest go back to the application with error,
// error_description and error_uri (on the page when the redirect URI
// cannot be trusted).
func (p profile) authorizeFailure(c authserver.Call, f authserver.Failure) authserver.Answer {
	if f.Kind == authserver.InvalidRequest && noReplyAddress(c) {
		// M-11: nowhere to send the user back to.
		return authserver.Answer{Page: signInErrorPage(answer(900971, vars{}).body(c))}
	}
	v := p.vars(c, f)
	a, ok := answerTo(f, v)
	if !ok {
		return authserver.Answer{Redirect: true}
	}
	n, _ := codeOf(f)
	on := byCode[n].on
	body := a.body(c)
	if n == 900941 {
		// M-13: the browser lands on /common/reprocess?ctx=…, which shows
		// "Need admin approval".
		return authserver.Answer{Location: reprocessURL(c.Client, f.Detail, body)}
	}
	page := signInErrorPage(body)
	if on&authorizeRedirect == 0 || f.Kind == authserver.UnknownClient || f.Kind == authserver.RedirectMismatch || f.Detail == scopeFormatDetail {
		return authserver.Answer{Page: page}
	}
	errCode := a.err
	if e, ok := authorizeErrors[n]; ok {
		errCode = e
	}
	params := url.Values{"error": {errCode}, "error_description": {body.ErrorDescription}}
	if body.ErrorURI != "" {
		params.Set("error_uri", body.ErrorURI)
	}
	if a.suberror != "" {
		params.Set("suberror", a.suberror)
	}
	return authserver.Answer{Redirect: true, Params: params, Page: page}
}

// pageTimestamp is the form of the sign-in pages' "Timestamp:" line, ISO
// where the JSON's is "yyyy-mm-dd hh:mm:ssZ" (M-15).
const pageTimestamp = "2006-01-02T15:04:05Z"

// troubleshooting is the block every sign-in error page ends with (M-15):
// request id, correlation id, an ISO timestamp and the message.
func troubleshooting(e aadError) []string {
	msg, _, _ := strings.Cut(e.ErrorDescription, "\r\n")
	ts := e.Timestamp
	if t, err := parseTimestamp(ts); err == nil {
		ts = t.Format(pageTimestamp)
	}
	return []string{"Troubleshooting details", "Request Id: " + e.TraceID, "Correlation Id: " + e.CorrelationID,
		"Timestamp: " + ts, "Message: " + msg}
}

// signInErrorPage is "Sorry, but we're having trouble signing you in."
// with the error's text and the troubleshooting block (M-15), at 200 as
// Entra shows its pages.
func signInErrorPage(e aadError) *authserver.Page {
	msg, _, _ := strings.Cut(e.ErrorDescription, "\r\n")
	return &authserver.Page{Status: http.StatusOK, Title: "Sign in",
		Lines: slices.Concat([]string{"Sorry, but we're having trouble signing you in.", msg}, troubleshooting(e))}
}

// needAdminApproval is the page of M-13: no redirect, AADSTS900941 in its
// details.
func needAdminApproval(c authserver.Call, e aadError) *authserver.Page {
	name := clientName(c.Client)
	return &authserver.Page{Status: http.StatusOK, Title: "Need admin approval",
		Lines: slices.Concat([]string{name,
			name + " needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.",
			"Have an admin account? Sign in with that account",
			"Return to the application without granting consent"}, troubleshooting(e))}
}

// redirectOrder is the order of the parameters Entra adds to a redirect
// URI (M-15: error, error_description, error_uri, admin_consent, state
// last).
var redirectOrder = []string{"code", "error", "error_description", "error_uri", "suberror", "admin_consent", "tenant", "scope", "state"}

// redirectQuery encodes a redirect's parameters as Entra does (M-15):
// in redirectOrder, then any other sorted; form encoding with "+" for
// spaces and lower-case escapes ("%3a", "%0d%0a").
func redirectQuery(params url.Values) string {
	keys := make([]string, 0, len(params))
	for _, k := range redirectOrder {
		// M-02: a code comes back as ?code=…&state=…, without the scope
		// fosite adds (the admin consent redirect keeps its scope).
		if _, ok := params[k]; ok && (k != "scope" || !params.Has("code")) {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range params {
		if !slices.Contains(redirectOrder, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	var b strings.Builder
	for _, k := range append(keys, rest...) {
		for _, v := range params[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(lowerEscape(url.QueryEscape(k)) + "=" + lowerEscape(url.QueryEscape(v)))
		}
	}
	return b.String()
}

// lowerEscape turns the hex digits of a query's escapes lower-case.
func lowerEscape(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

// lowerHex is c, an upper-case hex digit made lower-case.
func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// noReplyAddress reports a request without redirect_uri for an app that
// registered none, on any platform (M-11: 900971).
func noReplyAddress(c authserver.Call) bool {
	app := appOf(c.Client)
	return c.Request != nil && c.Request.Form.Get("redirect_uri") == "" && c.Client.ID != "" &&
		len(c.Client.RedirectURIs) == 0 && len(app.PublicRedirects) == 0 && len(app.SPA) == 0
}
