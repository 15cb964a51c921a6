package imap

import (
	"context"
	"slices"
	"strings"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	gosasl "github.com/emersion/go-sasl"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// session is one IMAP connection. Until authentication it only answers
// LOGIN and AUTHENTICATE; afterwards go-imap's in-memory session over the
// user's mailbox in the world does the rest.
type session struct {
	*imapmemserver.UserSession // nil until authenticated

	s      *Server
	conn   *imapserver.Conn
	id, ip string
}

var _ imapserver.SessionSASL = (*session)(nil)

// Close implements imapserver.Session.
func (ss *session) Close() error {
	if ss.UserSession == nil {
		return nil
	}
	return ss.UserSession.Close()
}

// Login implements imapserver.Session: passwords are refused, as the
// providers refuse basic authentication.
func (ss *session) Login(username, _ string) error {
	ss.record("LOGIN", username, mailauth.Verdict{Reason: "basic_auth"})
	return reply(ss.s.cfg.Personality.LoginRefused, ss.id, ss.ip)
}

// AuthenticateMechanisms implements imapserver.SessionSASL.
func (ss *session) AuthenticateMechanisms() []string {
	return ss.s.cfg.Personality.Mechanisms
}

// Authenticate implements imapserver.SessionSASL.
func (ss *session) Authenticate(mech string) (gosasl.Server, error) {
	p := ss.s.cfg.Personality
	if !slices.ContainsFunc(p.Mechanisms, func(m string) bool { return strings.EqualFold(m, mech) }) {
		return nil, &goimap.Error{Type: goimap.StatusResponseTypeNo, Text: "Unsupported authentication mechanism"}
	}
	return sasl.Offer{
		Token:     ss.authenticate,
		Malformed: reply(p.Malformed, ss.id, ss.ip),
		Password: func(mech, user string) error {
			ss.record(mech, user, mailauth.Verdict{Reason: "basic_auth"})
			return reply(p.LoginRefused, ss.id, ss.ip)
		},
		Other: reply(p.AuthFailed, ss.id, ss.ip),
	}.Server(mech), nil
}

// authenticate asks the provider's mail rule about the token and, if it
// opens the mailbox, binds the session to it.
func (ss *session) authenticate(mech string, c sasl.Credentials) sasl.Verdict {
	v := ss.s.cfg.Rule.CheckMail(context.Background(), mailauth.Login{Protocol: "imap", Mechanism: mech, User: c.User, Token: c.Token})
	ss.record(mech, c.User, v)
	if !v.OK {
		return sasl.Verdict{Err: reply(ss.s.cfg.Personality.AuthFailed, ss.id, ss.ip), Challenge: v.Challenge}
	}
	ss.UserSession = imapmemserver.NewUserSession(ss.s.cfg.World.Mailbox(c.User))
	return sasl.Verdict{}
}

func (ss *session) record(mech, user string, v mailauth.Verdict) {
	ss.s.cfg.World.Record(world.Event{Provider: ss.s.cfg.Provider, Protocol: "imap", Mechanism: mech,
		User: user, Client: v.Client, Outcome: v.Outcome(), Reason: v.Reason})
}
