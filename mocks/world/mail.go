package world

import (
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

// mailboxes is the world's mail: the store (each address's mailboxes,
// flags, UIDs: what IMAP and POP3 clients see and change) and a delivery
// log (what arrived, for tests and the admin API). They are two facts, not
// two copies: the log says what was delivered, the store what the
// mailboxes hold now, and both share the one body of each message.
type mailboxes struct {
	store *mailstore.Store

	mu        sync.Mutex
	delivered map[string][]*Message
}

func mailboxKey(address string) string { return strings.ToLower(strings.TrimSpace(address)) }

// Mailbox returns the mailboxes of address, created with an empty INBOX.
func (w *World) Mailbox(address string) *mailstore.User {
	return w.mail.store.User(address)
}

// Deliver puts raw into the INBOX of every recipient and records it in
// their delivery logs. Every recipient's copy shares one body.
func (w *World) Deliver(from string, to []string, raw []byte) error {
	body := string(raw)
	subject := ""
	if m, err := mail.ReadMessage(strings.NewReader(body)); err == nil {
		subject = m.Header.Get("Subject")
	}
	msg := &Message{Time: w.Clock.Now(), From: from, To: slices.Clone(to), Subject: subject, Size: len(body), Raw: body}
	if err := w.mail.store.Deliver(to, body); err != nil {
		return err
	}
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	for _, rcpt := range to {
		key := mailboxKey(rcpt)
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
