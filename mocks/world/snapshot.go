package world

import (
	"maps"
	"slices"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// Snapshot is a world's state at one moment: registrations, accounts,
// consents, provider settings, approve-as users and mail limits, to go back to with
// Restore. Settings values are copied as they are: every change of the
// world replaces them rather than editing them in place. A Capture also
// holds the delivered mail and the clock's offset.
type Snapshot struct {
	clients   map[key]Client
	accounts  map[key]Account
	consents  map[consentKey][]string
	realms    map[Realm]any
	approveAs []string
	mail      mailstore.Limits
	// delivered is the delivery log, oldest first (Capture); messages
	// are never changed once logged, so a snapshot shares them.
	delivered []*Message
	offset    time.Duration // the clock's (Capture)
}

// Snapshot copies the world's state.
func (w *World) Snapshot() *Snapshot {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return &Snapshot{clients: cloneClients(w.clients), accounts: maps.Clone(w.accounts),
		consents: cloneConsents(w.consents), realms: maps.Clone(w.realms), approveAs: slices.Clone(w.approveAs),
		mail: w.MailLimits()}
}

// Capture is Snapshot with the world's mail and clock besides: Restore of
// it puts every delivered message back in its recipients' INBOX, unread,
// and the clock as far ahead of the real time as it was. What IMAP
// clients did to the mailboxes since delivery (flags, folders, appended
// or moved messages) is not kept.
func (w *World) Capture() *Snapshot {
	s := w.Snapshot()
	w.mail.mu.Lock()
	s.delivered = slices.Clone(w.mail.order)
	w.mail.mu.Unlock()
	s.offset = w.Clock.Offset()
	return s
}

// Restore puts the world back in the state of s: what was added since is
// gone, what was changed is back; the audit log is emptied, every fault
// disarmed, every mailbox holds what s delivered (nothing, but for a
// Capture), and the clock runs as far ahead of the real time as in s (not
// at all, but for a Capture). What providers keep beside the world
// (grants, sessions) is theirs to drop.
func (w *World) Restore(s *Snapshot) {
	w.mu.Lock()
	w.clients, w.accounts = cloneClients(s.clients), maps.Clone(s.accounts)
	w.consents, w.realms = cloneConsents(s.consents), maps.Clone(s.realms)
	w.approveAs = slices.Clone(s.approveAs)
	w.faults = nil
	w.armed.Store(0)
	w.mu.Unlock()
	w.audit.mu.Lock()
	w.audit.events, w.audit.oldest = nil, 0
	w.audit.mu.Unlock()
	w.mail.store.Clear()
	w.mail.store.SetLimits(s.mail)
	w.mail.mu.Lock()
	w.mail.delivered, w.mail.order, w.mail.logged = map[string][]*Message{}, nil, 0
	w.mail.mu.Unlock()
	w.Clock.restore(s.offset)
	w.redeliver(s.delivered)
}

// redeliver puts each logged message back in its recipients' INBOX and
// in the delivery log, with its time of delivery. They fitted when they
// were delivered: a mailbox now full (limits changed since) just does not
// get its copy.
func (w *World) redeliver(msgs []*Message) {
	for _, m := range msgs {
		_ = w.mail.store.Deliver(m.To, m.Raw)
	}
	w.mail.mu.Lock()
	defer w.mail.mu.Unlock()
	for _, m := range msgs {
		w.mail.order = append(w.mail.order, m)
		w.mail.logged += m.Size
		for _, rcpt := range m.To {
			key := mailboxKey(rcpt)
			w.mail.delivered[key] = append(w.mail.delivered[key], m)
		}
	}
}

func cloneClients(m map[key]Client) map[key]Client {
	out := make(map[key]Client, len(m))
	for k, c := range m {
		out[k] = c.clone()
	}
	return out
}

func cloneConsents(m map[consentKey][]string) map[consentKey][]string {
	out := make(map[consentKey][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// restore sets the clock's offset (Restore): the one time it goes back.
func (c *Clock) restore(offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = offset
}

// ErrClockBackwards and ErrClockTooFar are Set's refusals.
var (
	ErrClockBackwards = errorString("the world's time never goes back: set an instant after the world's current time")
	ErrClockTooFar    = errorString("the world's clock may run at most 100 years ahead of the real time")
)

type errorString string

func (e errorString) Error() string { return string(e) }

// Set moves the world's time forward to t: not before the world's current
// time (it never goes back, but for Restore), at most MaxOffset ahead of
// the real time.
func (c *Clock) Set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	offset := t.Sub(now)
	switch {
	case offset < c.offset:
		return ErrClockBackwards
	case offset > MaxOffset:
		return ErrClockTooFar
	}
	c.offset = offset
	return nil
}
