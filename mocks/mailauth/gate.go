package mailauth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Gate is a mail server's door: one per server, for one provider and
// protocol.
type Gate struct {
	// Provider is the provider's key in the world; Protocol is "smtp",
	// "imap" or "pop3".
	Provider, Protocol string
	World              *world.World
	Rule               Rule
	point              world.FaultPoint
}

// NewGate is the gate of provider's server of protocol: it declares the
// server's fault point (provider.protocol) in w.
func NewGate(provider, protocol string, w *world.World, rule Rule) Gate {
	g := Gate{Provider: provider, Protocol: protocol, World: w, Rule: rule}
	if w != nil {
		g.point = w.DeclareFault(provider, protocol)
	}
	return g
}

// ErrHungUp is what an Answer returns after closing its connection on
// ReasonDisconnect: the library's exchange ends with it, and nothing
// reaches the client.
var ErrHungUp = errors.New("mailauth: the connection was closed by a fault")

// Authenticate decides on l, whose Protocol is the gate's. A bearer token
// (XOAUTH2, OAUTHBEARER) and a password (PLAIN, LOGIN, UserPass) first
// meet the fault armed at the gate's server, if any: a delay waits (until
// ctx is done: then ReasonDisconnect), the others refuse with their reason
// and no event. Then a token goes to the Rule, and a password is refused
// with ReasonBasicAuth (or the reason a PasswordRule names), and the
// outcome is recorded in the world's audit log. Any other mechanism is
// refused with ReasonMechanism, unrecorded.
func (g Gate) Authenticate(ctx context.Context, l Login) Verdict {
	l.Protocol = g.Protocol
	bearer := l.Mechanism == sasl.XOAUTH2 || l.Mechanism == sasl.OAuthBearer
	if !bearer && !slices.Contains(passwords, l.Mechanism) {
		return Verdict{Reason: ReasonMechanism}
	}
	fv, faulted := g.fault(ctx)
	if faulted {
		return fv
	}
	v := Verdict{Reason: ReasonBasicAuth, Detail: l.Mechanism + " sends a password; only a bearer token (XOAUTH2, OAUTHBEARER) is accepted"}
	if pr, ok := g.Rule.(PasswordRule); ok && !bearer {
		if reason, detail := pr.RefusePassword(ctx, l); reason != "" {
			v.Reason, v.Detail = reason, detail
		}
	}
	if bearer {
		v = g.Rule.CheckMail(ctx, l)
	}
	if v.OK {
		v.User, v.Reason, v.Challenge, v.Detail, v.Throttled = l.User, "", nil, "", fv.Throttled
	}
	g.record(ctx, l, v)
	return v
}

// record writes the outcome v of l to the audit log, with what the
// client sent and what its token turned out to be (Event.Seen: sasl_user,
// token_user, token_client, transport), never the token.
func (g Gate) record(ctx context.Context, l Login, v Verdict) {
	seen := map[string]string{}
	if v.Reason != ReasonMalformed {
		// The user= sent, even empty; a message that did not parse has none.
		seen["sasl_user"] = l.User
	}
	if v.TokenUser != "" {
		seen["token_user"] = v.TokenUser
	}
	if v.Client != "" {
		seen["token_client"] = v.Client
	}
	if t := mailconn.Transport(ctx); t != "" {
		seen["transport"] = t
	}
	g.World.Record(world.Event{Provider: g.Provider, Protocol: g.Protocol, Mechanism: l.Mechanism,
		User: l.User, Client: v.Client, Outcome: v.Outcome(), Reason: string(v.Reason), Detail: v.Detail, Seen: seen})
}

// passwords are the mechanisms of a password, always refused.
var passwords = []string{"PLAIN", "LOGIN", UserPass}

// fault takes the fault armed at the gate's server, if any, and reports
// whether it decides the login, with the verdict it makes: a delay waits
// on a timer or ctx, and decides only if ctx ended first; a throttled
// fault decides nothing and marks the verdict Throttled.
func (g Gate) fault(ctx context.Context) (Verdict, bool) {
	f, ok := g.World.TakeFault(g.point)
	if !ok {
		return Verdict{}, false
	}
	switch f.Kind {
	case world.FaultDelay:
		t := time.NewTimer(f.Delay())
		defer t.Stop()
		select {
		case <-t.C:
			return Verdict{}, false
		case <-ctx.Done():
			return Verdict{Reason: ReasonDisconnect}, true
		}
	case world.FaultDisconnect:
		return Verdict{Reason: ReasonDisconnect}, true
	case world.FaultUnavailable:
		return Verdict{Reason: ReasonUnavailable}, true
	case world.FaultThrottled:
		// The login goes on; the session is throttled afterwards.
		return Verdict{Throttled: true}, false
	}
	return Verdict{Reason: ReasonServerError}, true
}

// Offers reports whether mech is one of mechanisms (case-insensitive).
func Offers(mechanisms []string, mech string) bool {
	return slices.ContainsFunc(mechanisms, func(m string) bool { return strings.EqualFold(m, mech) })
}
