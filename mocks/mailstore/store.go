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

// User returns address's mailboxes (case-insensitive), created with an
// empty INBOX on first use.
func (s *Store) User(address string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(strings.TrimSpace(address))
	u := s.users[key]
	if u == nil {
		u = newUser(s.now, s.ledger)
		s.users[key] = u
	}
	return u
}

// Deliver puts body in the INBOX of every recipient, one body shared, or
// in none: ErrMailboxFull if it would take a recipient past its quota,
// ErrStoreFull if the store past its limit.
func (s *Store) Deliver(to []string, body string) error {
	if len(to) == 0 {
		return nil
	}
	t := s.now()
	inboxes := make([]*folder, len(to))
	users := make([]*User, len(to))
	for i, rcpt := range to {
		users[i] = s.User(rcpt)
		inbox, err := users[i].mailbox("INBOX") // never deleted nor renamed
		if err != nil {
			return err
		}
		inboxes[i] = inbox
	}
	if err := users[0].ledger.admit(body, users...); err != nil {
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
