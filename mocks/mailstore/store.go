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
	now   func() time.Time
	mu    sync.Mutex
	users map[string]*User
}

// New returns an empty store whose clock is now.
func New(now func() time.Time) *Store {
	return &Store{now: now, users: make(map[string]*User)}
}

// Clear empties the store: every address starts again with an empty
// INBOX. Sessions already open keep what they had.
func (s *Store) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = make(map[string]*User)
}

// User returns address's mailboxes (case-insensitive), created with an
// empty INBOX on first use.
func (s *Store) User(address string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(strings.TrimSpace(address))
	u := s.users[key]
	if u == nil {
		u = newUser(s.now)
		s.users[key] = u
	}
	return u
}

// Deliver puts body in the INBOX of every recipient: one body, shared.
func (s *Store) Deliver(to []string, body string) error {
	t := s.now()
	for _, rcpt := range to {
		inbox, err := s.User(rcpt).mailbox("INBOX") // never deleted nor renamed
		if err != nil {
			return err
		}
		inbox.appendBody(body, &imap.AppendOptions{Time: t})
	}
	return nil
}
