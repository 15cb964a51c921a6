package authserver

import (
	"net/http"
	"net/url"
	"time"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// Profile is everything provider-specific the core needs: token shapes and
// lifetimes, which redirects and scopes are allowed, when a refresh token is
// issued, and what the provider answers to each failure. A provider package
// (mocks/google, ...) builds one; the core never asks which provider it is.
type Profile struct {
	// Name is the provider's key in the world ("google").
	Name string
	// DisplayName is shown on the login, consent and device pages.
	DisplayName string

	Tokens               TokenFormat
	CodeLifespan         time.Duration
	AccessTokenLifespan  time.Duration
	RefreshTokenLifespan time.Duration // zero or less: never expires
	// RefreshTokenExpiry, if set, gives the refresh token lifetime of one
	// grant (Google's 7 days for apps in Testing, G-08); zero means
	// RefreshTokenLifespan.
	RefreshTokenExpiry func(Grant) time.Duration
	// Forget is how long a code or token stays known once it expired or
	// was revoked or used; after that it is answered as an unknown one.
	// Zero means 24 hours.
	Forget time.Duration
	// MaxRefreshTokens bounds the live refresh tokens of one user and
	// client; handing out one more revokes the oldest grant's (G-08: 100 at
	// Google). Zero: no bound.
	MaxRefreshTokens int

	// Scopes lists the scopes the provider knows; others are invalid_scope.
	Scopes []string
	// PKCEPlain allows code_challenge_method=plain besides S256.
	PKCEPlain bool
	// GrantTypes gives the grants a client of each type may use.
	GrantTypes map[world.ClientType][]string

	// RedirectAllowed reports whether client may be sent to redirectURI.
	RedirectAllowed func(client world.Client, redirectURI string) bool
	// IssueRefreshToken decides, when the user grants access, whether the
	// grant earns a refresh token.
	IssueRefreshToken func(Grant) bool
	// Refresh says what a refresh does to the tokens it replaces.
	Refresh RefreshPolicy

	// TokenHeaders are set on every token-endpoint answer, success or error.
	TokenHeaders http.Header
	// TokenError is the provider's answer to a refused token request; nil
	// or ok=false means the standard RFC 6749 answer.
	TokenError func(Failure) (Reply, bool)
	// ErrorPage gives the provider's own page for an authorization failure
	// that is not sent back to the client: always for unknown clients and
	// refused redirect URIs, and for any failure RedirectsError refuses.
	ErrorPage func(f Failure, redirectURI string) Page
	// RedirectsError reports whether an authorization failure goes back to
	// the client's redirect URI (RFC 6749 §4.1.2.1) rather than to the page.
	RedirectsError func(Failure) bool

	// Subject gives the OpenID Connect "sub" of a user; nil: the address.
	Subject func(email string) string
	// IDTokenClaims gives the ID token's claims beyond the standard ones
	// for a grant of scopes (email, name...).
	IDTokenClaims func(acct world.Account, scopes []string) map[string]any

	// Device configures the RFC 8628 device flow; nil if the provider has none.
	Device *DeviceProfile
}

// Page is an error page of the provider, shown to the user in place of a
// redirect.
type Page struct {
	Status int
	Title  string
	Lines  []string
}

// Grant describes an access the user is granting, for IssueRefreshToken.
type Grant struct {
	Client world.Client
	User   string
	Scopes []string
	// Form is the authorization request's parameters (access_type, prompt...).
	Form url.Values
	// FreshConsent is true when the user was shown the consent screen for
	// this grant: the first time, or when the request forced it.
	FreshConsent bool
}

// RefreshPolicy says what a refresh does.
type RefreshPolicy struct {
	// ReturnNew sends a new refresh token with each refresh (Microsoft);
	// false keeps the one the client has (Google, G-06).
	ReturnNew bool
	// RevokeUsed makes the used refresh token and its access tokens invalid
	// (RFC 6819 rotation); false leaves them working until they expire.
	RevokeUsed bool
}

// DeviceProfile is the provider's flavour of the device flow.
type DeviceProfile struct {
	// Admit refuses a device authorization request for this client and
	// scopes, or returns nil.
	Admit func(client world.Client, scopes []string) *Failure
	// UserCode returns a new user code in the provider's format.
	UserCode func() string
	// Lifespan is how long a device code lives; Interval the polling interval.
	Lifespan time.Duration
	Interval time.Duration
	// VerificationPath is the path of the verification page on this server.
	VerificationPath string
	// IssueRefreshToken decides whether an approved device grant earns a
	// refresh token; nil means always.
	IssueRefreshToken func(Grant) bool
	// Response renders the device authorization response.
	Response func(DeviceAuthorization) any
}

// DeviceAuthorization is a new device grant, for DeviceProfile.Response.
type DeviceAuthorization struct {
	DeviceCode      string
	UserCode        string
	VerificationURL string
	ExpiresIn       int64
	Interval        int64
}
