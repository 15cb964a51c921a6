package mailstore

// Tests of what gremlins' mutants of the store changed and no other test
// saw: what an IMAP client reads on the wire (UIDs, UIDVALIDITY, FLAGS,
// UNSEEN, the messages a sequence set names, the order after EXPUNGE,
// COPY to the selected mailbox) and the quota's exact bounds.

import (
	"bufio"
	"errors"
	"io"
	"log"
	"net"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// preauth is a Session whose client is logged in from the greeting.
type preauth struct{ *Session }

func (preauth) Login(string, string) error { return nil }

// wire is an IMAP client speaking raw lines to a go-imap server over the
// store, as address.
type wire struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	n    int
}

func dialIMAP(t *testing.T, s *Store, address string) *wire {
	t.Helper()
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return preauth{NewSession(s.User(address))}, &imapserver.GreetingData{PreAuth: true}, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapMove: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	w := &wire{t: t, conn: conn, r: bufio.NewReader(conn)}
	if greeting := w.line(); !strings.HasPrefix(greeting, "* PREAUTH") {
		t.Fatalf("greeting %q", greeting)
	}
	return w
}

func (w *wire) line() string {
	w.t.Helper()
	l, err := w.r.ReadString('\n')
	if err != nil {
		w.t.Fatalf("reading a reply: %v (read %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// do sends cmd and returns the replies up to its tagged one, which is last.
func (w *wire) do(cmd string) []string {
	w.t.Helper()
	w.n++
	tag := "a" + strconv.Itoa(w.n)
	if _, err := io.WriteString(w.conn, tag+" "+cmd+"\r\n"); err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for {
		l := w.line()
		out = append(out, l)
		if strings.HasPrefix(l, tag+" ") {
			return out
		}
	}
}

// ok is do of a command that must succeed.
func (w *wire) ok(cmd string) []string {
	w.t.Helper()
	out := w.do(cmd)
	if tagged := out[len(out)-1]; !strings.Contains(tagged, " OK") {
		w.t.Fatalf("%s: %q", cmd, out)
	}
	return out
}

// has is the reply of lines that starts with prefix, or "".
func has(lines []string, prefix string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

var fetchUID = regexp.MustCompile(`^\* (\d+) FETCH \(UID (\d+)\)$`)

// uids is what a FETCH (UID) answered: "seq:uid" for each message.
func (w *wire) uids(cmd string) []string {
	w.t.Helper()
	var out []string
	for _, l := range w.ok(cmd) {
		if m := fetchUID.FindStringSubmatch(l); m != nil {
			out = append(out, m[1]+":"+m[2])
		}
	}
	return out
}

func deliverN(t *testing.T, s *Store, address string, n int) {
	t.Helper()
	for i := range n {
		if err := s.Deliver([]string{address}, "Subject: "+strconv.Itoa(i)+"\r\n\r\nhi\r\n"); err != nil {
			t.Fatal(err)
		}
	}
}

var uidValidity = regexp.MustCompile(`\[UIDVALIDITY (\d+)\]`)

// TestWireUIDs: messages get UIDs 1, 2, ... and UIDNEXT follows; every
// mailbox's UIDVALIDITY is non-zero (RFC 9051 §2.3.1.1) and a mailbox
// deleted and created again gets a new one.
func TestWireUIDs(t *testing.T) {
	t.Parallel()
	s := New(clock)
	deliverN(t, s, "a@x.test", 2)
	w := dialIMAP(t, s, "a@x.test")
	sel := w.ok("SELECT INBOX")
	if has(sel, "* OK [UIDNEXT 3]") == "" {
		t.Fatalf("SELECT after two deliveries: %q, want UIDNEXT 3", sel)
	}
	if got := w.uids("FETCH 1:* (UID)"); !slices.Equal(got, []string{"1:1", "2:2"}) {
		t.Fatalf("FETCH (UID): %v, want 1:1 2:2", got)
	}
	validity := func(name string) string {
		t.Helper()
		m := uidValidity.FindStringSubmatch(strings.Join(w.ok("EXAMINE "+name), "\n"))
		if m == nil || m[1] == "0" {
			t.Fatalf("UIDVALIDITY of %s: %v, want a non-zero one", name, m)
		}
		return m[1]
	}
	inbox := validity("INBOX")
	w.ok("CREATE Archive")
	first := validity("Archive")
	w.ok("CLOSE")
	w.ok("DELETE Archive")
	w.ok("CREATE Archive")
	if again := validity("Archive"); again == first || again == inbox || first == inbox {
		t.Fatalf("UIDVALIDITY INBOX %s, Archive %s then %s: want three different ones", inbox, first, again)
	}
}

// TestWireFlagsListed: SELECT's FLAGS names the flags some message has:
// one set appears, one removed or expunged with its message goes.
func TestWireFlagsListed(t *testing.T) {
	t.Parallel()
	s := New(clock)
	deliverN(t, s, "a@x.test", 2)
	w := dialIMAP(t, s, "a@x.test")
	flags := func() string {
		t.Helper()
		return has(w.ok("SELECT INBOX"), "* FLAGS ")
	}
	if got := flags(); got != "* FLAGS ()" {
		t.Fatalf("FLAGS of unflagged messages: %q", got)
	}
	w.ok(`STORE 1 +FLAGS.SILENT (\Flagged)`)
	if got := flags(); got != `* FLAGS (\Flagged)` {
		t.Fatalf("FLAGS with a message flagged: %q", got)
	}
	w.ok(`STORE 1 -FLAGS.SILENT (\Flagged)`)
	if got := flags(); got != "* FLAGS ()" {
		t.Fatalf("FLAGS once the flag is removed: %q", got)
	}
	w.ok(`STORE 2 +FLAGS.SILENT (\Deleted)`)
	if got := flags(); got != `* FLAGS (\Deleted)` {
		t.Fatalf("FLAGS with a message deleted: %q", got)
	}
	w.ok("EXPUNGE")
	if got := flags(); got != "* FLAGS ()" {
		t.Fatalf("FLAGS once the deleted message is expunged: %q", got)
	}
}

// TestWireFirstUnseen: SELECT names the first message without \Seen.
func TestWireFirstUnseen(t *testing.T) {
	t.Parallel()
	s := New(clock)
	deliverN(t, s, "a@x.test", 3)
	w := dialIMAP(t, s, "a@x.test")
	if sel := w.ok("SELECT INBOX"); has(sel, "* OK [UNSEEN 1]") == "" {
		t.Fatalf("SELECT of unseen messages: %q, want UNSEEN 1", sel)
	}
	w.ok(`STORE 1 +FLAGS.SILENT (\Seen)`)
	if sel := w.ok("SELECT INBOX"); has(sel, "* OK [UNSEEN 2]") == "" {
		t.Fatalf("SELECT with the first message seen: %q, want UNSEEN 2", sel)
	}
}

// TestWireExpungeKeepsOrder: what EXPUNGE leaves keeps its order.
func TestWireExpungeKeepsOrder(t *testing.T) {
	t.Parallel()
	s := New(clock)
	deliverN(t, s, "a@x.test", 5)
	w := dialIMAP(t, s, "a@x.test")
	w.ok("SELECT INBOX")
	w.ok(`STORE 3 +FLAGS.SILENT (\Deleted)`)
	if out := w.ok("EXPUNGE"); has(out, "* 3 EXPUNGE") == "" {
		t.Fatalf("EXPUNGE: %q", out)
	}
	if got := w.uids("FETCH 1:* (UID)"); !slices.Equal(got, []string{"1:1", "2:2", "3:4", "4:5"}) {
		t.Fatalf("after EXPUNGE of the third: %v, want 1:1 2:2 3:4 4:5", got)
	}
}

// TestWireSequenceSets: a sequence set names the messages it names, "*"
// (the last) at either end of a range.
func TestWireSequenceSets(t *testing.T) {
	t.Parallel()
	s := New(clock)
	deliverN(t, s, "a@x.test", 3)
	w := dialIMAP(t, s, "a@x.test")
	w.ok("SELECT INBOX")
	for _, c := range []struct {
		set  string
		want []string
	}{
		{"1:2", []string{"1:1", "2:2"}},
		{"2:*", []string{"2:2", "3:3"}},
		{"*:2", []string{"2:2", "3:3"}},
		{"*", []string{"3:3"}},
		{"2", []string{"2:2"}},
	} {
		if got := w.uids("FETCH " + c.set + " (UID)"); !slices.Equal(got, c.want) {
			t.Errorf("FETCH %s: %v, want %v", c.set, got, c.want)
		}
		if got := w.uids("UID FETCH " + c.set + " (UID)"); !slices.Equal(got, c.want) {
			t.Errorf("UID FETCH %s: %v, want %v", c.set, got, c.want)
		}
	}
}

// TestWireBodyStructure: FETCH BODYSTRUCTURE answers one; FETCH (UID)
// none.
func TestWireBodyStructure(t *testing.T) {
	t.Parallel()
	s := New(clock)
	if err := s.Deliver([]string{"a@x.test"}, "Subject: x\r\nContent-Type: text/plain\r\n\r\nhi\r\n"); err != nil {
		t.Fatal(err)
	}
	w := dialIMAP(t, s, "a@x.test")
	w.ok("SELECT INBOX")
	if out := w.ok("FETCH 1 (BODYSTRUCTURE)"); !strings.HasPrefix(out[0], `* 1 FETCH (UID 1 BODYSTRUCTURE ("text" "plain"`) {
		t.Fatalf("FETCH BODYSTRUCTURE: %q", out)
	}
	if out := w.ok("FETCH 1 (UID)"); out[0] != "* 1 FETCH (UID 1)" {
		t.Fatalf("FETCH (UID): %q", out)
	}
}

// TestWireCopyToItself: COPY to the selected mailbox is refused.
func TestWireCopyToItself(t *testing.T) {
	t.Parallel()
	s := New(clock)
	deliverN(t, s, "a@x.test", 1)
	w := dialIMAP(t, s, "a@x.test")
	w.ok("SELECT INBOX")
	out := w.do("COPY 1 INBOX")
	if tagged := out[len(out)-1]; !strings.HasSuffix(tagged, " NO Source and destination mailboxes are identical") {
		t.Fatalf("COPY to the selected mailbox: %q", out)
	}
	if st := w.ok("STATUS INBOX (MESSAGES)"); has(st, "* STATUS INBOX (MESSAGES 1)") == "" {
		t.Fatalf("after the refused COPY: %q", st)
	}
}

// TestDrop: the maildrop is the INBOX's messages, oldest first.
func TestDrop(t *testing.T) {
	t.Parallel()
	s := New(clock)
	if err := s.Deliver([]string{"a@x.test"}, "one"); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver([]string{"a@x.test"}, "two"); err != nil {
		t.Fatal(err)
	}
	got := s.User("a@x.test").Drop()
	if want := []DropMessage{{1, "one"}, {2, "two"}}; !slices.Equal(got, want) {
		t.Fatalf("Drop: %v, want %v", got, want)
	}
}

// TestQuotaExactly: a message that fills an address's quota or the store
// to the byte is taken; then the address is full (Room), and one byte more
// is refused.
func TestQuotaExactly(t *testing.T) {
	t.Parallel()
	body := "0123456789"
	s := New(clock)
	s.SetLimits(Limits{Mailbox: int64(len(body)), Store: 1 << 20})
	if err := s.Room("a@x.test"); err != nil {
		t.Fatalf("room for a new address: %v", err)
	}
	if err := s.Deliver([]string{"a@x.test"}, body); err != nil {
		t.Fatalf("a message of exactly the quota: %v", err)
	}
	if err := s.Room("a@x.test"); !errors.Is(err, ErrMailboxFull) {
		t.Fatalf("room for an address holding its whole quota: %v, want ErrMailboxFull", err)
	}

	s = New(clock)
	s.User("a@x.test") // its INBOX: one MailboxCost
	s.SetLimits(Limits{Mailbox: 1 << 20, Store: MailboxCost + int64(len(body))})
	if err := s.Deliver([]string{"a@x.test"}, body); err != nil {
		t.Fatalf("a message filling the store to the byte: %v", err)
	}
	if err := s.Deliver([]string{"a@x.test"}, "x"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("one byte past the store's limit: %v, want ErrStoreFull", err)
	}
}

// TestQuotaGivenBackCounts: what a removed message gives back is its own
// bytes, not the address's whole count.
func TestQuotaGivenBackCounts(t *testing.T) {
	t.Parallel()
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 6, Store: 1 << 20})
	for _, b := range []string{"one", "two"} {
		if err := s.Deliver([]string{"a@x.test"}, b); err != nil {
			t.Fatal(err)
		}
	}
	u := s.User("a@x.test")
	u.Remove([]uint32{1})
	if err := s.Deliver([]string{"a@x.test"}, "333"); err != nil {
		t.Fatalf("into the room a removed message left: %v", err)
	}
	if err := s.Deliver([]string{"a@x.test"}, "4"); !errors.Is(err, ErrMailboxFull) {
		t.Fatalf("past the quota after a removal: %v, want ErrMailboxFull", err)
	}
}

// TestEmptyMessageTakesNoRoom: a message of no bytes is taken even by a
// store past its budget (an account's INBOX is opened past it).
func TestEmptyMessageTakesNoRoom(t *testing.T) {
	t.Parallel()
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 1 << 20, Store: MailboxCost / 2})
	s.User("a@x.test")
	if err := s.Deliver([]string{"a@x.test"}, ""); err != nil {
		t.Fatalf("an empty message: %v", err)
	}
	if err := s.Deliver([]string{"a@x.test"}, "x"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("a message of one byte past the budget: %v, want ErrStoreFull", err)
	}
}

