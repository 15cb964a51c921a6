package mailstore

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func clock() time.Time { return epoch }

func inbox(t testing.TB, s *Store, address string) *folder {
	t.Helper()
	f, err := s.User(address).mailbox("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestOneBodyForEveryRecipient: delivery and COPY share the body.
func TestOneBodyForEveryRecipient(t *testing.T) {
	t.Parallel()
	s := New(clock)
	body := "Subject: hi\r\n\r\nhello\r\n"
	if err := s.Deliver([]string{"a@x.test", "B@x.test", "c@x.test"}, body); err != nil {
		t.Fatal(err)
	}
	if err := s.User("b@x.test").Create("Archive", nil); err != nil {
		t.Fatal(err)
	}
	sess := NewSession(s.User("b@x.test"))
	if _, err := sess.Select("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Copy(imap.SeqSetNum(1), "Archive"); err != nil {
		t.Fatal(err)
	}
	archive, _ := s.User("b@x.test").mailbox("Archive")
	msgs := []*message{inbox(t, s, "a@x.test").l[0], inbox(t, s, "b@x.test").l[0], inbox(t, s, "c@x.test").l[0], archive.l[0]}
	for _, m := range msgs {
		if unsafe.StringData(m.body) != unsafe.StringData(body) {
			t.Fatal("a mailbox holds its own copy of the body")
		}
		if !m.t.Equal(epoch) {
			t.Fatalf("internal date %v, want the world's %v", m.t, epoch)
		}
	}
}

// TestINBOXStays: INBOX can be neither deleted nor renamed, so delivery
// always finds it.
func TestINBOXStays(t *testing.T) {
	t.Parallel()
	u := New(clock).User("a@x.test")
	if err := u.Delete("INBOX"); err == nil {
		t.Fatal("INBOX deleted")
	}
	if err := u.Rename("INBOX", "Old", nil); err == nil {
		t.Fatal("INBOX renamed")
	}
	if _, err := u.Append("INBOX", literal("Subject: x\r\n\r\n"), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := u.Status("INBOX", &imap.StatusOptions{NumMessages: true})
	if err != nil || *st.NumMessages != 1 {
		t.Fatalf("status %+v, %v", st, err)
	}
}

type lit struct {
	*strings.Reader
}

func (l lit) Size() int64 { return l.Reader.Size() }

func literal(s string) imap.LiteralReader { return lit{strings.NewReader(s)} }

// BenchmarkDeliver delivers a 20 KB message to 10 recipients; the
// reference is go-imap's imapmemserver, which keeps a copy per recipient.
func BenchmarkDeliver(b *testing.B) {
	body := "Subject: x\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 20<<10/18)
	to := make([]string, 10)
	for i := range to {
		to[i] = string(rune('a'+i)) + "@x.test"
	}
	b.Run("mailstore", func(b *testing.B) {
		s := New(clock)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := s.Deliver(to, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("imapmemserver", func(b *testing.B) {
		users := make([]*imapmemserver.User, len(to))
		for i := range users {
			users[i] = imapmemserver.NewUser(to[i], "")
			_ = users[i].Create("INBOX", nil)
		}
		raw := []byte(body)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, u := range users {
				if _, err := u.Append("INBOX", memLiteral{bytes.NewReader(raw)}, &imap.AppendOptions{Time: epoch}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

type memLiteral struct{ *bytes.Reader }

func (l memLiteral) Size() int64 { return l.Reader.Size() }

// TestQuota: an address holds at most its quota and the store at most its
// limit, each body counted once in the store; a delivery, APPEND or COPY
// past them is refused whole, with OVERQUOTA; what is expunged or deleted
// is given back (issue 13).
func TestQuota(t *testing.T) {
	t.Parallel()
	s := New(clock)
	// 130 bytes of bodies, beside the six mailboxes (a to e, a's Archive).
	s.SetLimits(Limits{Mailbox: 100, Store: 130 + 6*MailboxCost})
	body := strings.Repeat("x", 60)

	// One body to three addresses: 60 bytes each, 60 in the store.
	if err := s.Deliver([]string{"a@x.test", "b@x.test", "c@x.test"}, body); err != nil {
		t.Fatal(err)
	}
	if used, held := s.ledger.usage(s.User("a@x.test")); used != 60 || held != 60 {
		t.Fatalf("a holds %d, the store %d; want 60 and 60 (one shared body)", used, held)
	}
	// A second 60 bytes would take a@ to 120: refused for every recipient.
	if err := s.Deliver([]string{"d@x.test", "a@x.test"}, strings.Repeat("y", 60)); err != ErrMailboxFull {
		t.Fatalf("delivery past a's quota: %v, want ErrMailboxFull", err)
	}
	if n := len(inbox(t, s, "d@x.test").l); n != 0 {
		t.Fatalf("d got %d messages of a refused delivery, want none", n)
	}
	// APPEND past the quota: NO [OVERQUOTA].
	a := s.User("a@x.test")
	if _, err := a.Append("INBOX", literal(strings.Repeat("z", 50)), &imap.AppendOptions{}); err != ErrMailboxFull {
		t.Fatalf("APPEND past the quota: %v", err)
	} else if ErrMailboxFull.Code != imap.ResponseCodeOverQuota {
		t.Fatal("not OVERQUOTA")
	}
	// COPY past the quota: refused whole, nothing copied.
	if err := a.Create("Archive", nil); err != nil {
		t.Fatal(err)
	}
	sess := NewSession(a)
	if _, err := sess.Select("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Copy(imap.SeqSetNum(1), "Archive"); err != ErrMailboxFull {
		t.Fatalf("COPY past the quota: %v", err)
	}
	if used, _ := s.ledger.usage(a); used != 60 {
		t.Fatalf("a holds %d after a refused COPY, want 60", used)
	}
	// The store: 130 bytes of bodies; 60 held, a new 80-byte body does not fit.
	if err := s.Deliver([]string{"e@x.test"}, strings.Repeat("w", 80)); err != ErrStoreFull {
		t.Fatalf("delivery past the store's limit: %v, want ErrStoreFull", err)
	}
	// Expunged, the message gives its bytes back.
	if err := sess.Store(nil, imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := sess.Expunge(nil, nil); err != nil {
		t.Fatal(err)
	}
	if used, held := s.ledger.usage(a); used != 0 || held != 60 {
		t.Fatalf("after EXPUNGE a holds %d, the store %d; want 0 and 60 (b and c still share the body)", used, held)
	}
	if _, err := a.Append("Archive", literal(strings.Repeat("z", 60)), &imap.AppendOptions{}); err != nil {
		t.Fatalf("APPEND within the quota: %v", err)
	}
	// A deleted mailbox gives its messages' bytes back.
	if err := a.Delete("Archive"); err != nil {
		t.Fatal(err)
	}
	if used, held := s.ledger.usage(a); used != 0 || held != 60 {
		t.Fatalf("after DELETE a holds %d, the store %d; want 0 and 60", used, held)
	}
}

// TestManyRecipientsOneBody: a 5 MB message to 100 recipients takes 5 MB
// of the store, not 500 (issue 13: it took 1.1 GB of RSS).
func TestManyRecipientsOneBody(t *testing.T) {
	t.Parallel()
	s := New(clock)
	body := strings.Repeat("x", 5<<20)
	to := make([]string, 100)
	for i := range to {
		to[i] = "r" + strconv.Itoa(i) + "@x.test"
	}
	if err := s.Deliver(to, body); err != nil {
		t.Fatal(err)
	}
	if _, held := s.ledger.usage(s.User(to[0])); held != int64(len(body)) {
		t.Fatalf("the store holds %d bytes, want %d", held, len(body))
	}
}

// usage is what u holds and the store holds.
func (l *ledger) usage(u *User) (user, store int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used[u], l.held
}

// TestRepeatedRecipientChargedOnce: a mailbox named three times by one
// delivery holds one copy and is charged for one against its quota.
func TestRepeatedRecipientChargedOnce(t *testing.T) {
	t.Parallel()
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 1000, Store: 1 << 20})
	body := strings.Repeat("x", 400)
	if err := s.Deliver([]string{"a@x.test", "A@X.test", "a@x.TEST"}, body); err != nil {
		t.Fatal(err)
	}
	if n := len(inbox(t, s, "a@x.test").l); n != 1 {
		t.Fatalf("%d copies in the INBOX, want 1", n)
	}
	if used := s.ledger.used[s.User("a@x.test")]; used != 400 {
		t.Fatalf("charged %d bytes, want 400", used)
	}
	if err := s.Deliver([]string{"a@x.test"}, body); err != nil {
		t.Fatalf("a second message within the quota: %v", err)
	}
}
