// Package mailauth is where the mail servers meet the provider profiles: a
// mail login (a user name and a bearer token, or a password, presented over
// SMTP, IMAP or POP), the Gate that decides on it (faults armed in the
// world, then the provider's Rule) and records the outcome, the SASL
// exchange that brings a client's messages to the gate, and the
// personalities that turn a Verdict into each provider's reply lines.
//
// A protocol server calls Gate.SASL for its AUTH / AUTHENTICATE command and
// Gate.Authenticate for its password commands (IMAP LOGIN, POP3 USER/PASS);
// both end in one Answer, the server's own, that turns the Verdict into its
// protocol's reply.
package mailauth

import "context"

// Login is one mail authentication attempt.
type Login struct {
	// Protocol is "smtp", "imap" or "pop3" (the gate's own).
	Protocol string
	// Mechanism is the SASL mechanism in upper case ("XOAUTH2",
	// "OAUTHBEARER", "PLAIN", "LOGIN"...), or UserPass for POP3's
	// USER/PASS. IMAP's LOGIN command is "LOGIN".
	Mechanism string
	// User is the mailbox the client asks to open (the SASL user= / a=).
	User string
	// Token is the bearer access token; empty for a password.
	Token string
}

// UserPass is the Mechanism of POP3's USER and PASS commands.
const UserPass = "USER/PASS"

// Reason says why a login was refused.
type Reason string

// The reasons of a refusal. Personalities answer each with its own reply,
// or with their default refusal.
const (
	ReasonUnknownToken        Reason = "unknown_token"
	ReasonExpired             Reason = "expired"
	ReasonRevoked             Reason = "revoked"
	ReasonWrongScope          Reason = "wrong_scope"
	ReasonWrongUser           Reason = "wrong_user"
	ReasonWrongAudience       Reason = "wrong_audience"
	ReasonNoServicePrincipal  Reason = "no_service_principal"
	ReasonNoMailboxPermission Reason = "no_mailbox_permission"
	ReasonAuthDisabled        Reason = "auth_disabled"
	// ReasonNoMailbox is a mailbox the token's tenant does not have.
	ReasonNoMailbox Reason = "no_mailbox"
	// ReasonProtocolDisabled is a mailbox with the protocol switched off
	// (Exchange's Set-CASMailbox -ImapEnabled $false, -PopEnabled).
	ReasonProtocolDisabled Reason = "protocol_disabled"
	// ReasonBasicAuth is a password (LOGIN, PLAIN, USER/PASS): basic
	// authentication is gone at every provider.
	ReasonBasicAuth Reason = "basic_auth"
	// ReasonBlockedByPolicy is a password the tenant's sign-in policy
	// refuses before basic authentication is considered (Entra's Security
	// Defaults, a Conditional Access policy: Exchange's F-27).
	ReasonBlockedByPolicy Reason = "blocked_by_policy"
	// ReasonMechanism is an advertised mechanism that is not a bearer
	// token nor a password (PLAIN-CLIENTTOKEN, XOAUTH).
	ReasonMechanism Reason = "mechanism"
	// ReasonMalformed is a SASL message that does not parse: the
	// personality's Malformed reply.
	ReasonMalformed Reason = "malformed"
	// ReasonUnavailable and ReasonServerError are faults armed through
	// the world (world.ArmFault): "try again later", an internal error.
	ReasonUnavailable Reason = "unavailable"
	ReasonServerError Reason = "server_error"
	// ReasonDisconnect closes the connection without a reply: a
	// disconnect fault, or a connection that ended (its context done)
	// while a delay fault held its login.
	ReasonDisconnect Reason = "disconnect"
)

// Verdict is the gate's answer to a Login (and a Rule's, which leaves User
// to the gate).
type Verdict struct {
	OK bool
	// Reason says why the login was refused.
	Reason Reason
	// User is the mailbox the login opens, when OK (set by the gate).
	User string
	// Client is the OAuth client the token was issued to, if known.
	Client string
	// TokenUser is the user the token was issued to, if known (a rule
	// sets it once the token resolved, refused or not).
	TokenUser string
	// Detail says, for a refusal, what was expected and what was found
	// (the audit log's Event.Detail): never a token nor a secret.
	Detail string
	// Challenge is the JSON the provider sends in its SASL error challenge
	// before failing (Gmail, GM-03); nil when it fails at once (Exchange).
	Challenge []byte
	// SendAs, if set, reports whether the login may send mail with that
	// MAIL FROM address (Exchange's SendAs, EX-12); nil: any.
	SendAs func(from string) bool
	// Throttled says a throttled fault was armed for the login: the
	// session it opens gets the personality's throttling replies.
	Throttled bool
}

// Outcome is the audit log's word for v: "ok" or "refused".
func (v Verdict) Outcome() string {
	if v.OK {
		return "ok"
	}
	return "refused"
}

// Rule decides whether a bearer token opens a mailbox: a provider's mail
// rule. ctx is the connection's: done once the client or the server is
// gone.
type Rule interface {
	CheckMail(ctx context.Context, l Login) Verdict
}

// PasswordRule is a Rule that also names why a password is refused, when
// the provider's answer depends on the account (its tenant's settings):
// Gate.Authenticate asks it for every password login, and a "" reason
// keeps ReasonBasicAuth.
type PasswordRule interface {
	RefusePassword(ctx context.Context, l Login) (Reason, string)
}

// Answer is a protocol session's reply to the gate's Verdict: the error its
// library writes (an *smtp.SMTPError, an *imap.Error...), or nil for the
// library's own success line. On OK it binds the session to v.User; on
// ReasonDisconnect it closes the connection and returns ErrHungUp.
type Answer func(v Verdict) error
