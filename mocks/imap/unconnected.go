package imap

import (
	"slices"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// A session is unconnected when AUTHENTICATE succeeded for a refusal the
// personality lists in Unconnected (Exchange's reply B, EX-08): it opens
// no mailbox. CAPABILITY, NOOP and LOGOUT work; the first mailbox command
// gets NotConnected, the next NotConnected and the BYE Hangup, and the
// connection is closed. Only the authenticated state's commands are
// reached: with no SELECT, the selected state's are not.

// unconnected reports whether the verdict v opens an unconnected session.
func (ss *session) unconnected(v mailauth.Verdict) bool {
	return !v.OK && slices.Contains(ss.s.cfg.Personality.Unconnected, v.Reason)
}

// notConnected is the reply to a mailbox command on an unconnected
// session; from the second, the connection is closed after it.
func (ss *session) notConnected() error {
	p := ss.s.cfg.Personality
	ss.strikes++
	if ss.strikes > 1 {
		ss.conn.CloseAfter("* BYE " + mailauth.Expand(p.Hangup, ss.conn.ID, ss.conn.IP))
	}
	return reply(p.NotConnected, ss.conn.ID, ss.conn.IP)
}

// Select implements imapserver.Session.
func (ss *session) Select(mailbox string, options *goimap.SelectOptions) (*goimap.SelectData, error) {
	if ss.Session == nil {
		return nil, ss.notConnected()
	}
	return ss.Session.Select(mailbox, options)
}

// Create implements imapserver.Session.
func (ss *session) Create(mailbox string, options *goimap.CreateOptions) error {
	if ss.Session == nil {
		return ss.notConnected()
	}
	return ss.Session.Create(mailbox, options)
}

// Delete implements imapserver.Session.
func (ss *session) Delete(mailbox string) error {
	if ss.Session == nil {
		return ss.notConnected()
	}
	return ss.Session.Delete(mailbox)
}

// Rename implements imapserver.Session.
func (ss *session) Rename(mailbox, newName string, options *goimap.RenameOptions) error {
	if ss.Session == nil {
		return ss.notConnected()
	}
	return ss.Session.Rename(mailbox, newName, options)
}

// Subscribe implements imapserver.Session.
func (ss *session) Subscribe(mailbox string) error {
	if ss.Session == nil {
		return ss.notConnected()
	}
	return ss.Session.Subscribe(mailbox)
}

// Unsubscribe implements imapserver.Session.
func (ss *session) Unsubscribe(mailbox string) error {
	if ss.Session == nil {
		return ss.notConnected()
	}
	return ss.Session.Unsubscribe(mailbox)
}

// List implements imapserver.Session.
func (ss *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *goimap.ListOptions) error {
	if ss.Session == nil {
		return ss.notConnected()
	}
	return ss.Session.List(w, ref, patterns, options)
}

// Status implements imapserver.Session.
func (ss *session) Status(mailbox string, options *goimap.StatusOptions) (*goimap.StatusData, error) {
	if ss.Session == nil {
		return nil, ss.notConnected()
	}
	return ss.Session.Status(mailbox, options)
}

// Append implements imapserver.Session.
func (ss *session) Append(mailbox string, r goimap.LiteralReader, options *goimap.AppendOptions) (*goimap.AppendData, error) {
	if ss.Session == nil {
		return nil, ss.notConnected()
	}
	return ss.Session.Append(mailbox, r, options)
}

// Namespace implements imapserver.SessionNamespace.
func (ss *session) Namespace() (*goimap.NamespaceData, error) {
	if ss.Session == nil {
		return nil, ss.notConnected()
	}
	return ss.Session.Namespace()
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
	if ss.Session == nil {
		return ss.notConnected()
	}
	return ss.Session.Idle(w, stop)
}
