package authserver

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// Never is a lifespan that does not end: a token minted with it has no
// expiry and its response no expires_in.
const Never time.Duration = math.MaxInt64

// Profile is everything provider-specific the core needs: token shapes and
// lifetimes, which clients, redirects and scopes are allowed, what a grant
// is worth, and what the provider answers to each failure. A provider
// package (mocks/google, ...) builds one; the core never asks which
// provider it is. Every hook receives a Call.
type Profile struct {
	// Name is the provider's key in the world ("google").
	Name string
	// DisplayName is shown on the login, consent and device pages.
	DisplayName string

	// Tokens mints the provider's codes and tokens.
	Tokens Tokens
	// Lifespans; Never for a token that never expires.
	CodeLifespan         time.Duration
	AccessTokenLifespan  time.Duration
	RefreshTokenLifespan time.Duration
	// Forget is how long a code or token stays known once it expired or
	// was revoked or used; after that it is answered as an unknown one.
	// Zero means 24 hours.
	Forget time.Duration
	// MaxRefreshTokens bounds the live refresh tokens of one user and
	// client; handing out one more revokes the oldest grant's. Zero: no bound.
	MaxRefreshTokens int

	// Scopes lists the scopes the provider knows; others are refused as
	// invalid_scope before the user is asked. Nil: any scope, left to
	// ResolveGrant.
	Scopes []string
	// PKCEPlain allows code_challenge_method=plain besides S256.
	PKCEPlain bool
	// IgnorePKCE makes the server deaf to PKCE (RFC 7636), as one that
	// predates it: a code_challenge is dropped and no verifier is asked
	// for (Trackdéchets, T-01).
	IgnorePKCE bool
	// ResponseModes are the response_mode values an authorization request
	// may carry besides the default (OAuth 2.0 Multiple Response Types,
	// Form Post Response Mode): "query", "fragment", "form_post". Nil:
	// none, and a request naming one is refused.
	ResponseModes []fosite.ResponseModeType

	// FindClient looks a client up for a call; nil: the world's client of
	// that id in the call's realm. A refusal is the failure to answer.
	FindClient func(c Call, id string) (world.Client, *Failure)
	// FindAccount looks a user up for a call; nil: the world's account in
	// the call's realm.
	FindAccount func(c Call, email string) (world.Account, bool)
	// Grants are the grant types the token endpoint knows; any other is
	// unsupported_grant_type.
	Grants []string
	// ClientFirst authenticates the client before the grant type is
	// looked at, so a request without valid credentials is refused as such
	// whatever it asks for (a server whose token endpoint sits behind a
	// client-authentication middleware: Trackdéchets' passport before
	// oauth2orize, T-04); false: an unknown or missing grant type is
	// refused first.
	ClientFirst bool
	// GrantAliases are other spellings of grant types the token endpoint
	// accepts, mapped to the grant they name.
	GrantAliases map[string]string
	// Password checks a resource owner password request (RFC 6749 §4.3,
	// grant_type=password, listed in Grants) once the client is
	// authenticated: the account, or the provider's refusal (unknown user,
	// wrong password, a policy). Nil: the grant is not offered.
	Password func(c Call, username, password string) (world.Account, *Failure)
	// GrantTypes gives the grants the client may use.
	GrantTypes func(c world.Client) []string
	// AuthMethods gives the token-endpoint authentication methods of a
	// client whose registration names none; nil: "none" for a public
	// client, else client_secret_basic and client_secret_post.
	AuthMethods func(c world.Client) []string
	// RedirectAllowed reports whether the call's client may be sent to
	// redirectURI.
	RedirectAllowed func(c Call, redirectURI string) bool
	// AdmitUser refuses the user an authorization request signed in as,
	// before consent is asked for (or given without a page), with the
	// failure to answer, or returns nil: a provider's own blocks (Google's
	// apps in Testing and Workspace policies, G-14). Nil: every user.
	AdmitUser func(c Call, user world.Account) *Failure
	// ResolveGrant turns what a client asked for into what the provider
	// grants, or refuses it. It is called once the user has granted
	// access (authorization code, device code) and for client
	// credentials. Nil: the requested scopes, with a refresh token.
	ResolveGrant func(c Call, req GrantRequest) (Grant, *Failure)
	// Refresh says what a refresh does to the tokens it replaces.
	Refresh RefreshPolicy
	// RefreshValid says whether a live, unexpired refresh token may still
	// be used: it gets the account, the grant's scopes, when the token was
	// issued and when it was last used (zero: never), in world time; a
	// refusal is the failure to answer (Google: a password change ends
	// Gmail-scoped tokens, six months unused end any, G-08). Nil: always.
	RefreshValid func(c Call, user world.Account, scopes []string, issued, used time.Time) *Failure
	// CodeChecks orders the reasons an authorization code is refused when
	// several hold (used, expired, another client's, another redirect
	// URI, PKCE), first reported first; nil: CodeReused, CodeExpired,
	// CodeOtherClient, RedirectMismatch, PKCEFailed.
	CodeChecks []FailureKind
	// CodeReuseKeepsGrant refuses a code presented again without revoking
	// the tokens it was exchanged for (Trackdéchets only marks the grant
	// used, T-03); false: they are revoked, as RFC 6749 §4.1.2 advises.
	CodeReuseKeepsGrant bool
	// RevokeGrants makes a revocation end every grant of the token's user
	// to its client and forget the user's consent, so the next
	// authorization asks again (Google: "revocation removes all scopes
	// granted to the project", G-09); false: only the token's own grant.
	RevokeGrants bool

	// RequiredParams are, per grant type, the body parameters a token
	// request must carry; a request without one is refused as
	// InvalidRequest with the parameter's name as Detail before anything
	// else is looked at (Entra's 900144, M-06). Nil: fosite's own checks.
	RequiredParams map[string][]string
	// Redeem looks at a code redemption once the code, client and PKCE
	// passed: it may refuse it, or return the grant the tokens are minted
	// for instead of the code's (a token request that narrows a
	// multi-resource authorization to one resource, M-12). Nil: the
	// code's grant.
	Redeem func(c Call, req RedeemRequest) (*Grant, *Failure)
	// RefreshCheck may refuse a refresh whose token is live and the
	// client's, once RefreshValid let it pass: it sees the grant's
	// scopes and claims (Microsoft: MFA or Conditional Access applied
	// since the sign-in, M-11). Nil: no check.
	RefreshCheck func(c Call, req RedeemRequest) *Failure
	// AdmitAuthorize may refuse a valid authorization request before the
	// user is asked anything (a registration that may not use the
	// request's tenant, a disabled application); the refusal is answered
	// as AuthorizeFailure says, redirected or on a page.
	AdmitAuthorize func(c Call, tx *Transaction) *Failure
	// PromptLogin makes prompt=login show the sign-in page to a user who
	// is signed in already (OpenID Connect Core §3.1.2.1; Microsoft,
	// M-02); false: the parameter is ignored, as Google does.
	PromptLogin bool
	// RedirectQuery encodes the parameters the server adds to a redirect
	// URI (code, state, error...), appended to the URI's own query as it
	// was registered; nil: the whole query re-encoded by url.Values
	// (sorted keys, upper-case escapes).
	RedirectQuery func(params url.Values) string

	// TokenHeaders are set on every token-endpoint answer, success or error.
	TokenHeaders http.Header
	// TokenJSON is how the token endpoint's JSON is written (indentation,
	// key order of a success body); nil: indented by two spaces, keys
	// sorted (Google, G-15). Its Header comes before TokenHeaders.
	TokenJSON *JSONStyle
	// TokenResponse shapes a successful token response: the core fills
	// body with the RFC 6749 fields (no expires_in for a token that never
	// expires) and the hook adds, changes or removes fields. Nil: as is.
	TokenResponse func(c Call, t Issued, body map[string]any)
	// TokenError is the provider's answer to a refused token request; nil
	// or ok=false means the standard RFC 6749 answer.
	TokenError func(c Call, f Failure) (Reply, bool)
	// AuthorizeFailure says how a refused authorization request is
	// answered: back to the client's redirect URI, on a page or in JSON.
	// Nil: redirected when the redirect URI can be trusted (RFC 6749
	// §4.1.2.1), else a page.
	AuthorizeFailure func(c Call, f Failure) Answer

	// SharedKeys signs for every realm with one key, published under each
	// realm's JWKS (Microsoft's keys are the same for every tenant); false:
	// a key per realm.
	SharedKeys bool
	// Issuer gives the issuer of a realm from the server's base URL; nil:
	// the base URL.
	Issuer func(baseURL, realm string) string
	// Subject gives the OpenID Connect "sub" of a user; nil: the address.
	Subject func(c Call, acct world.Account) string
	// IDTokenClaims gives the ID token's claims beyond the standard ones
	// for a grant of scopes (email, name...).
	IDTokenClaims func(c Call, acct world.Account, scopes []string) map[string]any

	// Device configures the RFC 8628 device flow; nil if the provider has none.
	Device *DeviceProfile
}

