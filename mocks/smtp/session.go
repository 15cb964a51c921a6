package smtp

import (
	"errors"
	"io"
	"strings"

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
	// sendAs is the login's Verdict.SendAs; joined says the session is
	// counted in the server's sessions of user.
	sendAs func(from string) bool
	joined bool
	// throttled says the login was throttled: its first message gets
	// SenderThrottled.
	throttled bool
	from      string
	to        []string
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
	ss.user, ss.sendAs, ss.throttled = v.User, v.SendAs, v.Throttled
	ss.s.join(v.User)
	ss.joined = true
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
//
// Before it is stored, the message meets the login's SendAs (a MAIL FROM
// it may not send as gets SendAsDenied, EX-12) and the sessions bound
// (SenderThrottled); once stored, the personality's Queued reply goes as
// the result, as AUTH's success line does.
func (ss *session) Data(r io.Reader) error {
	p := &ss.s.cfg.Personality
	if ss.sendAs != nil && p.SendAsDenied.Code != 0 && !strings.EqualFold(ss.from, ss.user) && !ss.sendAs(ss.from) {
		denied := p.SendAsDenied
		denied.Text = strings.NewReplacer("{user}", ss.user, "{from}", ss.from).Replace(denied.Text)
		return reply(denied, ss.conn.ID, ss.conn.IP)
	}
	if ss.throttled || p.MaxSessionsPerMailbox > 0 && ss.s.open(ss.user) > p.MaxSessionsPerMailbox {
		ss.throttled = false
		throttled := p.SenderThrottled
		if throttled.Code == 0 {
			throttled = tooBusy
		}
		return reply(throttled, ss.conn.ID, ss.conn.IP)
	}
	head := &headWriter{}
	tap := &headerTap{r: io.TeeReader(r, head)}
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
	if p.Queued.Code == 0 {
		return nil
	}
	id := messageID(head.b)
	if id == "" {
		// No Message-ID: the server makes one, as Exchange does [INF].
		id = "<" + ss.conn.ID + "@" + p.Domain + ">"
	}
	queued := p.Queued
	queued.Text = strings.ReplaceAll(queued.Text, "{msgid}", id)
	return reply(queued, ss.conn.ID, ss.conn.IP)
}

// Reset implements gosmtp.Session.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout implements gosmtp.Session: the session no longer counts.
func (ss *session) Logout() error {
	if ss.joined {
		ss.joined = false
		ss.s.leave(ss.user)
	}
	return nil
}

// maxHead bounds what headWriter keeps of a message.
const maxHead = 16 << 10

// headWriter keeps the start of a message, where its header is.
type headWriter struct{ b []byte }

// Write implements io.Writer.
func (h *headWriter) Write(p []byte) (int, error) {
	if room := maxHead - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// messageID is the Message-ID field of the header at the start of msg
// (RFC 5322 §3.6.4), "" if it has none there.
func messageID(msg []byte) string {
	for _, line := range strings.Split(string(msg), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			break
		}
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Message-ID") {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// storeFull is the reply when the store has no room for a message or a
// recipient's mailbox: RFC 5321 §4.5.3.1.10, RFC 3463 4.3.1.
var storeFull = &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1}, Message: "Insufficient system storage"}

// tooBusy is the reply to a throttled message for a personality without
// one of its own: RFC 3463's 4.3.2, system not accepting messages.
var tooBusy = mailauth.SMTPReply{Code: 451, Enhanced: [3]int{4, 3, 2}, Text: "Too busy, try again later"}
