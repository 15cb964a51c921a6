// Package mailauth is the contract between the mail servers and the
// provider profiles: a mail login (a user name and a bearer token presented
// over SMTP, IMAP or POP) and the provider's verdict on it.
package mailauth

import "context"

// Login is one mail authentication attempt.
type Login struct {
	// Protocol is "smtp", "imap" or "pop3".
	Protocol string
	// Mechanism is the SASL mechanism, "XOAUTH2" or "OAUTHBEARER".
	Mechanism string
	// User is the mailbox the client asks to open (the SASL user= / a=).
	User string
	// Token is the bearer access token.
	Token string
}

// Reasons a Verdict gives for a refusal.
const (
	ReasonUnknownToken = "unknown_token"
	ReasonExpired      = "expired"
	ReasonRevoked      = "revoked"
	ReasonWrongScope   = "wrong_scope"
	ReasonWrongUser    = "wrong_user"
)

// Verdict is the provider's answer to a Login.
type Verdict struct {
	OK bool
	// Reason says why the login was refused (one of the Reason constants).
	Reason string
	// Client is the OAuth client the token was issued to, if known.
	Client string
	// Challenge is the JSON the provider sends in its SASL error challenge
	// before failing (Gmail, GM-03); nil when it fails at once (Exchange).
	Challenge []byte
}

// Rule decides whether a token opens a mailbox.
type Rule interface {
	CheckMail(ctx context.Context, l Login) Verdict
}

// Outcome is the audit log's word for v: "ok" or "refused".
func (v Verdict) Outcome() string {
	if v.OK {
		return "ok"
	}
	return "refused"
}
