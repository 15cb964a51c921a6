// Package world is the single source of truth of a fake mail-OAuth world:
// provider registrations (OAuth clients), user accounts, consents already
// given, mailboxes, the audit log of events and the clock. Every server of
// mailoauth reads and changes one World; none keeps its own copy of these
// facts. Registrations and accounts live in a realm: a provider, and for
// providers that have them (Microsoft's tenants) a tenant.
package world

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// Realm is where a registration or an account lives: a provider and, for a
// provider with tenants, one of them ("" for the others).
type Realm struct {
	Provider string
	Tenant   string
}

// String is "provider" or "provider/tenant".
func (r Realm) String() string {
	if r.Tenant == "" {
		return r.Provider
	}
	return r.Provider + "/" + r.Tenant
}

// Secret is one client secret: the id a console lists it under, its value,
// and when it stops working (zero: never).
type Secret struct {
	ID      string    `yaml:"id,omitempty" json:"id,omitempty"`
	Value   string    `yaml:"value" json:"value"`
	Expires time.Time `yaml:"expires,omitempty" json:"expires,omitzero"`
}

// Client is an OAuth client registration at one provider.
type Client struct {
	Realm Realm  `yaml:"-" json:"-"`
	Name  string `yaml:"name" json:"name"`
	ID    string `yaml:"id" json:"client_id"`
	// Secret is the current secret's value (YAML shorthand for one secret
	// with no id and no expiry); Secrets are the others.
	Secret  string   `yaml:"secret,omitempty" json:"client_secret,omitempty"`
	Secrets []Secret `yaml:"secrets,omitempty" json:"secrets,omitempty"`
	// Purpose says what the registration is for, in a sentence (the
	// world file's purpose key): what Provider.Clients tells a test.
	Purpose string `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	// Type is the kind of client as the provider's console names it
	// ("web", "desktop"...); the provider's schema says which exist.
	Type         string   `yaml:"type" json:"type"`
	RedirectURIs []string `yaml:"redirect_uris" json:"redirect_uris"`
	// Public marks a client that authenticates with its id alone. It is
	// not the same as having no secret: a Microsoft registration may allow
	// public client flows and still hold secrets.
	Public bool `yaml:"public,omitempty" json:"public,omitempty"`
	// AuthMethods are the token-endpoint authentication methods the client
	// may use ("client_secret_basic", "client_secret_post", "none"); empty
	// means the provider's default.
	AuthMethods []string `yaml:"auth_methods,omitempty" json:"auth_methods,omitempty"`
	// Settings holds the provider's own attributes of the registration,
	// typed by the provider's schema (a value, never a pointer, so copies
	// of a Client do not share it).
	Settings any `yaml:"-" json:"settings,omitempty"`
}

// AllSecrets returns the client's secrets, the shorthand Secret first.
func (c Client) AllSecrets() []Secret {
	if c.Secret == "" {
		return c.Secrets
	}
	return append([]Secret{{Value: c.Secret}}, c.Secrets...)
}

// HasSecret reports whether the client holds at least one secret.
func (c Client) HasSecret() bool { return c.Secret != "" || len(c.Secrets) > 0 }

func (c Client) clone() Client {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.Secrets = slices.Clone(c.Secrets)
	c.AuthMethods = slices.Clone(c.AuthMethods)
	return c
}

// Account is a user account at one provider.
type Account struct {
	Realm Realm  `yaml:"-" json:"-"`
	Email string `yaml:"email" json:"email"`
	Name  string `yaml:"name" json:"name"`
	// ID is the account's immutable id at the provider (Microsoft's
	// object id); empty where the provider derives one.
	ID       string `yaml:"id,omitempty" json:"id,omitempty"`
	Password string `yaml:"password" json:"-"`
	// PasswordChanged is when the user last changed their password, in
	// world time; zero if never.
	PasswordChanged time.Time `yaml:"-" json:"-"`
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
	// Detail says, for a refusal, what was expected and what was found
	// ("service principal object id 7c9e…, Exchange needs 8d0f…"): bounded,
	// never a secret.
	Detail string `json:"detail,omitempty"`
	// Seen is what the request carried that an application is judged on
	// (redirect_uri, scope, access_type, prompt, code_challenge_method,
	// state, client_auth, from, to, subject…): at most MaxSeen entries, each
	// value bounded like the other fields, never a token or a secret.
	Seen map[string]string `json:"seen,omitempty"`
}

// MaxSeen is how many Seen entries an event keeps.
const MaxSeen = 16

// World holds everything a fake provider knows. It is safe for concurrent use.
type World struct {
	// Clock is the world's time; move it with Clock.Advance.
	Clock *Clock

	mu       sync.RWMutex
	clients  map[key]Client
	accounts map[key]Account
	consents map[consentKey][]string
	realms   map[Realm]any
	mail     mailboxes
	// approveAs are the users authorization requests are approved as
	// when no page is shown (SetApproveAs).
	approveAs []string
	faults    []Fault
	points    []string     // the declared fault points (DeclareFault), sorted
	armed     atomic.Int64 // len(faults), read without the lock
	audit     auditLog
	warnings  []string // Load's (Warnings)
}

type key struct {
	realm Realm
	id    string
}

type consentKey struct {
	realm        Realm
	user, client string
}

// New returns an empty world whose clock reads the real time.
func New() *World {
	clock := &Clock{}
	w := &World{
		Clock:    clock,
		clients:  map[key]Client{},
		accounts: map[key]Account{},
		consents: map[consentKey][]string{},
		realms:   map[Realm]any{},
		mail:     mailboxes{store: mailstore.New(clock.Now), delivered: map[string][]*Message{}},
	}
	w.mail.store.SetAccounts(w.isAccount)
	return w
}

// SetApproveAs names the users an authorization request with no
// login_hint is approved as, where approval without pages is on (serve,
// mocks.Start without Pages): at each provider, the first of them with an
// account there (`serve --approve-as`).
func (w *World) SetApproveAs(emails []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.approveAs = slices.Clone(emails)
}

// ApproveAs returns the users SetApproveAs named.
func (w *World) ApproveAs() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return slices.Clone(w.approveAs)
}

func userKey(realm Realm, email string) key {
	return key{realm, strings.ToLower(email)}
}

// AddClient registers (or replaces) a client in realm.
func (w *World) AddClient(realm Realm, c Client) error {
	if c.ID == "" {
		return fmt.Errorf("world: %s client %q has no id", realm, c.Name)
	}
	c = c.clone()
	c.Realm = realm
	w.mu.Lock()
	defer w.mu.Unlock()
	w.clients[key{realm, c.ID}] = c
	return nil
}

// Client returns the client registered in realm under id.
func (w *World) Client(realm Realm, id string) (Client, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	c, ok := w.clients[key{realm, id}]
	return c.clone(), ok
}

// ClientNamed returns the client registered in realm under a display name.
func (w *World) ClientNamed(realm Realm, name string) (Client, bool) {
	for _, c := range w.Clients(realm) {
		if c.Name == name {
			return c, true
		}
	}
	return Client{}, false
}

// Clients lists the clients registered in realm, sorted by name.
func (w *World) Clients(realm Realm) []Client {
	w.mu.RLock()
	var out []Client
	for k, c := range w.clients {
		if k.realm == realm {
			out = append(out, c.clone())
		}
	}
	w.mu.RUnlock()
	slices.SortFunc(out, func(a, b Client) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// UpdateClient changes the client registered in realm under id, as an
// administrator does in the provider's console.
func (w *World) UpdateClient(realm Realm, id string, change func(*Client)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.clients[key{realm, id}]
	if !ok {
		return fmt.Errorf("world: no %s client %q", realm, id)
	}
	c = c.clone()
	change(&c)
	c.Realm, c.ID = realm, id
	w.clients[key{realm, id}] = c
	return nil
}

// AddAccount creates (or replaces) a user account in realm.
func (w *World) AddAccount(realm Realm, a Account) error {
	if !strings.Contains(a.Email, "@") {
		return fmt.Errorf("world: %s account %q is not an e-mail address", realm, a.Email)
	}
	a.Realm = realm
	w.mu.Lock()
	defer w.mu.Unlock()
	w.accounts[userKey(realm, a.Email)] = a
	return nil
}

// Account returns the account of email in realm (case-insensitive).
func (w *World) Account(realm Realm, email string) (Account, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	a, ok := w.accounts[userKey(realm, email)]
	return a, ok
}

// ChangePassword is the user changing their password, now.
func (w *World) ChangePassword(realm Realm, email, password string) error {
	now := w.Clock.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	k := userKey(realm, email)
	a, ok := w.accounts[k]
	if !ok {
		return fmt.Errorf("world: no %s account %s", realm, email)
	}
	a.Password, a.PasswordChanged = password, now
	w.accounts[k] = a
	return nil
}

// Accounts lists the accounts in realm, sorted by e-mail address.
func (w *World) Accounts(realm Realm) []Account {
	w.mu.RLock()
	var out []Account
	for k, a := range w.accounts {
		if k.realm == realm {
			out = append(out, a)
		}
	}
	w.mu.RUnlock()
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.Email, b.Email) })
	return out
}

// Realms lists the realms of provider that hold a client or an account.
func (w *World) Realms(provider string) []Realm {
	w.mu.RLock()
	seen := map[Realm]bool{}
	for k := range w.clients {
		seen[k.realm] = true
	}
	for k := range w.accounts {
		seen[k.realm] = true
	}
	for r := range w.realms {
		seen[r] = true
	}
	w.mu.RUnlock()
	var out []Realm
	for r := range seen {
		if r.Provider == provider {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Realm) int { return strings.Compare(a.Tenant, b.Tenant) })
	return out
}

// SetRealm sets the provider's own settings of realm (a Microsoft
// tenant's id, domains, Exchange configuration), typed by the provider: a
// value, never a pointer, so that readers get copies.
func (w *World) SetRealm(realm Realm, settings any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.realms[realm] = settings
}

// RealmSettings returns the settings of realm (nil if none were set).
func (w *World) RealmSettings(realm Realm) any {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.realms[realm]
}

// UpdateRealm changes the settings of realm under the world's lock, as an
// administrator's console does.
func (w *World) UpdateRealm(realm Realm, change func(settings any) any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.realms[realm]
	if !ok {
		return fmt.Errorf("world: no realm %s", realm)
	}
	w.realms[realm] = change(s)
	return nil
}

// Consented reports whether user already granted every one of scopes to
// client in realm.
func (w *World) Consented(realm Realm, user, client string, scopes []string) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	granted := w.consents[consentKey{realm, strings.ToLower(user), client}]
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

// ForgetConsent forgets every scope user granted to client in realm.
func (w *World) ForgetConsent(realm Realm, user, client string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.consents, consentKey{realm, strings.ToLower(user), client})
}

// ConsentedScopes are the scopes user granted to client in realm so far.
func (w *World) ConsentedScopes(realm Realm, user, client string) []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return slices.Clone(w.consents[consentKey{realm, strings.ToLower(user), client}])
}

// A consent remembers at most MaxConsentScopes scopes, and
// MaxConsentBytes of them: a provider that accepts any scope (Microsoft's
// resources) would let repeated approvals grow one without end.
const (
	MaxConsentScopes = 64
	MaxConsentBytes  = 4 << 10
)

// GrantConsent remembers that user granted scopes to client in realm. A
// scope past MaxConsentScopes or MaxConsentBytes is not remembered: the
// grant goes on, and the next request for it asks for consent again.
func (w *World) GrantConsent(realm Realm, user, client string, scopes []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := consentKey{realm, strings.ToLower(user), client}
	granted := w.consents[k]
	size := 0
	for _, s := range granted {
		size += len(s)
	}
	for _, s := range scopes {
		if len(granted) >= MaxConsentScopes {
			break
		}
		if size+len(s) <= MaxConsentBytes && !slices.Contains(granted, s) {
			// A copy: s may be a piece of the request's whole form.
			granted = append(granted, strings.Clone(s))
			size += len(s)
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
// Every field is cut to MaxEventField bytes: the log is bounded in size
// as in count, whatever a client sends as its id or user name.
func (w *World) Record(e Event) {
	e.Time = w.Clock.Now()
	// The fields, cut, are copied into one string (one allocation): a
	// field taken from a request (a client_id in a 10 MB form) must not
	// keep the whole request alive for as long as the event is.
	fields := [...]*string{&e.Provider, &e.Protocol, &e.Mechanism, &e.User, &e.Client, &e.Outcome, &e.Reason, &e.Detail}
	n := 0
	for _, f := range fields {
		*f = cut(*f)
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	for _, f := range fields {
		*f, all = all[:len(*f)], all[len(*f):]
	}
	e.Seen = boundSeen(e.Seen)
	a := &w.audit
	a.mu.Lock()
	if len(a.events) < MaxEvents {
		a.events = append(a.events, e)
	} else {
		// A ring: the oldest event gives its place, nothing moves.
		a.events[a.oldest] = e
		a.oldest = (a.oldest + 1) % MaxEvents
	}
	observe := a.observer
	a.mu.Unlock()
	if observe != nil {
		observe(e)
	}
}

// MaxEventField bounds each field of an audit log event, in bytes.
const MaxEventField = 256

// boundSeen copies seen with at most MaxSeen entries (the first keys in
// order), each key and value cut, so an event never shares a map with its
// caller nor keeps a request alive.
func boundSeen(seen map[string]string) map[string]string {
	if len(seen) == 0 {
		return nil
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > MaxSeen {
		keys = keys[:MaxSeen]
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[strings.Clone(cut(k))] = strings.Clone(cut(seen[k]))
	}
	return out
}

// cut shortens s to MaxEventField bytes, on a rune boundary, marking the
// cut with "…".
func cut(s string) string {
	if len(s) <= MaxEventField {
		return s
	}
	i := MaxEventField - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// Observe calls fn with every event recorded from now on (serve mode logs
// them); fn must not call back into the world's audit log.
func (w *World) Observe(fn func(Event)) {
	w.audit.mu.Lock()
	w.audit.observer = fn
	w.audit.mu.Unlock()
}

// Events returns a copy of the audit log, oldest first.
func (w *World) Events() []Event {
	a := &w.audit
	a.mu.Lock()
	defer a.mu.Unlock()
	return append(slices.Clone(a.events[a.oldest:]), a.events[:a.oldest]...)
}

// EventsSince returns the events of the audit log after since (from the
// first one after it; all of them for a zero since), oldest first: the
// last limit of them (0: all). Only those are copied.
func (w *World) EventsSince(since time.Time, limit int) []Event {
	a := &w.audit
	a.mu.Lock()
	defer a.mu.Unlock()
	n := len(a.events)
	at := func(i int) *Event { return &a.events[(a.oldest+i)%n] } // i-th oldest
	first := 0
	if !since.IsZero() {
		for first < n && !at(first).Time.After(since) {
			first++
		}
	}
	if limit > 0 && n-first > limit {
		first = n - limit
	}
	out := make([]Event, 0, n-first)
	for i := first; i < n; i++ {
		out = append(out, *at(i))
	}
	return out
}

// auditLog is the world's record of authentication attempts, under a lock
// of its own: every mail session writes to it, and it must not hold up
// the readers of the world's registrations.
type auditLog struct {
	mu       sync.Mutex
	events   []Event // a ring once full: the oldest at events[oldest]
	oldest   int
	observer func(Event)
}
