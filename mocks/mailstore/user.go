package mailstore

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

const mailboxDelim rune = '/'

// User is one address's mailboxes: INBOX from the start, others as IMAP
// clients create them.
type User struct {
	now    func() time.Time
	ledger *ledger // what the address holds, against its quota

	mutex           sync.Mutex
	mailboxes       map[string]*folder
	prevUidValidity uint32
}

// newUser returns an address's mailboxes with an INBOX, whose
// bookkeeping its caller charged (ledger.open).
func newUser(now func() time.Time, l *ledger) *User {
	u := &User{now: now, ledger: l, mailboxes: make(map[string]*folder)}
	u.prevUidValidity++
	u.mailboxes["INBOX"] = newFolder(u, "INBOX", u.prevUidValidity)
	return u
}

func (u *User) mailboxLocked(name string) (*folder, error) {
	mbox := u.mailboxes[name]
	if mbox == nil {
		return nil, &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Code: imap.ResponseCodeNonExistent,
			Text: "No such mailbox",
		}
	}
	return mbox, nil
}

func (u *User) mailbox(name string) (*folder, error) {
	u.mutex.Lock()
	defer u.mutex.Unlock()
	return u.mailboxLocked(name)
}

// Status implements imapserver.Session.
func (u *User) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	mbox, err := u.mailbox(name)
	if err != nil {
		return nil, err
	}
	return mbox.StatusData(options), nil
}

// List implements imapserver.Session.
func (u *User) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	u.mutex.Lock()
	defer u.mutex.Unlock()

	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{
			Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect},
			Delim: mailboxDelim,
		})
	}

	var l []imap.ListData
	for name, mbox := range u.mailboxes {
		match := false
		for _, pattern := range patterns {
			match = imapserver.MatchList(name, mailboxDelim, ref, pattern)
			if match {
				break
			}
		}
		if !match {
			continue
		}

		data := mbox.list(options)
		if data != nil {
			l = append(l, *data)
		}
	}

	sort.Slice(l, func(i, j int) bool {
		return l[i].Mailbox < l[j].Mailbox
	})

	for _, data := range l {
		if err := w.WriteList(&data); err != nil {
			return err
		}
	}

	return nil
}

// Append implements imapserver.Session.
func (u *User) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	mbox, err := u.mailbox(mailbox)
	if err != nil {
		return nil, &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Code: imap.ResponseCodeTryCreate,
			Text: "No such mailbox",
		}
	}
	return mbox.appendLiteral(r, options)
}

// Create implements imapserver.Session.
func (u *User) Create(name string, options *imap.CreateOptions) error {
	u.mutex.Lock()
	defer u.mutex.Unlock()

	name = strings.TrimRight(name, string(mailboxDelim))

	if u.mailboxes[name] != nil {
		return &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Code: imap.ResponseCodeAlreadyExists,
			Text: "folder already exists",
		}
	}

	if err := u.ledger.open(false, false); err != nil {
		return err
	}
	// UIDVALIDITY must change if a mailbox is deleted and re-created with the
	// same name.
	u.prevUidValidity++
	u.mailboxes[name] = newFolder(u, name, u.prevUidValidity)
	return nil
}

// Delete implements imapserver.Session. INBOX cannot be deleted (RFC 9051
// §6.3.4).
func (u *User) Delete(name string) error {
	u.mutex.Lock()
	defer u.mutex.Unlock()
	if strings.EqualFold(name, "INBOX") {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "INBOX cannot be deleted"}
	}

	mbox, err := u.mailboxLocked(name)
	if err != nil {
		return err
	}
	delete(u.mailboxes, name)
	u.ledger.shut()
	mbox.mutex.Lock()
	for _, msg := range mbox.l {
		u.ledger.release(u, msg.body)
	}
	mbox.l, mbox.flagUse = nil, nil
	mbox.mutex.Unlock()
	return nil
}

// Rename implements imapserver.Session. Renaming INBOX, which RFC 9051
// §6.3.6 defines as moving its messages, is refused.
func (u *User) Rename(oldName, newName string, options *imap.RenameOptions) error {
	u.mutex.Lock()
	defer u.mutex.Unlock()
	if strings.EqualFold(oldName, "INBOX") {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Renaming INBOX is not supported"}
	}

	newName = strings.TrimRight(newName, string(mailboxDelim))

	mbox, err := u.mailboxLocked(oldName)
	if err != nil {
		return err
	}

	if u.mailboxes[newName] != nil {
		return &imap.Error{
			Type: imap.StatusResponseTypeNo,
			Code: imap.ResponseCodeAlreadyExists,
			Text: "folder already exists",
		}
	}

	mbox.rename(newName)
	u.mailboxes[newName] = mbox
	delete(u.mailboxes, oldName)
	return nil
}

// Subscribe implements imapserver.Session.
func (u *User) Subscribe(name string) error {
	mbox, err := u.mailbox(name)
	if err != nil {
		return err
	}
	mbox.SetSubscribed(true)
	return nil
}

// Unsubscribe implements imapserver.Session.
func (u *User) Unsubscribe(name string) error {
	mbox, err := u.mailbox(name)
	if err != nil {
		return err
	}
	mbox.SetSubscribed(false)
	return nil
}

// Namespace implements imapserver.Session.
func (u *User) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{
		Personal: []imap.NamespaceDescriptor{{Delim: mailboxDelim}},
	}, nil
}

// DropMessage is a message of the maildrop as POP3 sees it (RFC 1939): the
// INBOX's messages when the session began.
type DropMessage struct {
	// UID is the message's IMAP UID, unique in the INBOX: POP3's UIDL.
	UID uint32
	// Body is the message, CRLF line endings.
	Body string
}

// Drop returns the INBOX's messages, oldest first: the maildrop of a POP3
// session.
func (u *User) Drop() []DropMessage {
	mbox, err := u.mailbox("INBOX")
	if err != nil {
		return nil
	}
	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()
	out := make([]DropMessage, len(mbox.l))
	for i, msg := range mbox.l {
		out[i] = DropMessage{UID: uint32(msg.uid), Body: msg.body}
	}
	return out
}

// Remove deletes the INBOX's messages of uids: a POP3 session's update
// state. IMAP sessions on the INBOX see them expunged.
func (u *User) Remove(uids []uint32) {
	mbox, err := u.mailbox("INBOX")
	if err != nil || len(uids) == 0 {
		return
	}
	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()
	gone := map[*message]struct{}{}
	for _, msg := range mbox.l {
		if slices.Contains(uids, uint32(msg.uid)) {
			gone[msg] = struct{}{}
		}
	}
	if len(gone) > 0 {
		mbox.expungeLocked(gone, true)
	}
}
