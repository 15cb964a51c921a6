package mailstore

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/emersion/go-imap/v2"
)

// Limits bound what the store holds, so that no client can make the world
// take all the memory there is.
type Limits struct {
	// Mailbox is the most one address's mailboxes hold together, in bytes:
	// its quota. A copy of a message counts in each mailbox that holds it,
	// as a provider's quota counts it.
	Mailbox int64
	// Store is the most the whole store holds, in bytes, each body once
	// however many mailboxes share it, with every mailbox's bookkeeping
	// (MailboxCost): the memory it may take.
	Store int64
	// Strangers is the most addresses that are not accounts of the world
	// (Store.SetAccounts) that get mailboxes: the recipients a submission
	// server relays to, kept here; zero: DefaultStrangers.
	Strangers int
}

// DefaultLimits are a store's limits unless SetLimits says otherwise: 64
// MiB an address (a few messages of the providers' 35 MB maximum), 128
// MiB in all, so that a world whose store is full, bodies, mailboxes and
// DATA being received included, stays under 200 MB of memory.
var DefaultLimits = Limits{Mailbox: 64 << 20, Store: 128 << 20}

// DefaultStrangers is the cap on the mailboxes of addresses that are not
// accounts unless Limits.Strangers says otherwise: 10,000 of them take
// about 10 MiB.
const DefaultStrangers = 10000

// MailboxCost is what a mailbox's bookkeeping is counted for in the
// store's budget (a folder, and for an INBOX its address's User and key),
// above what it takes (TestMailboxCost measures it).
const MailboxCost = 1 << 10

func (l Limits) strangers() int {
	if l.Strangers <= 0 {
		return DefaultStrangers
	}
	return l.Strangers
}

// ErrMailboxFull is what a delivery, APPEND or COPY that would take an
// address past its quota gets: RFC 9051's OVERQUOTA (SMTP answers 552
// 5.2.2, or 452 4.2.2 at RCPT for a mailbox already full).
var ErrMailboxFull = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeOverQuota,
	Text: "Mailbox is full: the message would exceed its quota"}

// ErrStoreFull is what a message that would take the store past its limit
// gets (SMTP answers 452 4.3.1).
var ErrStoreFull = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeOverQuota,
	Text: "Mail store is full, try again later"}

// ledger counts what the store holds: each address's bytes, and each body
// once, with the number of messages that share it.
type ledger struct {
	mu      sync.Mutex
	limits  Limits
	held    int64           // bytes of distinct bodies
	pending int64           // bytes of messages still arriving (reserve)
	books   int64           // bytes of mailboxes' bookkeeping (open)
	strange int             // addresses with mailboxes that are not accounts
	refs    map[*byte]int   // a body's data -> messages holding it
	used    map[*User]int64 // an address's bytes
}

func newLedger(l Limits) *ledger {
	return &ledger{limits: l, refs: map[*byte]int{}, used: map[*User]int64{}}
}

// bodyKey identifies a body by its data: shared bodies are one string.
func bodyKey(body string) *byte { return unsafe.StringData(body) }

// reserve takes n bytes of the store's budget for a message still
// arriving, before its bytes are kept: ErrStoreFull if what the store
// holds and what others reserved leave less.
func (l *ledger) reserve(n int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.room(n) {
		return ErrStoreFull
	}
	l.pending += n
	return nil
}

// room reports whether n more bytes fit in the store's budget. The caller
// holds l.mu.
func (l *ledger) room(n int64) bool { return l.held+l.pending+l.books+n <= l.limits.Store }

// open charges a new mailbox's bookkeeping, and counts its address as one
// more stranger if it is one: ErrStoreFull past the store's budget or the
// cap on strangers, unless force (an account's INBOX as it logs in,
// bounded by the world's accounts).
func (l *ledger) open(stranger, force bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !force && (!l.room(MailboxCost) || stranger && l.strange >= l.limits.strangers()) {
		return ErrStoreFull
	}
	l.books += MailboxCost
	if stranger {
		l.strange++
	}
	return nil
}

// shut gives back a deleted mailbox's bookkeeping.
func (l *ledger) shut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.books -= MailboxCost
}

// unreserve gives back n reserved bytes.
func (l *ledger) unreserve(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending -= n
}

// admit charges each of users for body, or none of them: ErrMailboxFull if
// one would pass its quota, ErrStoreFull if the store would pass its
// limit. reserved bytes the body's arrival took (reserve) are given back
// either way.
func (l *ledger) admit(body string, reserved int64, users ...*User) error {
	n := int64(len(body))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending -= reserved
	for _, u := range users {
		if l.used[u]+n > l.limits.Mailbox {
			return ErrMailboxFull
		}
	}
	if n > 0 && l.refs[bodyKey(body)] == 0 && !l.room(n) {
		return ErrStoreFull
	}
	for _, u := range users {
		l.used[u] += n
		if n > 0 {
			if l.refs[bodyKey(body)] == 0 {
				l.held += n
			}
			l.refs[bodyKey(body)]++
		}
	}
	return nil
}

// release gives back what u was charged for body.
func (l *ledger) release(u *User, body string) {
	n := int64(len(body))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used[u] -= n
	if l.used[u] <= 0 {
		delete(l.used, u)
	}
	if n == 0 {
		return
	}
	k := bodyKey(body)
	if l.refs[k]--; l.refs[k] <= 0 {
		delete(l.refs, k)
		l.held -= n
	}
}

// full reports whether u holds its whole quota already.
func (l *ledger) full(u *User) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used[u] >= l.limits.Mailbox
}

// String describes the limits, for errors and logs.
func (l Limits) String() string {
	return fmt.Sprintf("%d bytes an address, %d in all", l.Mailbox, l.Store)
}
