package authserver

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/world"

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
	SecretExpired           FailureKind = "secret_expired"
	SecretFromPublicClient  FailureKind = "secret_from_public_client"
	AuthMethodRefused       FailureKind = "auth_method_refused"
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
	RefreshExpired          FailureKind = "refresh_expired"
	RefreshOtherClient      FailureKind = "refresh_other_client"
	AccessDenied            FailureKind = "access_denied"
	LoginRequired           FailureKind = "login_required"
	ConsentRequired         FailureKind = "consent_required"
	DevicePending           FailureKind = "authorization_pending"
	DeviceSlowDown          FailureKind = "slow_down"
	DeviceDenied            FailureKind = "device_denied"
	DeviceExpired           FailureKind = "expired_token"
	DeviceCodeInvalid       FailureKind = "device_code_invalid"
	// DeviceQuota is a device authorization request of a client with too
	// many pending already.
	DeviceQuota FailureKind = "rate_limit_exceeded"
	ServerError FailureKind = "server_error"
	// Unavailable is the server saying "try again later" (a fault armed
	// through the world).
	Unavailable FailureKind = "temporarily_unavailable"
	// ProviderRefused is a refusal of the profile's own (ResolveGrant,
	// FindClient, Admit): ProviderCode names it for the profile's answers.
	ProviderRefused FailureKind = "provider_refused"
)

// Failure is one refused request: its kind, a detail the answer may quote
// (the offending scope or redirect URI, the client id), and a description.
type Failure struct {
	Kind   FailureKind
	Detail string
	// Description is used by the standard answer when the profile has no
	// text of its own.
	Description string
	// Code overrides the RFC 6749 error code of Kind (a profile's own
	// refusal: "invalid_scope", "invalid_grant"...).
	Code string
	// Issued is when the refused token was issued, in world time, where an
	// answer quotes it (an expired refresh token); Fixed says that the
	// token's lifetime was fixed, never extended by refreshing.
	Issued time.Time
	Fixed  bool
	// ProviderCode is the provider's own number for a ProviderRefused
	// failure (Microsoft's AADSTS number); 0 for none.
	ProviderCode int
	// Malformed says that a refused code or refresh token is not even of
	// the server's format (truncated, re-encoded), not merely unknown.
	Malformed bool
	// Spent says that a refused device code was good once: its tokens
	// were issued already.
	Spent bool
}

// Error implements error, so a Failure can travel as one.
func (f Failure) Error() string {
	switch {
	case f.Detail != "":
		return string(f.Kind) + ": " + f.Detail
	case f.ProviderCode != 0:
		return string(f.Kind) + ": " + strconv.Itoa(f.ProviderCode)
	}
	return string(f.Kind)
}

// Reply is a provider's answer to a refused token-endpoint request.
type Reply struct {
	Status int
	// Body is marshalled to JSON.
	Body any
	// Text, if set, is the body instead, as is and with no Content-Type
	// (a bare "Unauthorized" from an authentication middleware).
	Text string
	// Header is added to the response (Content-Type and caching headers
	// have defaults).
	Header http.Header
}

