// Package world is the single source of truth of a fake mail-OAuth world:
// provider registrations (OAuth clients), user accounts, consents already
// given, mailboxes, the audit log of events and the clock. Every server of mailoauth
// reads and changes one World; none keeps its own copy of these facts.
package world

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// ClientType is the kind of OAuth client a provider console lets you create.
type ClientType string

// The client types of the providers' consoles.
const (
	// Web is Google's "Web application": exact redirect URIs, a secret.
	Web ClientType = "web"
	// Desktop is Google's "Desktop app": loopback redirects on any port.
	Desktop ClientType = "desktop"
	// LimitedInput is Google's "TVs and Limited Input devices": the device flow.
	LimitedInput ClientType = "limited-input"
)

// Client is an OAuth client registration at one provider.
type Client struct {
	Provider     string     `yaml:"-" json:"-"`
	Name         string     `yaml:"name" json:"name"`
	ID           string     `yaml:"id" json:"client_id"`
	Secret       string     `yaml:"secret" json:"client_secret"`
	Type         ClientType `yaml:"type" json:"type"`
	RedirectURIs []string   `yaml:"redirect_uris" json:"redirect_uris"`
	// Testing marks a client whose project's consent screen is in the
	// "Testing" publishing status (Google, G-08).
	Testing bool `yaml:"testing,omitempty" json:"testing,omitempty"`
}

// Public reports whether the client has no secret.
func (c Client) Public() bool { return c.Secret == "" }

// Account is a user account at one provider.
type Account struct {
	Provider string `yaml:"-" json:"-"`
	Email    string `yaml:"email" json:"email"`
	Name     string `yaml:"name" json:"name"`
	Password string `yaml:"password" json:"-"`
}

// Event is one entry of the audit log: a token request or a mail
// authentication, and how it ended.
type Event struct {
	Time      time.Time `json:"time"`
	Provider  string    `json:"provider"`
	Protocol  string    `json:"protocol"`
	Mechanism string    `json:"mechanism"`
	User      string    `json:"user,omitempty"`
	Client    string    `json:"client,omitempty"`
	Outcome   string    `json:"outcome"`
	Reason    string    `json:"reason,omitempty"`
}

// World holds everything a fake provider knows. It is safe for concurrent use.
type World struct {
	// Clock is the world's time; move it with Clock.Advance.
	Clock *Clock

	mu       sync.RWMutex
	clients  map[key]Client
	accounts map[key]Account
	consents map[consentKey][]string
	events   []Event
	observer func(Event)
	mail     mailboxes
}

type key struct{ provider, id string }

type consentKey struct{ provider, user, client string }

// New returns an empty world whose clock reads the real time.
func New() *World {
	return &World{
		Clock:    &Clock{},
		clients:  map[key]Client{},
		accounts: map[key]Account{},
		consents: map[consentKey][]string{},
		mail:     mailboxes{stores: map[string]*imapmemserver.User{}, delivered: map[string][]Message{}},
	}
}

func userKey(provider, email string) key {
	return key{provider, strings.ToLower(email)}
}

// AddClient registers (or replaces) a client at provider.
func (w *World) AddClient(provider string, c Client) error {
	if c.ID == "" {
		return fmt.Errorf("world: %s client %q has no id", provider, c.Name)
	}
	switch c.Type {
	case Web, Desktop, LimitedInput:
	default:
		return fmt.Errorf("world: %s client %q has unknown type %q", provider, c.ID, c.Type)
	}
	c.Provider = provider
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.clients[key{provider, c.ID}] = c
	return nil
}

// Client returns the client registered at provider under id.
func (w *World) Client(provider, id string) (Client, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	c, ok := w.clients[key{provider, id}]
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	return c, ok
}

// ClientNamed returns the client registered at provider under a display name.
func (w *World) ClientNamed(provider, name string) (Client, bool) {
	for _, c := range w.Clients(provider) {
		if c.Name == name {
			return c, true
		}
	}
	return Client{}, false
}

