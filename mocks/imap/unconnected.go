package imap

import (
	"slices"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/mailconn"
)

// A session is unconnected when AUTHENTICATE succeeded for a refusal the
// personality lists in Unconnected (Exchange's reply B, EX-08): it opens
// no mailbox (Session nil). CAPABILITY, NOOP and LOGOUT work; the first
// mailbox command gets NotConnected, the next NotConnected and the BYE
// Hangup, and the connection is closed. A command of the selected state
// (EXPUNGE, FETCH), which go-imap refuses for the state, counts as a
// mailbox command (Server.wrongState).
//
// A session is throttled when a throttled fault was armed for its login
// (Verdict.Throttled): its first mailbox command or FETCH gets Throttled,
// the next ThrottledBye and the BYE Hangup, and the connection is closed
// (EX-09).

// unconnected reports whether the verdict v opens an unconnected session.
func (ss *session) unconnected(v mailauth.Verdict) bool {
	return !v.OK && slices.Contains(ss.s.cfg.Personality.Unconnected, v.Reason)
}

// The defaults of a personality without throttling replies or a hangup
// text.
var (
	tooBusy    = mailauth.IMAPReply{Type: "NO", Code: "UNAVAILABLE", Text: "Too busy, try again later"}
	tooBusyBad = mailauth.IMAPReply{Type: "BAD", Code: "UNAVAILABLE", Text: "Too busy, try again later"}
)

const closing = "Connection closed"

// blocked is the reply to a mailbox command of an unconnected or a
// throttled session, nil for one that goes on; from the second such
// reply, the connection is closed after it.
func (ss *session) blocked() error {
	if ss.Session != nil && !ss.throttled {
		return nil
	}
	p := ss.s.cfg.Personality
	ss.strikes++
	first, second := p.NotConnected, p.NotConnected
	if ss.Session != nil {
		first, second = p.Throttled, p.ThrottledBye
		if first.Type == "" {
			first, second = tooBusy, tooBusyBad
		}
	}
	if ss.strikes == 1 {
		return reply(first, ss.conn.ID, ss.conn.IP)
	}
	ss.conn.CloseAfter(ss.hangup())
	return reply(second, ss.conn.ID, ss.conn.IP)
}

// hangup is the BYE line (without CRLF) an unconnected or throttled
// session is closed with.
func (ss *session) hangup() string {
	hangup := ss.s.cfg.Personality.Hangup
	if hangup == "" {
		hangup = closing
	}
	return "* BYE " + mailauth.Expand(hangup, ss.conn.ID, ss.conn.IP)
}

// wrongState is the reply, in place of go-imap's wrong-state BAD, to a
// command of the selected state on the unconnected session of conn
// (EXPUNGE after the refused SELECT: "SELECT, EXPUNGE, BYE",
// simonrob/email-oauth2-proxy#74, EX-08): a mailbox command like any
// other, NotConnected, then NotConnected and the BYE, the connection
// closed after it. Called from the connection's rewriter, with its lock
// held; false for any other session.
func (s *Server) wrongState(conn *mailconn.Conn, tag []byte) ([]byte, bool) {
	v, ok := s.notConnected.Load(conn.ID)
	if !ok {
		return nil, false
	}
	ss := v.(*session)
	ss.strikes++
	out := []byte(string(tag) + " " + imapStatus(s.cfg.Personality.NotConnected, conn) + "\r\n")
	if ss.strikes > 1 {
		out = append(out, ss.hangup()+"\r\n"...)
		conn.HangUpAfterRewrite()
	}
	return out, true
}

// Select implements imapserver.Session.
func (ss *session) Select(mailbox string, options *goimap.SelectOptions) (*goimap.SelectData, error) {
	if err := ss.blocked(); err != nil {
		return nil, err
	}
	return ss.Session.Select(mailbox, options)
}

// Create implements imapserver.Session.
func (ss *session) Create(mailbox string, options *goimap.CreateOptions) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.Create(mailbox, options)
}

// Delete implements imapserver.Session.
func (ss *session) Delete(mailbox string) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.Delete(mailbox)
}

// Rename implements imapserver.Session.
func (ss *session) Rename(mailbox, newName string, options *goimap.RenameOptions) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.Rename(mailbox, newName, options)
}

// Subscribe implements imapserver.Session.
func (ss *session) Subscribe(mailbox string) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.Subscribe(mailbox)
}

// Unsubscribe implements imapserver.Session.
func (ss *session) Unsubscribe(mailbox string) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.Unsubscribe(mailbox)
}

// List implements imapserver.Session.
func (ss *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *goimap.ListOptions) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.List(w, ref, patterns, options)
}

// Status implements imapserver.Session.
func (ss *session) Status(mailbox string, options *goimap.StatusOptions) (*goimap.StatusData, error) {
	if err := ss.blocked(); err != nil {
		return nil, err
	}
	return ss.Session.Status(mailbox, options)
}

// Append implements imapserver.Session.
func (ss *session) Append(mailbox string, r goimap.LiteralReader, options *goimap.AppendOptions) (*goimap.AppendData, error) {
	if err := ss.blocked(); err != nil {
		return nil, err
	}
	return ss.Session.Append(mailbox, r, options)
}

// Namespace implements imapserver.SessionNamespace.
func (ss *session) Namespace() (*goimap.NamespaceData, error) {
	if err := ss.blocked(); err != nil {
		return nil, err
	}
	return ss.Session.Namespace()
}

// Fetch implements imapserver.Session.
func (ss *session) Fetch(w *imapserver.FetchWriter, numSet goimap.NumSet, options *goimap.FetchOptions) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.Fetch(w, numSet, options)
}

// Poll implements imapserver.Session: an unconnected session has no
// updates.
func (ss *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if ss.Session == nil {
		return nil
	}
	return ss.Session.Poll(w, allowExpunge)
}

// Idle implements imapserver.Session.
func (ss *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := ss.blocked(); err != nil {
		return err
	}
	return ss.Session.Idle(w, stop)
}
