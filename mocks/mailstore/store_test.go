package mailstore

import (
	"bytes"
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