// Call is what every profile hook receives about the request it is asked
// about.
type Call struct {
	// Realm is the tenant the request names in its path; "" for a
	// provider without tenants.
	Realm string
	// Client is the client the request is for, once known (zero before).
	Client world.Client
	// Now is the world's time.
	Now time.Time
	// Request is the HTTP request (nil for a world action, such as an
	// approval through the admin API).
	Request *http.Request
}

type realmKey struct{}

// WithRealm returns ctx carrying the realm of a request, as the provider's
// router read it from the path.
func WithRealm(ctx context.Context, realm string) context.Context {
	return context.WithValue(ctx, realmKey{}, realm)
}

// RealmOf returns the realm ctx carries ("" if none).
func RealmOf(ctx context.Context) string {
	realm, _ := ctx.Value(realmKey{}).(string)
	return realm
}

// GrantRequest is what a client asks for, for Profile.ResolveGrant.
type GrantRequest struct {
	// GrantType is "authorization_code", DeviceGrantType,
	// "client_credentials" or "password".
	GrantType string
	// User is the account granting access (zero for client credentials).
	User world.Account
	// Scopes are the requested scopes.
	Scopes []string
	// Form is the authorization or token request's parameters.
	Form url.Values
	// FreshConsent is true when the user was shown the consent screen for
	// this grant: the first time, or when the request forced it.
	FreshConsent bool
	// Consented are the scopes the user granted the client before this
	// request (authorization code).
	Consented []string
}