// clearing clears the store at its first Read, then reads body.
type clearing struct {
	s    *Store
	body io.Reader
	done bool
}

func (c *clearing) Read(p []byte) (int, error) {
	if !c.done {
		c.done = true
		c.s.Clear()
	}
	return c.body.Read(p)
}

// TestReceiveAcrossClear: a message that arrives while the store is
// cleared lands in the new store, which counts it once and no more room
// than it has: the old store's reservation is not the new one's.
func TestReceiveAcrossClear(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("x", 100)
	limit := int64(2*MailboxCost + firstChunk + 1000)
	s := New(clock)
	s.SetLimits(Limits{Mailbox: 1 << 20, Store: limit})
	if _, err := s.Receive([]string{"a@x.test"}, &clearing{s: s, body: strings.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.User("a@x.test").Drop()); n != 1 {
		t.Fatalf("%d messages in the new store, want 1", n)
	}
	rest := strings.Repeat("y", int(limit)-2*MailboxCost-len(body))
	if err := s.Deliver([]string{"b@x.test"}, rest); err != nil {
		t.Fatalf("what is left of the new store: %v", err)
	}
	if err := s.Deliver([]string{"a@x.test"}, "z"); !errors.Is(err, ErrStoreFull) {
		t.Fatalf("one byte past the new store's limit: %v, want ErrStoreFull", err)
	}
}

// TestClosedSessionsKeepNothing: a session closed, selected or not, keeps
// nothing of the mailbox: 10,000 sessions that selected INBOX and closed
// leave no memory behind (go-imap's tracker would otherwise queue every
// later update for each of them).
func TestClosedSessionsKeepNothing(t *testing.T) {
	u := New(clock).User("a@x.test")
	if err := NewSession(u).Close(); err != nil {
		t.Fatalf("closing a session that selected nothing: %v", err)
	}
	const n = 10000
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		sess := NewSession(u)
		if _, err := sess.Select("INBOX", nil); err != nil {
			t.Fatal(err)
		}
		if err := sess.Close(); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if kept := int64(after.HeapAlloc) - int64(before.HeapAlloc); kept > n*16 {
		t.Fatalf("%d closed sessions keep %d bytes", n, kept)
	}
	runtime.KeepAlive(u)
}
