// Package mailauth is where the mail servers meet the provider profiles: a
// mail login (a user name and a bearer token presented over SMTP, IMAP or
// POP), the provider's verdict on it, the reasons for a refusal, and the
// Gate that builds the SASL exchange, asks the provider's rule and records
// the outcome, so that each protocol server only turns outcomes into its
// own replies.
package mailauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gosasl "github.com/emersion/go-sasl"

	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/world"
)

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
	// ReasonBasicAuth is a password (LOGIN, PLAIN): basic authentication
	// is gone at every provider.
	ReasonBasicAuth Reason = "basic_auth"
	// ReasonMechanism is an advertised mechanism that is not a bearer
	// token nor a password (PLAIN-CLIENTTOKEN, XOAUTH).
	ReasonMechanism Reason = "mechanism"
	// ReasonUnavailable and ReasonServerError are faults armed through
	// the world (world.ArmFault): "try again later", an internal error.
	ReasonUnavailable Reason = "unavailable"
	ReasonServerError Reason = "server_error"
)

// Verdict is the provider's answer to a Login.
type Verdict struct {
	OK bool
	// Reason says why the login was refused.
	Reason Reason
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

// Gate is a mail server's door: one per server, for one provider and
// protocol.
type Gate struct {
	// Provider is the provider's key in the world; Protocol is "smtp",
	// "imap" or "pop3".
	Provider, Protocol string
	World              *world.World
	Rule               Rule
}

// Replies are a protocol server's answers to the gate's outcomes: its own
// error values (an *smtp.SMTPError, an *imap.Error...).
type Replies struct {
	// Refused answers a refusal for a reason.
	Refused func(Reason) error
	// Malformed returns the answer to a SASL message that does not parse.
	Malformed func() error
	// Accepted binds the connection to the user's mailbox; a non-nil
	// error ends the exchange with it (a provider's success line the
	// library would not write).
	Accepted func(user string) error
	// Hangup closes the connection without a reply (a disconnect fault).
	Hangup func()
}

// errHungUp ends an exchange whose connection a fault closed.
var errHungUp = errors.New("mailauth: the connection was closed by a fault")

// fault applies the fault armed at the gate's server, if any: it waits
// out a delay and reports nil, or returns the error that ends the
// exchange.
func (g Gate) fault(r Replies) error {
	f, ok := g.World.TakeFault(g.Provider, g.Protocol)
	if !ok {
		return nil
	}
	switch f.Kind {
	case world.FaultDelay:
		time.Sleep(f.Delay())
		return nil
	case world.FaultDisconnect:
		if r.Hangup != nil {
			r.Hangup()
		}
		return errHungUp
	case world.FaultUnavailable:
		return r.Refused(ReasonUnavailable)
	}
	return r.Refused(ReasonServerError)
}

// Offers reports whether mech is one of mechanisms (case-insensitive).
func Offers(mechanisms []string, mech string) bool {
	return slices.ContainsFunc(mechanisms, func(m string) bool { return strings.EqualFold(m, mech) })
}

// Server returns the SASL server of mech: bearer tokens go to the rule,
// passwords and other mechanisms are refused, and every attempt is
// recorded in the world's audit log.
func (g Gate) Server(mech string, r Replies) gosasl.Server {
	return sasl.Offer{
		Token: func(mech string, c sasl.Credentials) sasl.Verdict {
			if err := g.fault(r); err != nil {
				return sasl.Verdict{Err: err}
			}
			v := g.Rule.CheckMail(context.Background(), Login{Protocol: g.Protocol, Mechanism: mech, User: c.User, Token: c.Token})
			g.record(mech, c.User, v)
			if !v.OK {
				return sasl.Verdict{Err: r.Refused(v.Reason), Challenge: v.Challenge}
			}
			return sasl.Verdict{Err: r.Accepted(c.User)}
		},
		Malformed: r.Malformed,
		Password: func(mech, user string) error {
			if err := g.fault(r); err != nil {
				return err
			}
			g.record(mech, user, Verdict{Reason: ReasonBasicAuth})
			return r.Refused(ReasonBasicAuth)
		},
		Other: func() error { return r.Refused(ReasonMechanism) },
	}.Server(mech)
}

// RefuseLogin records a password login (IMAP LOGIN, POP3 USER/PASS) and
// returns the protocol's refusal.
func (g Gate) RefuseLogin(command, user string, r Replies) error {
	g.record(command, user, Verdict{Reason: ReasonBasicAuth})
	return r.Refused(ReasonBasicAuth)
}

func (g Gate) record(mech, user string, v Verdict) {
	g.World.Record(world.Event{Provider: g.Provider, Protocol: g.Protocol, Mechanism: mech,
		User: user, Client: v.Client, Outcome: v.Outcome(), Reason: string(v.Reason)})
}

// PanicLog is the mail libraries' error log: a panic they recovered from
// while serving a connection goes into the world's audit log (outcome
// "panic", its first line as the reason), where tests see it; the rest is
// dropped, for the events already say what happened.
type PanicLog struct {
	World    *world.World
	Provider string
	Protocol string
}

// Printf implements the libraries' logger interfaces.
func (l PanicLog) Printf(format string, args ...any) { l.record(fmt.Sprintf(format, args...)) }

// Println implements go-smtp's logger interface.
func (l PanicLog) Println(args ...any) { l.record(fmt.Sprintln(args...)) }

func (l PanicLog) record(msg string) {
	if !strings.HasPrefix(msg, "panic") || l.World == nil {
		return
	}
	first, _, _ := strings.Cut(msg, "\n")
	l.World.Record(world.Event{Provider: l.Provider, Protocol: l.Protocol, Mechanism: "server", Outcome: "panic", Reason: first})
}
