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
}

// New returns an empty store whose clock is now, with DefaultLimits.
func New(now func() time.Time) *Store {
	return &Store{now: now, users: make(map[string]*User), ledger: newLedger(DefaultLimits)}
}

// SetLimits changes the store's limits; what it holds stays, even past
// them.
func (s *Store) SetLimits(l Limits) {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	s.ledger.limits = l
}

// Limits returns the store's limits.
func (s *Store) Limits() Limits {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	return s.ledger.limits
}

// Clear empties the store: every address starts again with an empty
// INBOX. Sessions already open keep what they had.
func (s *Store) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = make(map[string]*User)
	s.ledger = newLedger(s.Limits())
}

// Key is the mailbox address names: addresses differing only in case or
// surrounding spaces are one mailbox, as at Gmail and Exchange Online
// (both compare addresses without case).
func Key(address string) string { return strings.ToLower(strings.TrimSpace(address)) }

// User returns address's mailboxes (case-insensitive), created with an
// empty INBOX on first use.
func (s *Store) User(address string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := Key(address)
	u := s.users[key]
	if u == nil {
		u = newUser(s.now, s.ledger)
		s.users[key] = u
	}
	return u
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
		users[i] = s.User(rcpt)
		inboxes[i], _ = users[i].mailbox("INBOX") // never deleted nor renamed
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

// Full reports whether address holds its whole quota already (SMTP
// refuses it as a recipient).
func (s *Store) Full(address string) bool {
	u := s.User(address)
	return u.ledger.full(u)
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
