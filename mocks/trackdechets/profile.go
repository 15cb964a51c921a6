package trackdechets

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Profile is Trackdéchets' OAuth server (T-01..T-06) for the world w,
// whose settings say whether client credentials in the body are refused.
func Profile(w *world.World) authserver.Profile {
	return authserver.Profile{
		Name:        Name,
		DisplayName: "Trackdéchets",
		// T-03, T-04: 16-character codes, 40-character tokens (getUid).
		Tokens: authserver.Tokens{
			Code:    authserver.TokenShape{Length: 16},
			Access:  authserver.TokenShape{Length: 40},
			Refresh: authserver.TokenShape{Length: 40},
		},
		// T-03: a code lives 600 s; T-04: "durée de vie infinie".
		CodeLifespan:         10 * time.Minute,
		AccessTokenLifespan:  authserver.Never,
		RefreshTokenLifespan: authserver.Never,
		// Trackdéchets keeps used codes and revoked tokens in its database;
		// the mock remembers them for a month, then treats them as unknown.
		Forget: 30 * 24 * time.Hour,
		// T-01: the authorization code grant alone, no PKCE, no scopes.
		Grants:     []string{"authorization_code"},
		GrantTypes: func(world.Client) []string { return []string{"authorization_code"} },
		IgnorePKCE: true,
		// T-04: passport authenticates the client before oauth2orize reads
		// the grant type; HTTP Basic as documented, body credentials too
		// unless the world is strict (F-18).
		ClientFirst: true,
		AuthMethods: func(world.Client) []string {
			if Strict(w) {
				return []string{authserver.AuthBasic}
			}
			return []string{authserver.AuthBasic, authserver.AuthPost}
		},
		// T-02: the redirect URI must be one the application registered,
		// character for character.
		RedirectAllowed: func(c authserver.Call, uri string) bool {
			return slices.Contains(c.Client.RedirectURIs, uri)
		},
		// A grant is the user, with no scope and no refresh token.
		ResolveGrant: func(authserver.Call, authserver.GrantRequest) (authserver.Grant, *authserver.Failure) {
			return authserver.Grant{}, nil
		},
		// T-04: oauth2orize's exchange checks the code, then the redirect
		// URI, the client, the expiry and the used flag, in that order; a
		// code presented twice is refused and nothing else happens.
		CodeChecks:          []authserver.FailureKind{authserver.RedirectMismatch, authserver.CodeOtherClient, authserver.CodeExpired, authserver.CodeReused},
		CodeReuseKeepsGrant: true,
		// T-04: oauth2orize writes application/json with no charset.
		TokenHeaders:     http.Header{"Content-Type": {"application/json"}},
		TokenResponse:    tokenResponse,
		TokenError:       tokenError,
		AuthorizeFailure: authorizeFailure,
	}
}

// tokenResponse is T-04's body: access_token, token_type "Bearer" and the
// user's email and name; the core leaves out expires_in (a token that never
// expires), refresh_token (no grant earns one) and scope (none granted).
func tokenResponse(_ authserver.Call, t authserver.Issued, body map[string]any) {
	body["user"] = map[string]string{"email": t.User.Email, "name": t.User.Name}
}

// tokenError is T-04's catalogue: passport's bare 401 (or 400 for a Basic
// header it cannot read) when the client is not authenticated, then
// oauth2orize's JSON errors with its status codes.
func tokenError(c authserver.Call, f authserver.Failure) (authserver.Reply, bool) {
	switch f.Kind {
	case authserver.ClientAuthMissing, authserver.WrongSecret, authserver.UnknownClient,
		authserver.AuthMethodRefused, authserver.SecretFromPublicClient, authserver.SecretExpired:
		if malformedBasic(c.Request) {
			return authserver.Reply{Status: http.StatusBadRequest, Text: "Bad Request"}, true
		}
		return authserver.Reply{Status: http.StatusUnauthorized, Text: "Unauthorized",
			Header: http.Header{"Www-Authenticate": {`Basic realm="Users"`}}}, true
	case authserver.Unavailable:
		return authserver.Reply{}, false
	case authserver.UnsupportedGrantType:
		return oauthError(http.StatusNotImplemented, "unsupported_grant_type", "Unsupported grant type: "+f.Detail), true
	case authserver.InvalidRequest:
		if f.Detail == "grant_type" {
			// T-04: oauth2orize looks the absent grant_type up as
			// undefined, and finds no exchange for it.
			return oauthError(http.StatusNotImplemented, "unsupported_grant_type", "Unsupported grant type: undefined"), true
		}
		return oauthError(http.StatusBadRequest, "invalid_request", f.Description), true
	case authserver.CodeInvalid:
		if c.Request != nil && c.Request.PostForm.Get("code") == "" {
			return oauthError(http.StatusBadRequest, "invalid_request", "Missing required parameter: code"), true
		}
		return oauthError(http.StatusForbidden, "invalid_grant", "Invalid authorization code"), true
	case authserver.RedirectMismatch:
		return oauthError(http.StatusForbidden, "invalid_grant", "Invalid redirect uri"), true
	case authserver.CodeOtherClient:
		return oauthError(http.StatusForbidden, "invalid_grant", "Invalid client id"), true
	case authserver.CodeExpired, authserver.CodeReused:
		return oauthError(http.StatusForbidden, "invalid_grant", "Grant has expired"), true
	}
	return oauthError(http.StatusInternalServerError, "server_error", f.Description), true
}

// oauthError is oauth2orize's error handler's answer.
func oauthError(status int, code, description string) authserver.Reply {
	return authserver.Reply{Status: status, Body: errorBody{Error: code, Description: description}}
}

// errorBody is oauth2orize's JSON error (error, then error_description).
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// malformedBasic reports an Authorization header passport-http's Basic
// strategy answers with 400: the Basic scheme with no credentials, or
// credentials that decode to no "id:secret" pair.
func malformedBasic(r *http.Request) bool {
	if r == nil {
		return false
	}
	parts := strings.Fields(r.Header.Get("Authorization"))
	if len(parts) == 0 || !strings.EqualFold(parts[0], "Basic") {
		return false
	}
	if len(parts) < 2 {
		return true
	}
	// Node's Buffer.from(s, "base64") skips what is not base64; the mock
	// reads strictly, then without padding, and calls the rest malformed.
	raw, err := base64.StdEncoding.DecodeString(parts[1])
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	}
	return err != nil || !strings.Contains(string(raw), ":")
}

// authorizeFailure answers a refused dialog request: a denial goes back to
// the application (T-03), the rest is the API's JSON (T-02).
func authorizeFailure(_ authserver.Call, f authserver.Failure) authserver.Answer {
	if f.Kind == authserver.AccessDenied {
		return authserver.Answer{Redirect: true}
	}
	status, code, description := http.StatusForbidden, "unauthorized_client", ""
	switch f.Kind {
	case authserver.UnknownClient:
		description = "Invalid client id"
	case authserver.RedirectMismatch:
		description = "Invalid redirect uri"
	case authserver.UnsupportedResponseType:
		status, code, description = http.StatusNotImplemented, "unsupported_response_type", "Unsupported response type: "+f.Detail
	case authserver.Unavailable:
		status, code, description = http.StatusServiceUnavailable, f.ErrorCode(), f.Description
	case authserver.ServerError:
		status, code, description = http.StatusInternalServerError, f.ErrorCode(), f.Description
	default:
		status, code, description = http.StatusBadRequest, f.ErrorCode(), f.Description
	}
	r := oauthError(status, code, description)
	return authserver.Answer{JSON: &r}
}
