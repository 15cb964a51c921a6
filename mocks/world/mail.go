package world

import (
	"bytes"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
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

// mailboxes is the world's mail store. Each address has an IMAP store (go-imap's
// in-memory server: INBOX, flags, UIDs, what IMAP clients see and change)
// and a delivery log (what arrived, for tests and the admin API). They are
// two facts, not two copies: the log says what was delivered, the store
// what the mailbox holds now.
type mailboxes struct {
	mu        sync.Mutex
	stores    map[string]*imapmemserver.User
	delivered map[string][]Message
}

func mailboxKey(address string) string { return strings.ToLower(strings.TrimSpace(address)) }

// Mailbox returns the IMAP store of address, creating it with an empty INBOX.
func (w *World) Mailbox(address string) *imapmemserver.User {
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	return w.mailboxLocked(mailboxKey(address))
}

func (w *World) mailboxLocked(key string) *imapmemserver.User {
	u := w.mail.stores[key]
	if u == nil {
		// The password is never used: the IMAP server authenticates with
		// the provider's mail rule, never with imapmemserver's Login.
		u = imapmemserver.NewUser(key, "")
		_ = u.Create("INBOX", nil)
		w.mail.stores[key] = u
	}
	return u
}

// Deliver puts raw into the INBOX of every recipient and records it in
// their delivery logs.
func (w *World) Deliver(from string, to []string, raw []byte) error {
	subject := ""
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		subject = m.Header.Get("Subject")
	}
	now := w.Clock.Now()
	msg := Message{Time: now, From: from, To: slices.Clone(to), Subject: subject, Size: len(raw), Raw: string(raw)}
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	for _, rcpt := range to {
		key := mailboxKey(rcpt)
		_, err := w.mailboxLocked(key).Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))},
			&imap.AppendOptions{Time: now})
		if err != nil {
			return err
		}
		log := append(w.mail.delivered[key], msg)
		if len(log) > MaxMessagesPerMailbox {
			log = slices.Delete(log, 0, len(log)-MaxMessagesPerMailbox)
		}
		w.mail.delivered[key] = log
	}
	return nil
}

// Messages returns the messages delivered to address, oldest first.
func (w *World) Messages(address string) []Message {
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	return slices.Clone(w.mail.delivered[mailboxKey(address)])
}

// literal is a message body for imapmemserver's Append.
type literal struct {
	*bytes.Reader
	size int64
}

// Size implements imap.LiteralReader.
func (l literal) Size() int64 { return l.size }

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