// errorBody is the RFC 6749 §5.2 error body.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// ErrorCode is the RFC 6749 / RFC 8628 error code of f.
func (f Failure) ErrorCode() string {
	if f.Code != "" {
		return f.Code
	}
	switch f.Kind {
	case UnknownClient, ClientAuthMissing, WrongSecret, WrongClientType, SecretExpired,
		SecretFromPublicClient, AuthMethodRefused:
		return "invalid_client"
	case GrantNotAllowed:
		return "unauthorized_client"
	case CodeInvalid, CodeReused, CodeExpired, PKCEFailed, CodeOtherClient,
		RefreshInvalid, RefreshRevoked, RefreshExpired, RefreshOtherClient, RedirectMismatch, DeviceCodeInvalid:
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
	switch f.ErrorCode() {
	case "invalid_client":
		status = http.StatusUnauthorized
	case "server_error":
		status = http.StatusInternalServerError
	case "temporarily_unavailable":
		status = http.StatusServiceUnavailable
	case string(DeviceQuota):
		status = http.StatusTooManyRequests
	}
	desc := f.Description
	if desc == "" {
		desc = f.Detail
	}
	return Reply{Status: status, Body: errorBody{Error: f.ErrorCode(), Description: desc}}
}

// classify turns an error of fosite into a Failure. The refusals that
// matter to a provider carry their typed cause, planted where the core
// refuses (client authentication, grantCheck, the device handler); what is
// left is told apart by RFC 6749 error code alone, never by fosite's
// message texts.
func classify(err error, grantType string) Failure {
	var f Failure
	if errors.As(err, &f) {
		return f
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	out := Failure{Description: strings.TrimSpace(rfc.DescriptionField + " " + rfc.HintField)}
	switch rfc.ErrorField {
	case "invalid_client":
		out.Kind = WrongSecret
	case "unsupported_grant_type":
		out.Kind, out.Detail = UnsupportedGrantType, grantType
	case "unsupported_response_type":
		out.Kind = UnsupportedResponseType
	case "unauthorized_client":
		out.Kind = GrantNotAllowed
	case "invalid_scope", "scope_not_granted":
		out.Kind = InvalidScope
	case "access_denied":
		out.Kind = AccessDenied
	case "invalid_grant":
		out.Kind = CodeInvalid
		if grantType == "refresh_token" {
			out.Kind = RefreshInvalid
		}
	case "invalid_request":
		out.Kind = InvalidRequest
	default:
		out.Kind = ServerError
	}
	return out
}

// FaultAt declares the fault point ("token", "authorize"...) of the
// endpoint h serves and returns h with the point in its requests' context:
// h's calls to Fault take the faults armed there. A provider mounts each
// endpoint that can fail through it, so the points it lists are exactly
// those its handlers ask for.
func (s *Server) FaultAt(point string, h http.HandlerFunc) http.Handler {
	p := s.world.DeclareFault(s.profile.Name, point)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), faultPointKey{}, mounted{p, http.NewResponseController(w)})))
	})
}

type faultPointKey struct{}

// mounted is what FaultAt puts in a request's context: its fault point,
// and its response's controller, through which a delay moves the
// server's write deadline.
type mounted struct {
	point world.FaultPoint
	rc    *http.ResponseController
}

// answerTime is how long a request has to be answered once a delay fault
// has held it: the HTTP servers' write timeout, counted again from the
// end of the delay, so that a delay of up to world.MaxFaultDelay never
// meets the deadline.
const answerTime = 30 * time.Second

// Fault answers a request with the fault the world armed at its
// endpoint's point (FaultAt), if any (world.ArmFault): it waits out a
// delay and returns nil, aborts the connection for a disconnect (it does
// not return), and otherwise returns the failure the caller answers the
// provider's way. An endpoint mounted without FaultAt answers every
// request with a server error that says so: a handler that can fail at a
// point nobody declared is a provider's wiring error, never a silent miss.
func (s *Server) Fault(r *http.Request) *Failure {
	m, declared := r.Context().Value(faultPointKey{}).(mounted)
	if !declared {
		return &Failure{Kind: ServerError, Description: "mailoauth: " + r.URL.Path + " was mounted without its fault point (authserver.FaultAt)"}
	}
	f, ok := s.world.TakeFault(m.point)
	if !ok {
		return nil
	}
	switch f.Kind {
	case world.FaultDelay:
		// The answer follows the delay whole: the write deadline (set
		// when the request was read) moves past the delay.
		_ = m.rc.SetWriteDeadline(time.Now().Add(f.Delay() + answerTime))
		t := time.NewTimer(f.Delay())
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
		return nil
	case world.FaultDisconnect:
		// net/http closes the connection (HTTP/2: resets the stream)
		// without writing anything.
		panic(http.ErrAbortHandler)
	case world.FaultUnavailable:
		return &Failure{Kind: Unavailable, Description: "The service is temporarily unavailable. Try again later."}
	case world.FaultInvalidGrant:
		switch r.PostForm.Get("grant_type") {
		case "refresh_token":
			return &Failure{Kind: RefreshInvalid}
		case DeviceGrantType:
			return &Failure{Kind: DeviceCodeInvalid}
		}
		return &Failure{Kind: CodeInvalid}
	}
	return &Failure{Kind: ServerError, Description: "The server encountered an internal error."}
}

// WriteFault is the answer of an endpoint with no error format of its own
// to a fault's failure: the RFC 6749 JSON with its status (503, 500).
func (s *Server) WriteFault(w http.ResponseWriter, f Failure) {
	r := StandardReply(f)
	s.writeJSON(w, r.Status, r.Body, nil)
}
