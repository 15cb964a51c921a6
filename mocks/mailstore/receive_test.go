package mailstore

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// TestReceiveReservesAsItReads: the bytes of a message still arriving are
// in the store's budget as soon as they are read; what a message that
// does not arrive took is given back.
func TestReceiveReservesAsItReads(t *testing.T) {
	t.Parallel()
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 8 << 20, Store: 1 << 20})
	pr, pw := io.Pipe()
	done := make(chan error)
	go func() {
		_, err := s.Receive([]string{"a@x.test"}, pr)
		done <- err
	}()
	// io.Pipe's Write returns once Receive has read it all.
	if _, err := pw.Write(make([]byte, 600<<10)); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver([]string{"b@x.test"}, strings.Repeat("x", 600<<10)); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("a message past what the arriving one left: %v, want ErrStoreFull", err)
	}
	gone := errors.New("client gone")
	pw.CloseWithError(gone)
	if err := <-done; !errors.Is(err, gone) {
		t.Fatalf("Receive of a message cut short: %v", err)
	}
	if err := s.Deliver([]string{"b@x.test"}, strings.Repeat("x", 600<<10)); err != nil {
		t.Fatalf("after the arriving message was dropped: %v", err)
	}
}

// TestReceiveStopsAtTheBudget: a message larger than the room left is not
// read past it.
func TestReceiveStopsAtTheBudget(t *testing.T) {
	t.Parallel()
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 8 << 20, Store: 64 << 10})
	pr, pw := io.Pipe()
	done := make(chan error)
	go func() {
		_, err := s.Receive([]string{"a@x.test"}, pr)
		pr.Close()
		done <- err
	}()
	n, _ := pw.Write(make([]byte, 1<<20))
	if err := <-done; !errors.Is(err, ErrStoreFull) {
		t.Fatalf("Receive past the budget: %v, want ErrStoreFull", err)
	}
	if n > 64<<10 {
		t.Fatalf("%d bytes read of a message the store has 64 KiB for", n)
	}
	if p := s.ledger.pending; p != 0 {
		t.Fatalf("%d bytes still reserved", p)
	}
}

// TestReceiveHeld: what a 30 MB message still arriving holds, reserved
// in the store's budget (the figure is logged), and one body once it
// arrived.
func TestReceiveHeld(t *testing.T) {
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 64 << 20, Store: 128 << 20})
	pr, pw := io.Pipe()
	done := make(chan string)
	go func() {
		body, err := s.Receive([]string{"a@x.test"}, pr)
		if err != nil {
			t.Error(err)
		}
		done <- body
	}()
	const size = 30 << 20
	chunk := make([]byte, 1<<20)
	runtime.GC()
	var before, during runtime.MemStats
	runtime.ReadMemStats(&before)
	for range size / len(chunk) {
		if _, err := pw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&during)
	s.ledger.mu.Lock()
	reserved := s.ledger.pending
	s.ledger.mu.Unlock()
	held := int64(during.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("30 MiB of unfinished DATA: %d bytes held, %d reserved", held, reserved)
	if reserved < size {
		t.Fatalf("%d bytes reserved for %d read", reserved, size)
	}
	pw.Close()
	if body := <-done; len(body) != size {
		t.Fatalf("a body of %d bytes, want %d", len(body), size)
	}
	if s.ledger.pending != 0 || s.ledger.held != size {
		t.Fatalf("%d reserved, %d held after delivery", s.ledger.pending, s.ledger.held)
	}
}