// Grant is what the provider grants.
type Grant struct {
	// Scopes are the granted scopes, as the token response's scope says.
	Scopes []string
	// Claims are the access token's claims beyond the standard ones (a
	// JWT's aud, scp, roles...), kept with the grant for resource servers.
	Claims map[string]any
	// Offline is true when the grant earns a refresh token.
	Offline bool
	// RefreshLifespan is the lifetime of the grant's refresh tokens; zero:
	// the profile's RefreshTokenLifespan.
	RefreshLifespan time.Duration
	// FixedRefresh keeps the first refresh token's expiry for every later
	// one even under a sliding policy (Microsoft's SPA redirects, M-03).
	FixedRefresh bool
}

// RedeemRequest is a code redemption, for Profile.Redeem.
type RedeemRequest struct {
	// User is the account the code was issued for.
	User world.Account
	// Granted are the code's granted scopes, Claims its access token's
	// claims (Grant.Claims).
	Granted []string
	Claims  map[string]any
	// Form is the token request's body.
	Form url.Values
	// SignedIn is when the user signed in for the grant (Session.SignedIn).
	SignedIn time.Time
}

// Issued describes a successful token response, for Profile.TokenResponse.
type Issued struct {
	GrantType string
	// User is the account the tokens act for (zero for client credentials).
	User   world.Account
	Scopes []string
	Claims map[string]any
}

// Answer is how a refused authorization request is answered.
type Answer struct {
	// Redirect sends the failure back to the client's redirect URI with
	// error, state and Params (when the redirect URI can be trusted).
	Redirect bool
	Params   url.Values
	// Location, else, is where the user agent is sent (302) to see the
	// provider's own page (Microsoft's /common/reprocess, M-13).
	Location string
	// Page, else, is shown to the user.
	Page *Page
	// JSON, else, is the answer.
	JSON *Reply
}

// Page is an error page of the provider, shown to the user in place of a
// redirect.
type Page struct {
	Status int
	Title  string
	Lines  []string
}

// RefreshPolicy says what a refresh does.
type RefreshPolicy struct {
	// ReturnNew sends a new refresh token with each refresh (Microsoft);
	// false keeps the one the client has (Google, G-06).
	ReturnNew bool
	// RevokeUsed makes the used refresh token and its access tokens invalid
	// (RFC 6819 rotation); false leaves them working until they expire.
	RevokeUsed bool
	// Sliding gives each refresh token handed out by a refresh the grant's
	// whole lifetime from then on (Microsoft: "refresh tokens replace
	// themselves with a fresh token upon every use", so 90 days count from
	// the last use); false: the first refresh token's expiry holds for the
	// whole grant.
	Sliding bool
}

// DeviceProfile is the provider's flavour of the device flow.
type DeviceProfile struct {
	// Admit refuses a device authorization request for the call's client
	// and scopes, or returns nil.
	Admit func(c Call, scopes []string) *Failure
	// UserCode returns a new user code in the provider's format.
	UserCode func() string
	// Lifespan is how long a device code lives; Interval the polling interval.
	Lifespan time.Duration
	Interval time.Duration
	// VerificationPath is the path of the verification page on this server.
	VerificationPath string
	// Response renders the device authorization response.
	Response func(c Call, d DeviceAuthorization) any
	// NoSlowDown answers a poll that comes sooner than the interval as any
	// other pending one (Entra has never been seen sending RFC 8628's
	// slow_down, M-05); false: slow_down, the interval growing by 5 s.
	NoSlowDown bool
}

// DeviceAuthorization is a new device grant, for DeviceProfile.Response.
type DeviceAuthorization struct {
	DeviceCode      string
	UserCode        string
	VerificationURL string
	ExpiresIn       int64
	Interval        int64
}
