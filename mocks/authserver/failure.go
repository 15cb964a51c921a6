package authserver

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ory/fosite"
)

// FailureKind names, provider-neutrally, why a request was refused. The core
// decides the kind; the provider profile decides what its server answers.
type FailureKind string

// The kinds of failure the core tells apart.
const (
	InvalidRequest          FailureKind = "invalid_request"
	UnsupportedGrantType    FailureKind = "unsupported_grant_type"
	UnsupportedResponseType FailureKind = "unsupported_response_type"
	UnknownClient           FailureKind = "unknown_client"
	ClientAuthMissing       FailureKind = "client_auth_missing"
	WrongSecret             FailureKind = "wrong_secret"
	WrongClientType         FailureKind = "wrong_client_type"
	GrantNotAllowed         FailureKind = "grant_not_allowed"
	RedirectMismatch        FailureKind = "redirect_uri_mismatch"
	InvalidScope            FailureKind = "invalid_scope"
	CodeInvalid             FailureKind = "code_invalid"
	CodeReused              FailureKind = "code_reused"
	CodeExpired             FailureKind = "code_expired"
	PKCEFailed              FailureKind = "pkce_failed"
	CodeOtherClient         FailureKind = "code_other_client"
	RefreshInvalid          FailureKind = "refresh_invalid"
	RefreshRevoked          FailureKind = "refresh_revoked"
	RefreshOtherClient      FailureKind = "refresh_other_client"
	AccessDenied            FailureKind = "access_denied"
	LoginRequired           FailureKind = "login_required"
	ConsentRequired         FailureKind = "consent_required"
	DevicePending           FailureKind = "authorization_pending"
	DeviceSlowDown          FailureKind = "slow_down"
	DeviceDenied            FailureKind = "device_denied"
	DeviceExpired           FailureKind = "expired_token"
	DeviceCodeInvalid       FailureKind = "device_code_invalid"
	ServerError             FailureKind = "server_error"
)

// Failure is one refused request: its kind, a detail the answer may quote
// (the offending scope or redirect URI) and fosite's description, if any.
type Failure struct {
	Kind   FailureKind
	Detail string
	// Description is the RFC 6749 description fosite gave, used by the
	// standard answer when the profile has no text of its own.
	Description string
}

// Error implements error, so a Failure can travel as one.
func (f Failure) Error() string {
	if f.Detail != "" {
		return string(f.Kind) + ": " + f.Detail
	}
	return string(f.Kind)
}

// Reply is a provider's answer to a refused token-endpoint request.
type Reply struct {
	Status int
	// Body is marshalled to JSON.
	Body any
	// Header is added to the response (Content-Type and caching headers
	// have defaults).
	Header http.Header
}

// errorBody is the RFC 6749 §5.2 error body.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// Code is the RFC 6749 / RFC 8628 error code of f.
func (f Failure) Code() string {
	switch f.Kind {
	case UnknownClient, ClientAuthMissing, WrongSecret, WrongClientType:
		return "invalid_client"
	case GrantNotAllowed:
		return "unauthorized_client"
	case CodeInvalid, CodeReused, CodeExpired, PKCEFailed, CodeOtherClient,
		RefreshInvalid, RefreshRevoked, RefreshOtherClient, RedirectMismatch, DeviceCodeInvalid:
		return "invalid_grant"
	case DeviceDenied:
		return "access_denied"
	}
	return string(f.Kind)
}

// StandardReply is the RFC 6749 / RFC 8628 answer to f: the one a profile
// falls back to when its provider has nothing of its own.
func StandardReply(f Failure) Reply {
	status := http.StatusBadRequest
	switch f.Code() {
	case "invalid_client":
		status = http.StatusUnauthorized
	case "server_error":
		status = http.StatusInternalServerError
	}
	desc := f.Description
	if desc == "" {
		desc = f.Detail
	}
	return Reply{Status: status, Body: errorBody{Error: f.Code(), Description: desc}}
}

