package smtp

import (
	"context"
	"io"
	"slices"
	"strings"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// session is one SMTP connection.
type session struct {
	s      *Server
	conn   *gosmtp.Conn
	id, ip string
	user   string // the authenticated mailbox
	from   string
	to     []string
}

// AuthMechanisms implements gosmtp.AuthSession: the personality's list.
func (ss *session) AuthMechanisms() []string {
	return ss.s.cfg.Personality.Mechanisms
}

// Auth implements gosmtp.AuthSession.
func (ss *session) Auth(mech string) (gosasl.Server, error) {
	p := ss.s.cfg.Personality
	mech = strings.ToUpper(mech)
	if ss.user != "" {
		// The session, not go-smtp, knows it is authenticated (see authenticate).
		return nil, &gosmtp.SMTPError{Code: 503, EnhancedCode: gosmtp.EnhancedCode{5, 5, 1}, Message: "Already authenticated"}
	}
	if !slices.ContainsFunc(p.Mechanisms, func(m string) bool { return strings.EqualFold(m, mech) }) {
		// RFC 4954 §4: a mechanism the server does not support.
		return nil, &gosmtp.SMTPError{Code: 504, EnhancedCode: gosmtp.EnhancedCode{5, 5, 4}, Message: "Unrecognized authentication type"}
	}
	return sasl.Offer{
		Token:     ss.authenticate,
		Malformed: reply(p.Malformed, ss.id, ss.ip),
		Password: func(mech, user string) error {
			ss.record(mech, user, mailauth.Verdict{Reason: "basic_auth"})
			return reply(p.BasicAuthRefused, ss.id, ss.ip)
		},
		Other: reply(p.AuthFailed, ss.id, ss.ip),
	}.Server(mech), nil
}

// authenticate asks the provider's mail rule about the token.
func (ss *session) authenticate(mech string, c sasl.Credentials) sasl.Verdict {
	v := ss.s.cfg.Rule.CheckMail(context.Background(), mailauth.Login{Protocol: "smtp", Mechanism: mech, User: c.User, Token: c.Token})
	ss.record(mech, c.User, v)
	if !v.OK {
		return sasl.Verdict{Err: reply(ss.s.cfg.Personality.AuthFailed, ss.id, ss.ip), Challenge: v.Challenge}
	}
	ss.user = c.User
	if p := ss.s.cfg.Personality.AuthSucceeded; p.Code != 0 {
		// go-smtp would write its own "235 2.0.0 Authentication succeeded".
		// To send the provider's success line, the exchange ends with that
		// 235 reply as its result (go-smtp writes a result as it is); the
		// session's user is what marks the session authenticated.
		return sasl.Verdict{Err: reply(p, ss.id, ss.ip)}
	}
	return sasl.Verdict{}
}

func (ss *session) record(mech, user string, v mailauth.Verdict) {
	ss.s.cfg.World.Record(world.Event{Provider: ss.s.cfg.Provider, Protocol: "smtp", Mechanism: mech,
		User: user, Client: v.Client, Outcome: v.Outcome(), Reason: v.Reason})
}

// Mail implements gosmtp.Session: only after AUTH (RFC 4954 §6).
func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.user == "" {
		return reply(ss.s.cfg.Personality.AuthRequired, ss.id, ss.ip)
	}
	ss.from = from
	return nil
}

// Rcpt implements gosmtp.Session.
func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if ss.user == "" {
		return reply(ss.s.cfg.Personality.AuthRequired, ss.id, ss.ip)
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data implements gosmtp.Session: the message goes into every recipient's
// mailbox in the world.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp answers 552 when the message is too large
	}
	return ss.s.cfg.World.Deliver(ss.from, ss.to, raw)
}

// Reset implements gosmtp.Session.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout implements gosmtp.Session.
func (ss *session) Logout() error { return nil }
