// Package mailstore is the world's mail store: each address's mailboxes,
// with flags, UIDs and what IMAP clients see and change, and one copy of a
// message's body however many mailboxes hold it. Session serves a user's
// mailboxes to go-imap's imapserver.
//
// It began as go-imap's imapmemserver (MIT licence, see LICENSE.go-imap)
// and differs in three ways: bodies are shared strings, never copied per
// recipient or per COPY; time comes from the world's clock; there are no
// passwords (the mail servers authenticate with the provider's rule).
package mailstore

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Store holds every address's mailboxes.
type Store struct {
	now    func() time.Time
	mu     sync.Mutex
	users  map[string]*User
	ledger *ledger
	known  func(address string) bool // SetAccounts
	hooks  map[*func()]struct{}      // OnClear's
}

// New returns an empty store whose clock is now, with DefaultLimits.
func New(now func() time.Time) *Store {
	return &Store{now: now, users: make(map[string]*User), ledger: newLedger(DefaultLimits)}
}

// SetLimits changes the store's limits; what it holds stays, even past
// them.
func (s *Store) SetLimits(l Limits) {
	led := s.current()
	led.mu.Lock()
	defer led.mu.Unlock()
	led.limits = l
}

// Limits returns the store's limits.
func (s *Store) Limits() Limits {
	led := s.current()
	led.mu.Lock()
	defer led.mu.Unlock()
	return led.limits
}

// current returns the store's ledger (Clear makes a new one).
func (s *Store) current() *ledger {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ledger
}

// SetAccounts tells the store which addresses are accounts of the world:
// the others are strangers, whose mailboxes are capped (Limits.Strangers).
// Until it is called, every address is a stranger.
func (s *Store) SetAccounts(known func(address string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.known = known
}

// Clear empties the store: every address starts again with an empty
// INBOX. Sessions already open keep what they had, until the functions of
// OnClear, called once it is empty, end them.
func (s *Store) Clear() {
	s.mu.Lock()
	s.ledger.mu.Lock()
	limits := s.ledger.limits
	s.ledger.mu.Unlock()
	s.users = make(map[string]*User)
	s.ledger = newLedger(limits)
	hooks := make([]func(), 0, len(s.hooks))
	for fn := range s.hooks {
		hooks = append(hooks, *fn)
	}
	s.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
}

// OnClear has fn called after every Clear, until stop is called.
func (s *Store) OnClear(fn func()) (stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hooks == nil {
		s.hooks = map[*func()]struct{}{}
	}
	key := &fn
	s.hooks[key] = struct{}{}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.hooks, key)
	}
}

// Key is the mailbox address names: addresses differing only in case or
// surrounding spaces are one mailbox, as at Gmail and Exchange Online
// (both compare addresses without case).
func Key(address string) string { return strings.ToLower(strings.TrimSpace(address)) }

// User returns address's mailboxes (case-insensitive), created with an
// empty INBOX on first use: an account's, as it logs in, its bookkeeping
// counted even past the store's budget.
func (s *Store) User(address string) *User {
	u, _ := s.user(address, true)
	return u
}

// user returns address's mailboxes, created if there is room (Limits) or
// force: ErrStoreFull if not.
func (s *Store) user(address string, force bool) (*User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := Key(address)
	if u := s.users[key]; u != nil {
		return u, nil
	}
	stranger := s.known == nil || !s.known(key)
	if err := s.ledger.open(stranger, force); err != nil {
		return nil, err
	}
	u := newUser(s.now, s.ledger)
	s.users[key] = u
	return u, nil
}

// Deliver puts body in the INBOX of every recipient, one body shared, or
// in none: ErrMailboxFull if it would take a recipient past its quota,
// ErrStoreFull if the store past its limit. A mailbox named twice (Key)
// gets one copy.
func (s *Store) Deliver(to []string, body string) error {
	return s.deliver(to, body, nil, 0)
}

// deliver is Deliver of a body whose arrival reserved bytes of from's
// budget (reserve), given back either way.
func (s *Store) deliver(to []string, body string, from *ledger, reserved int64) error {
	to = Distinct(to)
	if len(to) == 0 {
		if from != nil {
			from.unreserve(reserved)
		}
		return nil
	}
	t := s.now()
	inboxes := make([]*folder, len(to))
	users := make([]*User, len(to))
	for i, rcpt := range to {
		u, err := s.user(rcpt, false)
		if err != nil {
			if from != nil {
				from.unreserve(reserved)
			}
			return err
		}
		users[i] = u
		inboxes[i], _ = u.mailbox("INBOX") // never deleted nor renamed
	}
	l := users[0].ledger
	if from != nil && from != l {
		// The store was cleared while the body arrived.
		from.unreserve(reserved)
		reserved = 0
	}
	if err := l.admit(body, reserved, users...); err != nil {
		return err
	}
	for _, inbox := range inboxes {
		inbox.appendCharged(body, &imap.AppendOptions{Time: t})
	}
	return nil
}

// Room tells whether address can be a recipient (SMTP refuses it
// otherwise): ErrMailboxFull if it holds its whole quota already,
// ErrStoreFull if it has no mailbox and the store no room for one. It
// creates nothing.
func (s *Store) Room(address string) error {
	s.mu.Lock()
	u, l, known := s.users[Key(address)], s.ledger, s.known
	s.mu.Unlock()
	if u != nil {
		if u.ledger.full(u) {
			return ErrMailboxFull
		}
		return nil
	}
	stranger := known == nil || !known(Key(address))
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.room(MailboxCost) || stranger && l.strange >= l.limits.strangers() {
		return ErrStoreFull
	}
	return nil
}

// Distinct returns addresses without the ones naming a mailbox already
// named before them (Key), in their order; addresses itself if none
// repeats.
func Distinct(addresses []string) []string {
	seen := make(map[string]struct{}, len(addresses))
	var out []string
	for i, a := range addresses {
		k := Key(a)
		if _, dup := seen[k]; dup {
			if out == nil {
				out = slices.Clone(addresses[:i])
			}
			continue
		}
		seen[k] = struct{}{}
		if out != nil {
			out = append(out, a)
		}
	}
	if out == nil {
		return addresses
	}
	return out
}
