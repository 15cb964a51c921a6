package authserver

import (
	"maps"
	"slices"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/token/jwt"
)

// Session is what the core remembers about a grant: who granted it and
// whether it earned a refresh token. fosite stores it with every code and
// token of the grant.
type Session struct {
	// User is the e-mail address of the account that granted access; empty
	// for client credentials.
	User string
	// expires holds the expiry of each token of the grant, in fosite's
	// (real) time; the store translates to and from the world's time. A
	// short list rather than a map: a session is stored with every code
	// and token, and has two or three expiries.
	expires []expiry
	// Slide is the lifetime each refresh token handed out by a refresh
	// starts again with (RefreshPolicy.Sliding); zero: every refresh token
	// of the grant keeps the first one's expiry.
	Slide time.Duration
	// SignedIn is when the user signed in for the grant, in world time
	// (zero for client credentials); every token of the grant keeps it.
	SignedIn time.Time
	// Scopes, when set, are the scopes a token response names in place of
	// the code's (a redemption Profile.Redeem narrowed to one resource).
	Scopes []string
	// Access holds the claims the provider gave the grant (Grant.Claims):
	// what a JWT access token carries and what resource servers read.
	// Never changed once granted: every code and token of the grant
	// shares it.
	Access map[string]any
	// Claims and Headers make the ID token of a grant that includes
	// openid. Their times stay real: the client checks them with its clock.
	Claims  *jwt.IDTokenClaims
	Headers *jwt.Headers
	// Offline is true when the provider's policy issues a refresh token for
	// this grant (for Google: access_type=offline and a fresh consent).
	Offline bool
	// FixedRefresh marks a grant whose refresh tokens keep the first one's
	// expiry under a sliding policy (Grant.FixedRefresh).
	FixedRefresh bool
	// Refreshes is how many refreshes of the grant led to the token: 0
	// for those of the code or device grant (their refresh token is of
	// generation 1, Event.Seen's refresh_generation).
	Refreshes int
}

// expiry is when one kind of token of the grant expires.
type expiry struct {
	kind fosite.TokenType
	at   time.Time
}

func newSession(user string) *Session {
	return &Session{User: user}
}

// SetExpiresAt implements fosite.Session.
func (s *Session) SetExpiresAt(key fosite.TokenType, exp time.Time) {
	for i := range s.expires {
		if s.expires[i].kind == key {
			s.expires[i].at = exp
			return
		}
	}
	s.expires = append(s.expires, expiry{key, exp})
}

// GetExpiresAt implements fosite.Session.
func (s *Session) GetExpiresAt(key fosite.TokenType) time.Time {
	for _, e := range s.expires {
		if e.kind == key {
			return e.at
		}
	}
	return time.Time{}
}

// forgetExpiry removes the expiry of key: that kind never expires.
func (s *Session) forgetExpiry(key fosite.TokenType) {
	s.expires = slices.DeleteFunc(s.expires, func(e expiry) bool { return e.kind == key })
}

// GetUsername implements fosite.Session.
func (s *Session) GetUsername() string { return s.User }

// GetSubject implements fosite.Session.
func (s *Session) GetSubject() string { return s.User }

// IDTokenClaims implements openid.Session.
func (s *Session) IDTokenClaims() *jwt.IDTokenClaims {
	if s.Claims == nil {
		s.Claims = &jwt.IDTokenClaims{}
	}
	return s.Claims
}

// IDTokenHeaders implements openid.Session.
func (s *Session) IDTokenHeaders() *jwt.Headers {
	if s.Headers == nil {
		s.Headers = jwt.NewHeaders()
	}
	return s.Headers
}

// Clone implements fosite.Session.
func (s *Session) Clone() fosite.Session {
	if s == nil {
		return nil
	}
	c := *s
	c.expires = slices.Clip(slices.Clone(s.expires))
	if s.Claims != nil {
		claims := *s.Claims
		claims.Audience = slices.Clone(s.Claims.Audience)
		claims.AuthenticationMethodsReferences = slices.Clone(s.Claims.AuthenticationMethodsReferences)
		claims.Extra = maps.Clone(s.Claims.Extra)
		c.Claims = &claims
	}
	if s.Headers != nil {
		c.Headers = &jwt.Headers{Extra: maps.Clone(s.Headers.Extra)}
	}
	return &c
}
