package mailstore

import (
	"errors"
	"runtime"
	"strconv"
	"testing"
)

// TestMailboxCost: what a mailbox takes (an address's User, key and
// INBOX) is within what the budget counts it for; the figure is logged.
func TestMailboxCost(t *testing.T) {
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 1 << 20, Store: 1 << 30, Strangers: 1 << 20})
	const n = 10000
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		if _, err := s.user("someone"+strconv.Itoa(i)+"@example.test", false); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes a mailbox, counted as %d", per, MailboxCost)
	if per > MailboxCost {
		t.Fatalf("a mailbox takes %d bytes, more than the %d it is counted for", per, MailboxCost)
	}
	if got := s.ledger.books; got != n*MailboxCost {
		t.Fatalf("%d bytes of bookkeeping counted, want %d", got, n*MailboxCost)
	}
	runtime.KeepAlive(s)
}

// TestStrangersCapped: addresses that are not accounts get mailboxes up to
// Limits.Strangers, then the store is full for them (not for accounts,
// nor for the mailboxes there are); asking whether there is room creates
// nothing.
func TestStrangersCapped(t *testing.T) {
	t.Parallel()
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 1 << 20, Store: 1 << 20, Strangers: 3})
	s.SetAccounts(func(a string) bool { return a == "acct@x.test" })
	for i := range 3 {
		if err := s.Deliver([]string{"s" + strconv.Itoa(i) + "@y.test"}, "hi"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Room("s3@y.test"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("room for a fourth stranger: %v, want ErrStoreFull", err)
	}
	if err := s.Deliver([]string{"S3@y.test"}, "hi"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("delivery to a fourth stranger: %v, want ErrStoreFull", err)
	}
	for _, a := range []string{"acct@x.test", "S0@Y.test"} {
		if err := s.Room(a); err != nil {
			t.Fatalf("room for %s: %v", a, err)
		}
		if err := s.Deliver([]string{a}, "hi"); err != nil {
			t.Fatalf("delivery to %s: %v", a, err)
		}
	}
	if n := len(s.users); n != 4 {
		t.Fatalf("%d mailboxes, want 4 (three strangers, one account)", n)
	}
}

// TestMailboxesInTheBudget: mailboxes count in the store's budget beside
// the bodies, IMAP CREATE too, and a deleted mailbox gives its part back.
func TestMailboxesInTheBudget(t *testing.T) {
	t.Parallel()
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 1 << 20, Store: 2*MailboxCost + 10})
	for _, a := range []string{"a@x.test", "b@x.test"} {
		if err := s.Deliver([]string{a}, "hello"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Room("c@x.test"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("room for a third mailbox and its message: %v, want ErrStoreFull", err)
	}
	if err := s.Deliver([]string{"c@x.test"}, "hello"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("a third mailbox and its message: %v, want ErrStoreFull", err)
	}
	a := s.User("a@x.test")
	if err := a.Create("Archive", nil); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("CREATE past the budget: %v, want ErrStoreFull", err)
	}
	s.SetLimits(Limits{Mailbox: 1 << 20, Store: 3*MailboxCost + 10})
	if err := a.Create("Archive", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver([]string{"c@x.test"}, "hello"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("a third mailbox beside Archive: %v, want ErrStoreFull", err)
	}
	if err := a.Delete("Archive"); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver([]string{"c@x.test"}, "hello"); err != nil {
		t.Fatalf("after DELETE gave its part back: %v", err)
	}
}

// TestOnClear: Clear calls the functions of OnClear once the store is
// empty, until they are stopped.
func TestOnClear(t *testing.T) {
	t.Parallel()
	s := New(clock)
	if err := s.Deliver([]string{"a@x.test"}, "hi"); err != nil {
		t.Fatal(err)
	}
	var seen []int
	stop := s.OnClear(func() { seen = append(seen, len(s.User("a@x.test").Drop())) })
	s.Clear()
	stop()
	s.Clear()
	if len(seen) != 1 || seen[0] != 0 {
		t.Fatalf("called %v, want once, on an empty INBOX", seen)
	}
}
