package world_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/mailstore"
	"github.com/mailoauth/mailoauth/mocks/world"
)

var schemas = world.Schemas{google.Name: google.Schema(), "plain": plain{}}

// plain reads the common keys of a client and nothing else.
type plain struct{}

func (plain) DecodeClient(n *yaml.Node) (world.Client, error) {
	var c world.Client
	err := world.DecodeStrict(n, &c)
	return c, err
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"unknown key":      "providers:\n  google:\n    clients:\n      - {name: x, id: y, type: web, colour: red}\n",
		"unknown type":     "providers:\n  google:\n    clients:\n      - {name: x, id: y, type: mainframe}\n",
		"no id":            "providers:\n  google:\n    clients:\n      - {name: x, type: web}\n",
		"bad email":        "providers:\n  google:\n    users:\n      - {email: alice}\n",
		"not a mapping":    "- 1\n- 2\n",
		"unknown provider": "providers:\n  yahoo:\n    users: []\n",
		"nested tenants":   "providers:\n  plain:\n    tenants:\n      a:\n        tenants:\n          b: {}\n",
	}
	for name, doc := range cases {
		if _, err := world.Load(strings.NewReader(doc), schemas); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
	if _, err := world.Load(strings.NewReader(""), schemas); err != nil {
		t.Errorf("empty document: %v", err)
	}
	w, err := world.LoadFile("../../testdata/world/google.yaml", schemas)
	if err != nil {
		t.Fatalf("testdata world: %v", err)
	}
	if c, ok := w.ClientNamed(google.Realm, "crm"); !ok || c.Type != google.Web || c.Public {
		t.Errorf("crm client %+v", c)
	}
}

func TestTenants(t *testing.T) {
	t.Parallel()
	doc := `providers:
  plain:
    tenants:
      t1:
        clients: [{id: app, name: app, secrets: [{id: s1, value: v1, expires: 2030-01-01T00:00:00Z}]}]
        users: [{email: u@t1.test}]
`
	w, err := world.Load(strings.NewReader(doc), schemas)
	if err != nil {
		t.Fatal(err)
	}
	t1 := world.Realm{Provider: "plain", Tenant: "t1"}
	c, ok := w.Client(t1, "app")
	if !ok || len(c.AllSecrets()) != 1 || c.AllSecrets()[0].Expires.Year() != 2030 {
		t.Fatalf("client %+v", c)
	}
	if _, ok := w.Client(world.Realm{Provider: "plain"}, "app"); ok {
		t.Fatal("a tenant's client is found outside the tenant")
	}
	if _, ok := w.Account(t1, "U@T1.test"); !ok {
		t.Fatal("account look-up is not case-insensitive")
	}
	if got := w.Realms("plain"); len(got) != 1 || got[0] != t1 {
		t.Fatalf("realms %v", got)
	}
}

