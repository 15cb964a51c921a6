package smtp

import (
	"errors"
	"io"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// session is one SMTP connection.
type session struct {
	s    *Server
	c    *gosmtp.Conn
	conn *mailconn.Conn
	user string // the authenticated mailbox
	from string
	to   []string
}

// AuthMechanisms implements gosmtp.AuthSession: the personality's list.
func (ss *session) AuthMechanisms() []string {
	return ss.s.cfg.Personality.Mechanisms
}

// Auth implements gosmtp.AuthSession: the gate decides, the
// personality's lines answer.
func (ss *session) Auth(mech string) (gosasl.Server, error) {
	p := ss.s.cfg.Personality
	if ss.user != "" {
		// The session, not go-smtp, knows it is authenticated (see answer).
		return nil, &gosmtp.SMTPError{Code: 503, EnhancedCode: gosmtp.EnhancedCode{5, 5, 1}, Message: "Already authenticated"}
	}
	if !mailauth.Offers(p.Mechanisms, mech) {
		// RFC 4954 §4: a mechanism the server does not support.
		if p.UnknownMechanism.Code != 0 {
			return nil, reply(p.UnknownMechanism, ss.conn.ID, ss.conn.IP)
		}
		return nil, &gosmtp.SMTPError{Code: 504, EnhancedCode: gosmtp.EnhancedCode{5, 5, 4}, Message: "Unrecognized authentication type"}
	}
	return ss.s.gate.SASL(ss.conn.Context(), mech, ss.answer), nil
}

// answer is the personality's reply to the gate's verdict. On success
// go-smtp would write its own "235 2.0.0 Authentication succeeded"; to
// send the provider's success line, the exchange ends with that 235 reply
// as its result (go-smtp writes a result as it is), and the session's
// user is what marks the session authenticated.
func (ss *session) answer(v mailauth.Verdict) error {
	p := ss.s.cfg.Personality
	switch {
	case v.Reason == mailauth.ReasonDisconnect:
		_ = ss.conn.Close()
		return mailauth.ErrHungUp
	case !v.OK:
		return reply(p.Refusal(v.Reason), ss.conn.ID, ss.conn.IP)
	}
	ss.user = v.User
	if p.AuthSucceeded.Code != 0 {
		return reply(p.AuthSucceeded, ss.conn.ID, ss.conn.IP)
	}
	return nil
}

// Mail implements gosmtp.Session: only after AUTH (RFC 4954 §6).
func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if tr := ss.s.cfg.Personality.TLSRequired; tr.Code != 0 && !mailconn.IsTLS(ss.c.Conn()) {
		return reply(tr, ss.conn.ID, ss.conn.IP)
	}
	if ss.user == "" {
		return reply(ss.s.cfg.Personality.AuthRequired, ss.conn.ID, ss.conn.IP)
	}
	ss.from = from
	return nil
}

// Rcpt implements gosmtp.Session.
func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if ss.user == "" {
		return reply(ss.s.cfg.Personality.AuthRequired, ss.conn.ID, ss.conn.IP)
	}
	switch err := ss.s.cfg.World.MailRoom(to); {
	case errors.Is(err, mailstore.ErrMailboxFull):
		// RFC 5321 §4.5.3.1.10, RFC 3463 4.2.2: mailbox full, try later.
		return &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full: " + to}
	case errors.Is(err, mailstore.ErrStoreFull):
		return storeFull
	}
	// A mailbox named again, in any case, is accepted and gets one copy:
	// Gmail and Exchange Online both deliver a message once per mailbox.
	for _, t := range ss.to {
		if mailstore.Key(t) == mailstore.Key(to) {
			return nil
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data implements gosmtp.Session: the message goes into every recipient's
// mailbox in the world, read as it arrives. go-smtp's reader ends at
// MaxMessageBytes with its 552 5.3.4 (RFC 5321 §4.5.3.1.7), returned as
// it is; on any error go-smtp reads the rest of DATA and drops it.
func (ss *session) Data(r io.Reader) error {
	tap := &headerTap{r: r}
	switch err := ss.s.cfg.World.Receive(ss.from, ss.to, tap); {
	case errors.Is(err, mailstore.ErrMailboxFull):
		// RFC 5321 §4.2.3: 552, exceeded storage allocation.
		return &gosmtp.SMTPError{Code: 552, EnhancedCode: gosmtp.EnhancedCode{5, 2, 2},
			Message: "Mailbox full: the message would exceed a recipient's quota"}
	case errors.Is(err, mailstore.ErrStoreFull):
		return storeFull
	case err != nil:
		return err
	}
	ss.recordMessage(tap.subject())
	return nil
}

// Reset implements gosmtp.Session.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout implements gosmtp.Session.
func (ss *session) Logout() error { return nil }

// storeFull is the reply when the store has no room for a message or a
// recipient's mailbox: RFC 5321 §4.5.3.1.10, RFC 3463 4.3.1.
var storeFull = &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1}, Message: "Insufficient system storage"}
