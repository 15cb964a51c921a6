package google

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// MailScope is the only scope Gmail's SMTP, IMAP and POP servers accept
// (GM-01).
const MailScope = "https://mail.google.com/"

// knownScopes are the scopes the mock knows; any other is invalid_scope.
var knownScopes = []string{
	MailScope,
	"https://www.googleapis.com/auth/gmail.send",
	"https://www.googleapis.com/auth/gmail.readonly",
	"https://www.googleapis.com/auth/gmail.modify",
	"https://www.googleapis.com/auth/gmail.compose",
	"https://www.googleapis.com/auth/gmail.imap_admin",
	"openid", "email", "profile",
	"https://www.googleapis.com/auth/userinfo.email",
	"https://www.googleapis.com/auth/userinfo.profile",
	"https://www.googleapis.com/auth/drive.appdata",
	"https://www.googleapis.com/auth/drive.file",
	"https://www.googleapis.com/auth/youtube",
	"https://www.googleapis.com/auth/youtube.readonly",
}

// deviceScopes is the device flow's allow-list (G-12): mail scopes are not
// in it, which is why the device flow cannot be used for Gmail (seed 000).
var deviceScopes = []string{
	"email", "openid", "profile",
	"https://www.googleapis.com/auth/drive.appdata",
	"https://www.googleapis.com/auth/drive.file",
	"https://www.googleapis.com/auth/youtube",
	"https://www.googleapis.com/auth/youtube.readonly",
}

// Profile returns Google's behaviour for the neutral authorization server
// over the world w, whose settings hold the Workspace policies (G-14).
func Profile(w *world.World) authserver.Profile {
	return authserver.Profile{
		Name:        Name,
		DisplayName: "Google",
		// G-04, G-05 [OBS]: "4/..." codes, "ya29." access tokens, "1//" refresh tokens.
		Tokens: authserver.Tokens{
			Code:    authserver.TokenShape{Prefix: "4/"},
			Access:  authserver.TokenShape{Prefix: "ya29."},
			Refresh: authserver.TokenShape{Prefix: "1//"},
		},
		// Google does not document the code lifetime; RFC 6749 §4.1.2 says
		// at most 10 minutes [INF].
		CodeLifespan: 10 * time.Minute,
		// G-05 [OBS]: "expires_in": 3599 for a fresh token.
		AccessTokenLifespan: 3599 * time.Second,
		// G-08: refresh tokens have no fixed lifetime, but 7 days for an app
		// in Testing (resolveGrant), 100 per account and client, six months
		// without use, a password change for Gmail scopes (refreshValid).
		RefreshTokenLifespan: authserver.Never,
		RefreshValid: func(c authserver.Call, user world.Account, scopes []string, issued, used time.Time) *authserver.Failure {
			return refreshValid(w, c, user, scopes, issued, used)
		},
		MaxRefreshTokens: 100,
		// G-07 [OBS, single report]: about 12 hours after a refresh token
		// expired or was revoked, Google's answer switches from "Token has
		// been expired or revoked." to "Bad Request".
		Forget:    12 * time.Hour,
		Scopes:    knownScopes,
		PKCEPlain: true, // G-02: S256 recommended, plain allowed
		// Google has no client credentials grant: service accounts use JWT
		// bearer assertions, which the mock does not model.
		Grants:          []string{"authorization_code", "refresh_token", authserver.DeviceGrantType},
		GrantTypes:      grantTypes,
		RedirectAllowed: redirectAllowed,
		AdmitUser:       func(c authserver.Call, user world.Account) *authserver.Failure { return admitUser(w, c, user) },
		ResolveGrant: func(c authserver.Call, req authserver.GrantRequest) (authserver.Grant, *authserver.Failure) {
			return resolveGrant(w, c, req)
		},
		// G-06: a refresh returns no new refresh token; the one the client
		// holds keeps working.
		Refresh: authserver.RefreshPolicy{ReturnNew: false, RevokeUsed: false},
		// G-09: "revocation removes all scopes granted to the project and
		// invalidates tokens for every client of that project".
		RevokeGrants: true,
		// G-07 [OBS]: Google's caching headers on token responses.
		TokenHeaders: http.Header{
			"Cache-Control": {"no-cache, no-store, max-age=0, must-revalidate"},
			"Pragma":        {"no-cache"},
		},
		Subject:          func(_ authserver.Call, acct world.Account) string { return Subject(acct.Email) },
		IDTokenClaims:    idTokenClaims,
		TokenError:       tokenError,
		AuthorizeFailure: authorizeFailure,
		Device: &authserver.DeviceProfile{
			Admit:            admitDevice,
			UserCode:         userCode,
			Lifespan:         1800 * time.Second, // G-11 doc sample
			Interval:         5 * time.Second,    // G-11 doc sample
			VerificationPath: DevicePagePath,
			Response:         deviceResponse,
		},
	}
}

