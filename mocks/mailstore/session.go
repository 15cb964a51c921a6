package mailstore

import (
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

type (
	user = User
	view = folderView
)

// Session is an IMAP session over a user's mailboxes: every method of
// imapserver.Session but Login, which the embedding server's session
// provides.
type Session struct {
	*user // immutable
	*view // may be nil
}

// NewSession returns a session over user's mailboxes.
func NewSession(user *User) *Session {
	return &Session{user: user}
}

// Close implements imapserver.Session.
func (sess *Session) Close() error {
	if sess != nil && sess.view != nil {
		sess.view.Close()
	}
	return nil
}

// Select implements imapserver.Session.
func (sess *Session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	mbox, err := sess.user.mailbox(name)
	if err != nil {
		return nil, err
	}
	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()
	sess.view = mbox.newView()
	return mbox.selectDataLocked(), nil
}

// Unselect implements imapserver.Session.
func (sess *Session) Unselect() error {
	sess.view.Close()
	sess.view = nil
	return nil
}

// Copy implements imapserver.Session.
func (sess *Session) Copy(numSet imap.NumSet, destName string) (*imap.CopyData, error) {
	dest, err := sess.user.mailbox(destName)
	if err != nil {
		return nil, &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Code: imap.ResponseCodeTryCreate,
			Text: "No such mailbox",
		}
	} else if sess.view != nil && dest == sess.view.folder {
		return nil, &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Text: "Source and destination mailboxes are identical",
		}
	}

	// All or nothing (RFC 9051 §6.4.7): each copy is charged to the
	// quota first.
	var msgs []*message
	sess.view.forEach(numSet, func(_ uint32, msg *message) { msgs = append(msgs, msg) })
	for i, msg := range msgs {
		if err := sess.user.ledger.admit(msg.body, 0, sess.user); err != nil {
			for _, charged := range msgs[:i] {
				sess.user.ledger.release(sess.user, charged.body)
			}
			return nil, err
		}
	}
	var sourceUIDs, destUIDs imap.UIDSet
	for _, msg := range msgs {
		appendData := dest.copyMsg(msg)
		sourceUIDs.AddNum(msg.uid)
		destUIDs.AddNum(appendData.UID)
	}

	return &imap.CopyData{
		UIDValidity: dest.uidValidity,
		SourceUIDs:  sourceUIDs,
		DestUIDs:    destUIDs,
	}, nil
}

// Move implements imapserver.Session.
func (sess *Session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, destName string) error {
	dest, err := sess.user.mailbox(destName)
	if err != nil {
		return &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Code: imap.ResponseCodeTryCreate,
			Text: "No such mailbox",
		}
	} else if sess.view != nil && dest == sess.view.folder {
		return &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Text: "Source and destination mailboxes are identical",
		}
	}

	sess.view.mutex.Lock()
	defer sess.view.mutex.Unlock()

	var sourceUIDs, destUIDs imap.UIDSet
	expunged := make(map[*message]struct{})
	sess.view.forEachLocked(numSet, func(seqNum uint32, msg *message) {
		appendData := dest.copyMsg(msg)
		sourceUIDs.AddNum(msg.uid)
		destUIDs.AddNum(appendData.UID)
		expunged[msg] = struct{}{}
	})
	seqNums := sess.view.expungeLocked(expunged, false) // the copies keep the quota's bytes

	err = w.WriteCopyData(&imap.CopyData{
		UIDValidity: dest.uidValidity,
		SourceUIDs:  sourceUIDs,
		DestUIDs:    destUIDs,
	})
	if err != nil {
		return err
	}

	for _, seqNum := range seqNums {
		if err := w.WriteExpunge(sess.view.tracker.EncodeSeqNum(seqNum)); err != nil {
			return err
		}
	}

	return nil
}

// Poll implements imapserver.Session.
func (sess *Session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if sess.view == nil {
		return nil
	}
	return sess.view.Poll(w, allowExpunge)
}

// Idle implements imapserver.Session.
func (sess *Session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if sess.view == nil {
		<-stop // nothing selected: nothing to report until DONE
		return nil
	}
	return sess.view.Idle(w, stop)
}