// errUnknownClient is the cause the client manager gives fosite for a
// client id the world does not know.
var errUnknownClient = errors.New("authserver: no such client")

// classifyToken turns an error of fosite's token endpoint into a Failure.
// fosite reports most refusals as invalid_grant or invalid_client with a
// hint; the causes the store and hasher plant (errUnknownClient,
// errWrongSecret, ErrInactiveToken, ErrTokenExpired) and the grant type say
// which one it was. Tests pin every hint this relies on.
func classifyToken(err error, grantType string) Failure {
	var f Failure
	if errors.As(err, &f) {
		return f
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	out := Failure{Description: strings.TrimSpace(rfc.DescriptionField + " " + rfc.HintField)}
	hint := rfc.HintField
	switch {
	case errors.Is(err, errUnknownClient):
		out.Kind = UnknownClient
	case errors.Is(err, errWrongSecret):
		out.Kind = WrongSecret
	case rfc.ErrorField == "invalid_client":
		out.Kind = WrongSecret
	case rfc.ErrorField == "unsupported_grant_type":
		out.Kind, out.Detail = UnsupportedGrantType, grantType
	case rfc.ErrorField == "unauthorized_client":
		out.Kind = GrantNotAllowed
	case rfc.ErrorField == "invalid_scope", rfc.ErrorField == "scope_not_granted":
		out.Kind = InvalidScope
	case rfc.ErrorField == "invalid_grant" && grantType == "refresh_token":
		switch {
		case errors.Is(err, fosite.ErrInactiveToken), errors.Is(err, fosite.ErrTokenExpired):
			out.Kind = RefreshRevoked
		case strings.Contains(hint, "Client ID"):
			out.Kind = RefreshOtherClient
		default:
			out.Kind = RefreshInvalid
		}
	case rfc.ErrorField == "invalid_grant":
		switch {
		case strings.Contains(hint, "already been used"):
			out.Kind = CodeReused
		case errors.Is(err, fosite.ErrTokenExpired):
			out.Kind = CodeExpired
		case strings.Contains(hint, "redirect_uri"):
			out.Kind = RedirectMismatch
		case strings.Contains(hint, "PKCE"):
			out.Kind = PKCEFailed
		case strings.Contains(hint, "Client ID"):
			out.Kind = CodeOtherClient
		default:
			out.Kind = CodeInvalid
		}
	case rfc.ErrorField == "invalid_request" && strings.Contains(hint, "Client credentials missing"):
		// RFC 6749 §5.2: "no client authentication included" is invalid_client.
		out.Kind = ClientAuthMissing
	case rfc.ErrorField == "invalid_request" && grantType == "refresh_token":
		// fosite says invalid_request when a refresh token fails its HMAC check.
		out.Kind = RefreshInvalid
	case rfc.ErrorField == "invalid_request":
		out.Kind = InvalidRequest
	default:
		out.Kind = ServerError
	}
	return out
}

// classifyAuthorize turns an error of fosite's authorize endpoint into a
// Failure.
func classifyAuthorize(err error) Failure {
	var f Failure
	if errors.As(err, &f) {
		return f
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	out := Failure{Description: strings.TrimSpace(rfc.DescriptionField + " " + rfc.HintField)}
	switch {
	case errors.Is(err, errUnknownClient), rfc.ErrorField == "invalid_client":
		out.Kind = UnknownClient
	case rfc.ErrorField == "invalid_scope":
		out.Kind = InvalidScope
	case rfc.ErrorField == "unsupported_response_type":
		out.Kind = UnsupportedResponseType
	case rfc.ErrorField == "unauthorized_client":
		out.Kind = GrantNotAllowed
	case rfc.ErrorField == "access_denied":
		out.Kind = AccessDenied
	case rfc.ErrorField == "server_error":
		out.Kind = ServerError
	default:
		out.Kind = InvalidRequest
	}
	return out
}
