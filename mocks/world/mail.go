package world

import (
	"io"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// Message is a message as it was delivered: the envelope the SMTP client
// gave and the raw message.
type Message struct {
	Time    time.Time `json:"time"`
	From    string    `json:"from"`
	To      []string  `json:"to"`
	Subject string    `json:"subject"`
	Size    int       `json:"size"`
	Raw     string    `json:"raw"`
}

// MaxMessagesPerMailbox bounds the delivery log of each mailbox.
const MaxMessagesPerMailbox = 1000

// MaxLoggedBytes bounds the delivery log as a whole: past it, the oldest
// messages leave every log they are in (the mailboxes keep theirs).
const MaxLoggedBytes = 64 << 20

// mailboxes is the world's mail: the store (each address's mailboxes,
// flags, UIDs: what IMAP and POP3 clients see and change) and a delivery
// log (what arrived, for tests and the admin API). They are two facts, not
// two copies: the log says what was delivered, the store what the
// mailboxes hold now, and both share the one body of each message.
type mailboxes struct {
	store *mailstore.Store

	mu        sync.Mutex
	delivered map[string][]*Message
	order     []*Message // every logged message, oldest first
	logged    int        // their bytes
}

func mailboxKey(address string) string { return mailstore.Key(address) }

// Mailbox returns the mailboxes of address, created with an empty INBOX.
func (w *World) Mailbox(address string) *mailstore.User {
	return w.mail.store.User(address)
}

// Deliver puts raw into the INBOX of every recipient and records it in
// their delivery logs. Every recipient's copy shares one body; a mailbox
// named twice (mailstore.Key) gets it once, in its INBOX and in its log.
func (w *World) Deliver(from string, to []string, raw []byte) error {
	body := string(raw)
	if err := w.mail.store.Deliver(to, body); err != nil {
		return err
	}
	w.log(from, to, body)
	return nil
}

// Receive is Deliver of a message read from r as it arrives, each part
// of it counted in the store's budget before it is kept
// (mailstore.Store.Receive): an SMTP client's DATA. An error of r is
// returned as it is.
func (w *World) Receive(from string, to []string, r io.Reader) error {
	body, err := w.mail.store.Receive(to, r)
	if err != nil {
		return err
	}
	w.log(from, to, body)
	return nil
}

// log records body, delivered from from to to, in the delivery logs.
func (w *World) log(from string, to []string, body string) {
	to = mailstore.Distinct(to)
	subject := ""
	if m, err := mail.ReadMessage(strings.NewReader(body)); err == nil {
		subject = m.Header.Get("Subject")
	}
	msg := &Message{Time: w.Clock.Now(), From: from, To: slices.Clone(to), Subject: subject, Size: len(body), Raw: body}
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	w.mail.order = append(w.mail.order, msg)
	w.mail.logged += msg.Size
	for w.mail.logged > MaxLoggedBytes && len(w.mail.order) > 1 {
		w.mail.forgetOldest()
	}
	for _, rcpt := range to {
		key := mailboxKey(rcpt)
		log := append(w.mail.delivered[key], msg)
		if len(log) > MaxMessagesPerMailbox {
			log = slices.Delete(log, 0, len(log)-MaxMessagesPerMailbox)
		}
		w.mail.delivered[key] = log
	}
}

// OnMailReset has fn called each time the world's mail is emptied
// (Restore: serve's reset, PUT /api/world), once it is, until stop is
// called: the mail servers end their open sessions there, so that none
// acts on mailboxes that are gone.
func (w *World) OnMailReset(fn func()) (stop func()) { return w.mail.store.OnClear(fn) }

// SetMailLimits bounds the mail store: each address's quota and the
// store's size (mailstore.DefaultLimits unless said otherwise).
func (w *World) SetMailLimits(l mailstore.Limits) { w.mail.store.SetLimits(l) }

// MailLimits returns the mail store's limits.
func (w *World) MailLimits() mailstore.Limits { return w.mail.store.Limits() }

// MailRoom tells whether address can be a recipient: nil, or
// mailstore.ErrMailboxFull if it holds its whole quota,
// mailstore.ErrStoreFull if it has no mailbox and the store no room for
// one (mailstore.Store.Room).
func (w *World) MailRoom(address string) error { return w.mail.store.Room(address) }

// isAccount reports whether address (mailstore.Key) is an account's in
// some realm: the mail store caps the mailboxes of the others.
func (w *World) isAccount(address string) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for k := range w.accounts {
		if k.id == address {
			return true
		}
	}
	return false
}

// forgetOldest takes the oldest logged message out of every log. The
// caller holds m.mu.
func (m *mailboxes) forgetOldest() {
	old := m.order[0]
	m.order[0] = nil
	m.order = m.order[1:]
	m.logged -= old.Size
	for _, rcpt := range old.To {
		key := mailboxKey(rcpt)
		log := slices.DeleteFunc(m.delivered[key], func(x *Message) bool { return x == old })
		if len(log) == 0 {
			delete(m.delivered, key)
		} else {
			m.delivered[key] = log
		}
	}
}

// Messages returns the messages delivered to address, oldest first.
func (w *World) Messages(address string) []Message {
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	log := w.mail.delivered[mailboxKey(address)]
	out := make([]Message, len(log))
	for i, m := range log {
		out[i] = *m
		out[i].To = slices.Clone(m.To)
	}
	return out
}

// Mailboxes lists the addresses that received messages, sorted.
func (w *World) Mailboxes() []string {
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	out := make([]string, 0, len(w.mail.delivered))
	for k := range w.mail.delivered {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