// grantTypes are the grants of each of Google's client types: the device
// flow only for "TVs and Limited Input devices" (G-11).
func grantTypes(c world.Client) []string {
	if c.Type == LimitedInput {
		return []string{authserver.DeviceGrantType, "refresh_token"}
	}
	return []string{"authorization_code", "refresh_token"}
}

// redirectAllowed is G-04 and G-10: a web client must use one of its
// registered redirect URIs exactly; a desktop client may also use any port
// on a loopback address (127.0.0.1, [::1] or localhost, RFC 8252 §7.3);
// a limited-input client has no redirect flow at all; the out-of-band
// URIs are refused even when registered (G-10, F-15).
func redirectAllowed(call authserver.Call, redirectURI string) bool {
	c := call.Client
	if c.Type == LimitedInput || outOfBand(redirectURI) {
		return false
	}
	if slices.Contains(c.RedirectURIs, redirectURI) {
		return true
	}
	if c.Type != Desktop {
		return false
	}
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme != "http" || u.Fragment != "" {
		return false
	}
	if port := u.Port(); port != "" {
		// A port above 65535 is no loopback listener's (RFC 8252 §7.3
		// allows any port, not any number): the URI is not a loopback
		// one, so it must be registered like any other [INF].
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return false
		}
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// resolveGrant is what Google grants: the scopes asked for; a refresh
// token (G-03) only with access_type=offline and only when the user was
// shown the consent screen for this grant (the first authorization, or
// prompt=consent), and always for devices (G-13: "refresh_token (always
// returned for devices)"); refresh tokens that die in 7 days for an app in
// Testing (G-08).
// With include_granted_scopes=true the grant also covers what the user
// granted the client before (G-02, incremental authorization).
// A device poll of a user whose Workspace blocks the client is refused
// (G-13: admin_policy_enforced 400).
func resolveGrant(w *world.World, call authserver.Call, req authserver.GrantRequest) (authserver.Grant, *authserver.Failure) {
	if req.GrantType == authserver.DeviceGrantType {
		if f := policyBlock(w, req.User, call.Client.ID); f != nil {
			return authserver.Grant{}, f
		}
	}
	offline := req.GrantType == authserver.DeviceGrantType ||
		(req.Form.Get("access_type") == "offline" && req.FreshConsent)
	scopes := req.Scopes
	if req.Form.Get("include_granted_scopes") == "true" {
		scopes = slices.Clone(req.Consented)
		for _, s := range req.Scopes {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
	}
	lifespan := testingExpiry(call.Client, scopes)
	if s, _ := call.Client.Settings.(ClientSettings); s.Playground {
		// G-17, F-36: the OAuth 2.0 Playground's own client revokes its
		// refresh tokens after 24 hours.
		lifespan = 24 * time.Hour
	}
	return authserver.Grant{Scopes: scopes, Offline: offline, RefreshLifespan: lifespan}, nil
}

// hasGmailScope reports whether scopes hold one a password change takes
// away (G-08: "user changes password and token has Gmail scopes").
func hasGmailScope(scopes []string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool {
		return s == MailScope || strings.HasPrefix(s, "https://www.googleapis.com/auth/gmail.")
	})
}

// refreshValid is G-08: a refresh token unused for six months stops
// working, and so does one with Gmail scopes once the user changed their
// password after it was issued, and any once the user's Workspace admin
// blocked the client (admin_policy_enforced, G-07).
func refreshValid(w *world.World, c authserver.Call, user world.Account, scopes []string, issued, used time.Time) *authserver.Failure {
	if f := policyBlock(w, user, c.Client.ID); f != nil {
		return f
	}
	if !user.PasswordChanged.IsZero() && user.PasswordChanged.After(issued) && hasGmailScope(scopes) {
		return &authserver.Failure{Kind: authserver.RefreshRevoked}
	}
	last := used
	if last.IsZero() {
		last = issued
	}
	if c.Now.After(last.AddDate(0, 6, 0)) {
		return &authserver.Failure{Kind: authserver.RefreshExpired, Issued: issued}
	}
	return nil
}

// basicScopes are the scopes that keep a Testing app's refresh tokens from
// expiring (G-08: "unless the only scopes are name/email/profile").
var basicScopes = []string{"openid", "email", "profile",
	"https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile"}

// testingExpiry is G-08: an app whose consent screen is in Testing gets
// refresh tokens that expire in 7 days, unless it asked only for basic
// scopes.
func testingExpiry(c world.Client, scopes []string) time.Duration {
	if settings, _ := c.Settings.(ClientSettings); !settings.Testing {
		return 0
	}
	for _, s := range scopes {
		if !slices.Contains(basicScopes, s) {
			return 7 * 24 * time.Hour
		}
	}
	return 0
}

// idTokenClaims are the ID token's claims beyond the standard ones, by
// scope, as Google's userinfo gives them (G-05: "id_token when openid was
// requested").
func idTokenClaims(_ authserver.Call, acct world.Account, scopes []string) map[string]any {
	claims := map[string]any{}
	if slices.Contains(scopes, "email") || slices.Contains(scopes, "https://www.googleapis.com/auth/userinfo.email") {
		claims["email"], claims["email_verified"] = acct.Email, true
	}
	if slices.Contains(scopes, "profile") || slices.Contains(scopes, "https://www.googleapis.com/auth/userinfo.profile") {
		claims["name"] = acct.Name
	}
	return claims
}

// admitUser is G-14: a user whose Workspace admin blocked the client, or
// who is not a test user of an app in Testing, gets Google's "Access
// blocked" page once signed in, before any consent screen.
func admitUser(w *world.World, c authserver.Call, user world.Account) *authserver.Failure {
	if f := policyBlock(w, user, c.Client.ID); f != nil {
		return f
	}
	if s, _ := c.Client.Settings.(ClientSettings); s.Testing && !s.testUser(user.Email) {
		return &authserver.Failure{Kind: authserver.ProviderRefused, Code: "access_denied", Detail: user.Email}
	}
	return nil
}

// authorizeFailure is G-04: only the user's refusal (and the prompt=none
// outcomes of OpenID Connect) go back to the client; every other error is
// shown on Google's own page.
func authorizeFailure(c authserver.Call, f authserver.Failure) authserver.Answer {
	switch f.Kind {
	case authserver.AccessDenied, authserver.LoginRequired:
		return authserver.Answer{Redirect: true}
	case authserver.ConsentRequired:
		// G-16: Google was never seen sending consent_required; the fake
		// says interaction_required when consent is missing [INF].
		return authserver.Answer{Redirect: true, Params: url.Values{"error": {"interaction_required"}}}
	case authserver.InvalidScope:
		if c.Request != nil {
			f.Description = invalidScopes(strings.Fields(c.Request.Form.Get("scope")))
		}
	case authserver.ProviderRefused:
		return authserver.Answer{Page: blockedPage(c, f)}
	case authserver.ChallengeMethodInvalid:
		// [OBS supabase/auth-js#669, gcloud's 'S25'].
		f.Description = "Invalid parameter value for code_challenge_method: '" + f.Detail + "' is not a valid CodeChallengeMethod"
	case authserver.ChallengeInvalid:
		// Google's answer to a code_challenge RFC 7636 §4.2 does not
		// allow is not recorded: its invalid_request page, in the words
		// of its other "Invalid parameter value" lines [INF].
		f.Description = "Invalid parameter value for code_challenge"
	}
	return authserver.Answer{Page: errorPage(f)}
}

// invalidScopes is Google's line on the invalid_scope page [OBS
// markbates/goth#445, atinux/nuxt-auth-utils#64, odeke-em/drive#952]:
// "Some requested scopes were invalid. {valid=[a, b], invalid=[c]}", the
// valid part left out when none is.
func invalidScopes(requested []string) string {
	var valid, invalid []string
	for _, s := range requested {
		if slices.Contains(knownScopes, s) {
			valid = append(valid, s)
		} else {
			invalid = append(invalid, s)
		}
	}
	parts := []string{}
	if len(valid) > 0 {
		parts = append(parts, "valid=["+strings.Join(valid, ", ")+"]")
	}
	parts = append(parts, "invalid=["+strings.Join(invalid, ", ")+"]")
	return "Some requested scopes were invalid. {" + strings.Join(parts, ", ") + "}"
}

// blockedPage is G-14's "Access blocked" page: a Workspace policy
// (admin_policy_enforced, 2024 wording) or an app in Testing and a user
// who is not one of its test users (access_denied, 2022+ wording), then
// the request's details.
func blockedPage(c authserver.Call, f authserver.Failure) *authserver.Page {
	app := c.Client.Name
	if app == "" {
		app = c.Client.ID
	}
	if f.ErrorCode() == "admin_policy_enforced" {
		return &authserver.Page{Status: http.StatusBadRequest, Title: "Access blocked: authorization error",
			Lines: []string{defaultPolicyMessage, "If you are a developer of " + app + ", see error details.",
				"Error 400: admin_policy_enforced", requestDetails(c)}}
	}
	return &authserver.Page{Status: http.StatusForbidden,
		Title: "Access blocked: " + app + " has not completed the Google verification process",
		Lines: []string{app + " has not completed the Google verification process. The app is currently being tested, and can only be accessed by developer-approved testers. If you think you should have access, contact the developer.",
			"If you are a developer of " + app + ", see error details.", "Error 403: access_denied", requestDetails(c)}}
}

// requestDetails is the line under G-14's pages: the request's
// parameters in Google's order, then flowName and client_id.
func requestDetails(c authserver.Call) string {
	parts := []string{"Request details:"}
	if c.Request != nil {
		for _, k := range []string{"access_type", "scope", "response_type", "redirect_uri", "state", "prompt"} {
			if v := c.Request.Form.Get(k); v != "" {
				parts = append(parts, k+"="+v)
			}
		}
	}
	return strings.Join(append(parts, "flowName=GeneralOAuthFlow", "client_id="+c.Client.ID), " ")
}

// clientIDShape is a whole Google OAuth client id: the project number, a
// dash, the client's hash, ".apps.googleusercontent.com" (G-14).
var clientIDShape = regexp.MustCompile(`^[0-9]+-[0-9a-z]+\.apps\.googleusercontent\.com$`)

// oobRedirect is the out-of-band redirect URI of installed apps, which
// Google no longer supports (G-10); "urn:ietf:wg:oauth:2.0:oob:auto" is
// its variant that reads the code from the window's title.
const oobRedirect = "urn:ietf:wg:oauth:2.0:oob"

// outOfBand reports an out-of-band redirect URI, oobRedirect or one of
// its variants.
func outOfBand(uri string) bool { return strings.HasPrefix(uri, oobRedirect) }

// errorPage is Google's error page (G-04).
func errorPage(f authserver.Failure) *authserver.Page {
	switch f.Kind {
	case authserver.UnknownClient:
		if !clientIDShape.MatchString(f.Detail) {
			// G-14, F-37 [OBS; cause INF]: an id without its project
			// number ("<number>-<hash>.apps.googleusercontent.com").
			return &authserver.Page{Status: http.StatusUnauthorized, Title: "Access blocked: Authorization Error",
				Lines: []string{"Client missing a project id.", "If you are a developer of this app, see error details.",
					"Error 401: invalid_client", "Request details: flowName=GeneralOAuthFlow"}}
		}
		return &authserver.Page{Status: http.StatusUnauthorized, Title: "Error 401: invalid_client",
			Lines: []string{"The OAuth client was not found.", "Request details: flowName=GeneralOAuthFlow"}}
	case authserver.RedirectMismatch:
		if outOfBand(f.Detail) {
			// G-10, F-15: the out-of-band flow is blocked, whatever the
			// client and whatever it registered [OBS menukaonline/goindex-extended#90,
			// a-bonus/google-docs-mcp#21, getmail6/getmail6#117].
			return &authserver.Page{Status: http.StatusBadRequest, Title: "Error 400: invalid_request",
				Lines: []string{"The out-of-band (OOB) flow has been blocked in order to keep users secure. Follow the Out-of-Band (OOB) flow migration guide linked in the developer docs below to migrate your app to an alternative method.",
					"Request details: redirect_uri=" + f.Detail + " flowName=GeneralOAuthFlow"}}
		}
		return &authserver.Page{Status: http.StatusBadRequest, Title: "Error 400: redirect_uri_mismatch",
			Lines: []string{"Request details: redirect_uri=" + f.Detail + " flowName=GeneralOAuthFlow"}}
	}
	lines := []string{"Request details: flowName=GeneralOAuthFlow"}
	if f.Description != "" {
		lines = append([]string{f.Description}, lines...)
	}
	// An outage (a fault) keeps its status: 503 or 500 [INF].
	status := authserver.StandardReply(f).Status
	if status < http.StatusInternalServerError {
		status = http.StatusBadRequest
	}
	return &authserver.Page{Status: status, Title: fmt.Sprintf("Error %d: %s", status, f.ErrorCode()), Lines: lines}
}

// googleError is Google's token-endpoint error body.
type googleError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func reply(status int, code, desc string) (authserver.Reply, bool) {
	return authserver.Reply{Status: status, Body: googleError{Error: code, Description: desc}}, true
}

// tokenError is Google's token-endpoint error catalogue: G-07 for codes,
// refresh tokens and clients, G-11 and G-13 for the device flow. Where
// PROVIDERS.md has no text, the standard answer is kept.
func tokenError(c authserver.Call, f authserver.Failure) (authserver.Reply, bool) {
	switch f.Kind {
	case authserver.CodeInvalid:
		if c.Request != nil && urlEncoded(c.Request.PostForm.Get("code")) {
			// G-07, F-32 [OBS]: a code pasted still URL-encoded ("4%2F…").
			return reply(http.StatusBadRequest, "invalid_grant", "Malformed auth code.")
		}
		return reply(http.StatusBadRequest, "invalid_grant", "Bad Request")
	case authserver.ClientAuthMissing:
		if f.Detail == "" {
			// G-07, F-35 [OBS]: no client_id at all (nor in HTTP Basic).
			return reply(http.StatusBadRequest, "invalid_request", "Could not determine client ID from request.")
		}
		// Google's answer to a client id without its secret is not
		// recorded; its answer to a wrong secret is used [INF].
		return reply(http.StatusUnauthorized, "invalid_client", "Unauthorized")
	case authserver.CodeReused, authserver.CodeExpired, authserver.PKCEFailed,
		authserver.CodeOtherClient, authserver.RefreshInvalid, authserver.DeviceCodeInvalid:
		return reply(http.StatusBadRequest, "invalid_grant", "Bad Request")
	case authserver.RefreshRevoked, authserver.RefreshExpired:
		return reply(http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
	case authserver.UnknownClient:
		return reply(http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
	case authserver.WrongSecret, authserver.SecretExpired:
		return reply(http.StatusUnauthorized, "invalid_client", "Unauthorized")
	case authserver.ProviderRefused:
		// G-07, G-13: admin_policy_enforced, with the admin's text.
		return reply(http.StatusBadRequest, f.ErrorCode(), f.Description)
	case authserver.RefreshOtherClient:
		return reply(http.StatusUnauthorized, "unauthorized_client", "Unauthorized")
	case authserver.RedirectMismatch:
		// G-07: the error code is observed, its description is NOT FOUND.
		return reply(http.StatusBadRequest, "redirect_uri_mismatch", "")
	case authserver.WrongClientType:
		return reply(http.StatusUnauthorized, "invalid_client", "Invalid client type.")
	case authserver.DevicePending:
		// G-13: Google's statuses, not RFC 8628's 400.
		return reply(http.StatusPreconditionRequired, "authorization_pending", "Precondition Required")
	case authserver.DeviceSlowDown:
		return reply(http.StatusForbidden, "slow_down", "Forbidden")
	case authserver.DeviceDenied:
		return reply(http.StatusForbidden, "access_denied", "Forbidden")
	case authserver.DeviceQuota:
		// G-11: the device endpoint's quota answer.
		return authserver.Reply{Status: http.StatusForbidden, Body: map[string]string{"error_code": "rate_limit_exceeded"}}, true
	}
	// Including expired_token: Google's answer is NOT FOUND (G-13), so the
	// RFC 8628 one (400 expired_token) is kept.
	return authserver.Reply{}, false
}

// urlEncoded reports a code still URL-encoded ("4%2F0AVMBsJi…" for
// "4/0AVMBsJi…"): Google's codes are made of letters, digits, "/", "-"
// and "_", never "%" (G-04, G-07).
func urlEncoded(code string) bool { return strings.Contains(code, "%") }

// admitDevice is G-11 and G-12: only "TVs and Limited Input devices"
// clients, and only the scopes of the allow-list.
func admitDevice(call authserver.Call, scopes []string) *authserver.Failure {
	if call.Client.Type != LimitedInput {
		return &authserver.Failure{Kind: authserver.WrongClientType}
	}
	for _, s := range scopes {
		if !slices.Contains(deviceScopes, s) {
			return &authserver.Failure{Kind: authserver.InvalidScope, Detail: s,
				Description: "Invalid device flow scope: " + s}
		}
	}
	if len(scopes) == 0 {
		return &authserver.Failure{Kind: authserver.InvalidScope, Description: "Missing required parameter: scope"}
	}
	return nil
}

// userCode returns a code like Google's "GQVQ-JKEC" (G-11).
func userCode() string {
	const letters = "BCDFGHJKLMNPQRSTVWXZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(letters[int(c)%len(letters)])
	}
	return sb.String()
}

// deviceAuthResponse is Google's device/code answer: "verification_url",
// not RFC 8628's "verification_uri", and no verification_uri_complete (G-11).
type deviceAuthResponse struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURL string `json:"verification_url"`
	ExpiresIn       int64  `json:"expires_in"`
	Interval        int64  `json:"interval"`
}

func deviceResponse(_ authserver.Call, d authserver.DeviceAuthorization) any {
	return deviceAuthResponse{DeviceCode: d.DeviceCode, UserCode: d.UserCode,
		VerificationURL: d.VerificationURL, ExpiresIn: d.ExpiresIn, Interval: d.Interval}
}