func TestUpdateClientCopies(t *testing.T) {
	t.Parallel()
	w := world.New()
	r := world.Realm{Provider: "plain"}
	if err := w.AddClient(r, world.Client{ID: "a", RedirectURIs: []string{"http://x/"}}); err != nil {
		t.Fatal(err)
	}
	c, _ := w.Client(r, "a")
	c.RedirectURIs[0] = "http://changed/"
	if got, _ := w.Client(r, "a"); got.RedirectURIs[0] != "http://x/" {
		t.Fatal("a caller's copy changed the world")
	}
	if err := w.UpdateClient(r, "a", func(c *world.Client) { c.RedirectURIs = nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Client(r, "a"); got.RedirectURIs != nil {
		t.Fatal("update lost")
	}
	if err := w.UpdateClient(r, "nobody", func(*world.Client) {}); err == nil {
		t.Fatal("updated a client that does not exist")
	}
}

func TestConsent(t *testing.T) {
	t.Parallel()
	w := world.New()
	r := google.Realm
	if w.Consented(r, "a@x.test", "c", nil) {
		t.Fatal("consented before any grant")
	}
	w.GrantConsent(r, "A@x.test", "c", []string{"s1"})
	if !w.Consented(r, "a@x.test", "c", []string{"s1"}) {
		t.Fatal("grant not remembered (case-insensitively)")
	}
	if w.Consented(r, "a@x.test", "c", []string{"s1", "s2"}) {
		t.Fatal("consent to s1 counted for s2")
	}
	if w.Consented(r, "a@x.test", "other", []string{"s1"}) {
		t.Fatal("consent leaked to another client")
	}
	if w.Consented(world.Realm{Provider: "google", Tenant: "t"}, "a@x.test", "c", []string{"s1"}) {
		t.Fatal("consent leaked to another realm")
	}
}

func TestClockOnlyMovesForward(t *testing.T) {
	t.Parallel()
	var c world.Clock
	before := c.Now()
	c.Advance(time.Hour)
	c.Advance(-2 * time.Hour)
	if d := c.Now().Sub(before); d < time.Hour || d > time.Hour+time.Minute {
		t.Fatalf("clock moved %v, want about an hour", d)
	}
}

// TestEventsAreBounded: past MaxEvents the oldest events go, and the log
// still reads oldest first.
func TestEventsAreBounded(t *testing.T) {
	t.Parallel()
	w := world.New()
	for i := range world.MaxEvents + 5 {
		w.Record(world.Event{Provider: "google", Reason: strconv.Itoa(i)})
	}
	ev := w.Events()
	if len(ev) != world.MaxEvents {
		t.Fatalf("%d events kept, want %d", len(ev), world.MaxEvents)
	}
	for i, e := range ev {
		if want := strconv.Itoa(i + 5); e.Reason != want {
			t.Fatalf("event %d is %s, want %s (oldest first)", i, e.Reason, want)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("providers: {google: {clients: [{id: a, type: web}]}}")
	f.Add("providers: {plain: {tenants: {t: {clients: [{id: a, secrets: [{value: v}]}]}}}}")
	f.Fuzz(func(t *testing.T, doc string) {
		w, err := world.Load(strings.NewReader(doc), schemas)
		if err == nil && w == nil {
			t.Fatal("nil world without error")
		}
	})
}

// TestClockStopsAtMaxOffset: advancing past a century ahead stops there,
// and the world's time never wraps into the past (a time.Duration
// overflows after 292 years).
func TestClockStopsAtMaxOffset(t *testing.T) {
	var c world.Clock
	for i := range 30 {
		applied := c.Advance(10 * 365 * 24 * time.Hour)
		if want := i < 10; applied != want {
			t.Fatalf("advance %d: applied %v, want %v", i+1, applied, want)
		}
	}
	if c.Offset() != world.MaxOffset || !c.Now().After(time.Now().Add(99*365*24*time.Hour)) {
		t.Fatalf("offset %v, now %v", c.Offset(), c.Now())
	}
}

// TestEventFieldsAreBounded: a 63 KB client id or user name is cut to
// MaxEventField bytes in the log, for its readers and its observers.
func TestEventFieldsAreBounded(t *testing.T) {
	w := world.New()
	var seen world.Event
	w.Observe(func(e world.Event) { seen = e })
	huge := strings.Repeat("é", 32<<10)
	w.Record(world.Event{Provider: "google", Client: huge, User: huge, Reason: huge})
	got := w.Events()[0]
	for _, f := range []string{got.Client, got.User, got.Reason, seen.Client} {
		if len(f) > world.MaxEventField || !strings.HasSuffix(f, "…") || !utf8.ValidString(f) {
			t.Fatalf("a field of %d bytes: %.40q…", len(f), f)
		}
	}
}

// TestDeliveryLogIsBounded: past MaxLoggedBytes the oldest messages leave
// the delivery log, for every recipient.
func TestDeliveryLogIsBounded(t *testing.T) {
	w := world.New()
	w.SetMailLimits(mailstore.Limits{Mailbox: 1 << 40, Store: 1 << 40})
	body := []byte(strings.Repeat("x", 1<<20))
	n := world.MaxLoggedBytes>>20 + 3
	for range n {
		if err := w.Deliver("a@x.test", []string{"b@x.test", "c@x.test"}, body); err != nil {
			t.Fatal(err)
		}
	}
	for _, rcpt := range []string{"b@x.test", "c@x.test"} {
		if got, want := len(w.Messages(rcpt)), world.MaxLoggedBytes>>20; got != want {
			t.Fatalf("%s: %d messages logged, want %d", rcpt, got, want)
		}
	}
}

func TestMailLimitsInTheWorldFile(t *testing.T) {
	w, err := world.Load(strings.NewReader("mail_limits: {mailbox_bytes: 1000, store_bytes: 5000}\n"), schemas)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.MailLimits(); got != (mailstore.Limits{Mailbox: 1000, Store: 5000}) {
		t.Fatalf("limits %+v", got)
	}
	if _, err := world.Load(strings.NewReader("mail_limits: {mailbox_bytes: 1000}\n"), schemas); err == nil {
		t.Fatal("a store of 0 bytes accepted")
	}
}

// TestRestoreMailLimits: mail limits changed at run time go back with the
// rest of the world (serve's reset).
func TestRestoreMailLimits(t *testing.T) {
	w := world.New()
	snap := w.Snapshot()
	w.SetMailLimits(mailstore.Limits{Mailbox: 10, Store: 20})
	w.Restore(snap)
	if got := w.MailLimits(); got != mailstore.DefaultLimits {
		t.Fatalf("limits after restore %+v, want the defaults", got)
	}
}

// TestDeliverOncePerMailbox: a mailbox named twice, in another case, gets
// one copy in its INBOX and one entry in its delivery log.
func TestDeliverOncePerMailbox(t *testing.T) {
	t.Parallel()
	w := world.New()
	if err := w.Deliver("a@x.test", []string{"b@y.test", "B@Y.test", "c@y.test", "b@y.test "}, []byte("Subject: s\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	if n, m := len(w.Mailbox("b@y.test").Drop()), len(w.Messages("b@y.test")); n != 1 || m != 1 {
		t.Fatalf("%d in the INBOX, %d in the log, want 1 and 1", n, m)
	}
	if to := w.Messages("c@y.test")[0].To; len(to) != 2 {
		t.Fatalf("envelope %q, want each mailbox once", to)
	}
}

// TestWorldFileOverTheLimit: a world file longer than MaxFileBytes is
// refused with the limit in the message, never read in part; one of
// exactly the limit loads.
func TestWorldFileOverTheLimit(t *testing.T) {
	head := "approve_as: [a@b.test]\n#"
	at := head + strings.Repeat("x", world.MaxFileBytes-len(head)-1) + "\n"
	if _, err := world.Load(strings.NewReader(at), world.Schemas{}); err != nil {
		t.Fatalf("a file of exactly the limit: %v", err)
	}
	_, err := world.Load(strings.NewReader(at+"approve_as: [c@d.test]\n"), world.Schemas{})
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(world.MaxFileBytes)) {
		t.Errorf("a file over the limit: %v", err)
	}
}

// TestRecordBoundsSeen: an event keeps at most world.MaxSeen entries, each cut,
// in a map of its own.
func TestRecordBoundsSeen(t *testing.T) {
	w := world.New()
	seen := map[string]string{}
	for i := range world.MaxSeen + 5 {
		seen[fmt.Sprintf("k%02d", i)] = strings.Repeat("v", world.MaxEventField+10)
	}
	w.Record(world.Event{Provider: "p", Seen: seen, Detail: strings.Repeat("d", world.MaxEventField+10)})
	seen["k00"] = "changed"
	e := w.Events()[0]
	if len(e.Seen) != world.MaxSeen {
		t.Fatalf("kept %d entries, want %d", len(e.Seen), world.MaxSeen)
	}
	if v := e.Seen["k00"]; v == "changed" || !strings.HasSuffix(v, "…") || len(v) > world.MaxEventField {
		t.Fatalf("k00 = %q: shared with the caller or not cut", v)
	}
	if _, ok := e.Seen[fmt.Sprintf("k%02d", world.MaxSeen)]; ok {
		t.Fatal("kept a key past the first world.MaxSeen")
	}
	if !strings.HasSuffix(e.Detail, "…") || len(e.Detail) > world.MaxEventField {
		t.Fatalf("detail not cut: %d bytes", len(e.Detail))
	}
}
