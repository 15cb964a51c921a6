package imap

import (
	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	gosasl "github.com/emersion/go-sasl"
	"github.com/mailoauth/mailoauth/mocks/mailstore"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// session is one IMAP connection. Until authentication it only answers
// LOGIN and AUTHENTICATE; afterwards go-imap's in-memory session over the
// user's mailbox in the world does the rest, unless the session is
// unconnected (Session nil: unconnected.go).
type session struct {
	*mailstore.Session // nil until authenticated

	s    *Server
	conn *mailconn.Conn
	// throttled says the login was throttled; strikes counts the mailbox
	// commands an unconnected or throttled session was refused
	// (unconnected.go).
	throttled bool
	strikes   int
}

var (
	_ imapserver.SessionSASL        = (*session)(nil)
	_ imapserver.SessionAppendLimit = (*session)(nil)
)

// AppendLimit implements imapserver.SessionAppendLimit: the provider's
// message size (Config.MaxMessageBytes).
func (ss *session) AppendLimit() uint32 { return uint32(ss.s.cfg.MaxMessageBytes) }

// Close implements imapserver.Session.
func (ss *session) Close() error {
	if ss.Session == nil {
		ss.s.notConnected.Delete(ss.conn.ID)
		return nil
	}
	return ss.Session.Close()
}

// Login implements imapserver.Session: passwords are refused, as the
// providers refuse basic authentication.
func (ss *session) Login(username, _ string) error {
	return ss.answer(ss.s.gate.Authenticate(ss.conn.Context(), mailauth.Login{Mechanism: "LOGIN", User: username}))
}

// AuthenticateMechanisms implements imapserver.SessionSASL.
func (ss *session) AuthenticateMechanisms() []string {
	return ss.s.cfg.Personality.Mechanisms
}

// Authenticate implements imapserver.SessionSASL: the gate decides, the
// personality's lines answer.
func (ss *session) Authenticate(mech string) (gosasl.Server, error) {
	if !mailauth.Offers(ss.s.cfg.Personality.Mechanisms, mech) {
		return nil, &goimap.Error{Type: goimap.StatusResponseTypeNo, Text: "Unsupported authentication mechanism"}
	}
	return ss.s.gate.SASL(ss.conn.Context(), mech, ss.answer), nil
}

// answer is the personality's reply to the gate's verdict; a login it
// accepts binds the session to the user's mailbox in the world.
func (ss *session) answer(v mailauth.Verdict) error {
	switch {
	case v.Reason == mailauth.ReasonDisconnect:
		_ = ss.conn.Close()
		return mailauth.ErrHungUp
	case ss.unconnected(v):
		// Accepted, and opens nothing (EX-08's reply B).
		ss.s.notConnected.Store(ss.conn.ID, ss)
		return nil
	case !v.OK:
		return reply(ss.s.cfg.Personality.Refusal(v.Reason), ss.conn.ID, ss.conn.IP)
	}
	ss.Session = mailstore.NewSession(ss.s.cfg.World.Mailbox(v.User))
	ss.throttled = v.Throttled
	return nil
}