// Clients lists the clients registered at provider, sorted by name.
func (w *World) Clients(provider string) []Client {
	w.mu.RLock()
	var out []Client
	for k, c := range w.clients {
		if k.provider == provider {
			c.RedirectURIs = slices.Clone(c.RedirectURIs)
			out = append(out, c)
		}
	}
	w.mu.RUnlock()
	slices.SortFunc(out, func(a, b Client) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SetRedirectURIs replaces the registered redirect URIs of a client, as an
// administrator does in the provider's console.
func (w *World) SetRedirectURIs(provider, id string, uris ...string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.clients[key{provider, id}]
	if !ok {
		return fmt.Errorf("world: no %s client %q", provider, id)
	}
	c.RedirectURIs = slices.Clone(uris)
	w.clients[key{provider, id}] = c
	return nil
}

// SetTesting sets the publishing status of a client's consent screen to
// Testing (true) or In production (false), as in the provider's console.
func (w *World) SetTesting(provider, id string, testing bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.clients[key{provider, id}]
	if !ok {
		return fmt.Errorf("world: no %s client %q", provider, id)
	}
	c.Testing = testing
	w.clients[key{provider, id}] = c
	return nil
}

// AddAccount creates (or replaces) a user account at provider.
func (w *World) AddAccount(provider string, a Account) error {
	if !strings.Contains(a.Email, "@") {
		return fmt.Errorf("world: %s account %q is not an e-mail address", provider, a.Email)
	}
	a.Provider = provider
	w.mu.Lock()
	defer w.mu.Unlock()
	w.accounts[userKey(provider, a.Email)] = a
	return nil
}

// Account returns the account of email at provider (case-insensitive).
func (w *World) Account(provider, email string) (Account, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	a, ok := w.accounts[userKey(provider, email)]
	return a, ok
}

// Accounts lists the accounts at provider, sorted by e-mail address.
func (w *World) Accounts(provider string) []Account {
	w.mu.RLock()
	var out []Account
	for k, a := range w.accounts {
		if k.provider == provider {
			out = append(out, a)
		}
	}
	w.mu.RUnlock()
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.Email, b.Email) })
	return out
}

// Consented reports whether user already granted every one of scopes to
// client at provider.
func (w *World) Consented(provider, user, client string, scopes []string) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	granted := w.consents[consentKey{provider, strings.ToLower(user), client}]
	if granted == nil {
		return false
	}
	for _, s := range scopes {
		if !slices.Contains(granted, s) {
			return false
		}
	}
	return true
}

// GrantConsent remembers that user granted scopes to client at provider.
func (w *World) GrantConsent(provider, user, client string, scopes []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := consentKey{provider, strings.ToLower(user), client}
	granted := w.consents[k]
	for _, s := range scopes {
		if !slices.Contains(granted, s) {
			granted = append(granted, s)
		}
	}
	if granted == nil {
		granted = []string{}
	}
	w.consents[k] = granted
}

// MaxEvents bounds the audit log: past it, the oldest events are dropped.
const MaxEvents = 10000

// Record appends e to the audit log, stamped with the world's time.
func (w *World) Record(e Event) {
	e.Time = w.Clock.Now()
	w.mu.Lock()
	if len(w.events) >= MaxEvents {
		w.events = slices.Delete(w.events, 0, len(w.events)-MaxEvents+1)
	}
	w.events = append(w.events, e)
	observe := w.observer
	w.mu.Unlock()
	if observe != nil {
		observe(e)
	}
}

// Observe calls fn with every event recorded from now on (serve mode logs
// them); fn must not call back into the world's audit log.
func (w *World) Observe(fn func(Event)) {
	w.mu.Lock()
	w.observer = fn
	w.mu.Unlock()
}

// Events returns a copy of the audit log, oldest first.
func (w *World) Events() []Event {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return slices.Clone(w.events)
}
