package world_test

// Tests of what gremlins' mutants of the world changed and no other test
// saw, each through the package's API.

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/mailstore"
	"github.com/mailoauth/mailoauth/mocks/world"
	"gopkg.in/yaml.v3"
)

// TestExportNoTenantsKey: a provider without tenants exports no
// "tenants" key (the world file's shape for Google).
func TestExportNoTenantsKey(t *testing.T) {
	t.Parallel()
	w, err := world.Load(strings.NewReader(`providers: {google: {clients: [{name: web, id: a, type: web}]}}`), schemas)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := w.Export(world.Schemas{google.Name: google.Schema()}, false)["providers"].(map[string]any)[google.Name].(map[string]any)
	if !ok {
		t.Fatal("no google in the export")
	}
	if _, ok := g["tenants"]; ok {
		t.Fatalf("Google exported with tenants: %v", g)
	}
}

// TestStrings: an export's list is a copy of the strings, [] for none.
func TestStrings(t *testing.T) {
	t.Parallel()
	in := []string{"a", "b"}
	out := world.Strings(in)
	if !slices.Equal(out, in) {
		t.Fatalf("Strings(%v) = %v", in, out)
	}
	out[0] = "changed"
	if in[0] != "a" {
		t.Fatal("Strings shares its argument's array")
	}
	if none := world.Strings(nil); none == nil || len(none) != 0 {
		t.Fatalf("Strings(nil) = %#v, want an empty list", none)
	}
}

// TestEventFieldExactly: a field of exactly MaxEventField bytes is kept
// whole; one byte more is cut, with "…".
func TestEventFieldExactly(t *testing.T) {
	t.Parallel()
	w := world.New()
	whole := strings.Repeat("a", world.MaxEventField)
	w.Record(world.Event{Provider: "p", Client: whole, User: whole + "b"})
	e := w.Events()[0]
	if e.Client != whole {
		t.Fatalf("a field of exactly the bound became %d bytes", len(e.Client))
	}
	if want := strings.Repeat("a", world.MaxEventField-len("…")) + "…"; e.User != want {
		t.Fatalf("a field one byte over: %q", e.User)
	}
	// No rune starts in it: cut to nothing, without a panic.
	w.Record(world.Event{Provider: "p", Client: strings.Repeat("\x80", world.MaxEventField+1)})
	if got := w.Events()[1].Client; got != "…" {
		t.Fatalf("a field of continuation bytes cut to %q", got)
	}
}

// TestConsentExactly: a consent keeps exactly MaxConsentScopes scopes,
// and a scope of exactly MaxConsentBytes.
func TestConsentExactly(t *testing.T) {
	t.Parallel()
	w := world.New()
	realm := world.Realm{Provider: "microsoft", Tenant: "t"}
	var scopes []string
	for i := range world.MaxConsentScopes + 1 {
		scopes = append(scopes, "s"+strconv.Itoa(i))
	}
	w.GrantConsent(realm, "a@t.test", "app", scopes)
	if got := w.ConsentedScopes(realm, "a@t.test", "app"); !slices.Equal(got, scopes[:world.MaxConsentScopes]) {
		t.Fatalf("kept %d scopes, want the first %d", len(got), world.MaxConsentScopes)
	}
	big := strings.Repeat("x", world.MaxConsentBytes)
	w.GrantConsent(realm, "b@t.test", "app", []string{big})
	if !w.Consented(realm, "b@t.test", "app", []string{big}) {
		t.Fatal("a scope of exactly MaxConsentBytes was not kept")
	}
	w.GrantConsent(realm, "b@t.test", "app", []string{"y"})
	if w.Consented(realm, "b@t.test", "app", []string{"y"}) {
		t.Fatal("a scope past MaxConsentBytes was kept")
	}
}

// TestFaultBounds: a delay of 1 ms and one of MaxFaultDelay are armed,
// 0 ms and a millisecond more are not; a fault armed for two requests
// strikes two, and a fault's count may be 0 (until cleared), not less.
func TestFaultBounds(t *testing.T) {
	t.Parallel()
	w := world.New()
	p := w.DeclareFault("p", "smtp")
	max := int(world.MaxFaultDelay.Milliseconds())
	for ms, ok := range map[int]bool{1: true, max: true, 0: false, max + 1: false} {
		f, err := w.ArmFault(world.Fault{Target: "p.smtp", Kind: world.FaultDelay, DelayMS: ms})
		if (err == nil) != ok {
			t.Errorf("a delay of %d ms: %v", ms, err)
		}
		if ok && f.Delay() != time.Duration(ms)*time.Millisecond {
			t.Errorf("a delay of %d ms holds %v", ms, f.Delay())
		}
	}
	if d := (world.Fault{DelayMS: max + 1}).Delay(); d != world.MaxFaultDelay {
		t.Errorf("a delay past the bound holds %v", d)
	}
	w.ClearFaults()
	if _, err := w.ArmFault(world.Fault{Target: "p.smtp", Kind: world.FaultUnavailable, Count: -1}); err == nil {
		t.Error("a count of -1 was armed")
	}
	if _, err := w.ArmFault(world.Fault{Target: "p.smtp", Kind: world.FaultUnavailable, Count: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if f, ok := w.TakeFault(p); !ok || f.Hits != i+1 {
			t.Fatalf("strike %d of a fault armed for 2: %+v %v", i+1, f, ok)
		}
	}
	if _, ok := w.TakeFault(p); ok {
		t.Fatal("a fault armed for 2 struck a third time")
	}
}

// TestDeliveryLogExactly: a mailbox's log keeps exactly
// MaxMessagesPerMailbox messages, the newest; the log as a whole keeps
// exactly MaxLoggedBytes, and a single message over it stays logged.
func TestDeliveryLogExactly(t *testing.T) {
	w := world.New()
	w.SetMailLimits(mailstore.Limits{Mailbox: 1 << 40, Store: 1 << 40})
	for i := range world.MaxMessagesPerMailbox + 1 {
		if err := w.Deliver("a@x.test", []string{"b@x.test"}, []byte("Subject: "+strconv.Itoa(i)+"\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	log := w.Messages("b@x.test")
	if len(log) != world.MaxMessagesPerMailbox || log[0].Subject != "1" {
		t.Fatalf("%d messages logged, the oldest %q; want %d from \"1\"", len(log), log[0].Subject, world.MaxMessagesPerMailbox)
	}

	w = world.New()
	w.SetMailLimits(mailstore.Limits{Mailbox: 1 << 40, Store: 1 << 40})
	first := make([]byte, world.MaxLoggedBytes-1)
	for _, m := range [][]byte{first, []byte("x")} {
		if err := w.Deliver("a@x.test", []string{"c@x.test"}, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(w.Messages("c@x.test")); n != 2 {
		t.Fatalf("%d messages logged of exactly MaxLoggedBytes, want 2", n)
	}
	w = world.New()
	w.SetMailLimits(mailstore.Limits{Mailbox: 1 << 40, Store: 1 << 40})
	if err := w.Deliver("a@x.test", []string{"d@x.test"}, make([]byte, world.MaxLoggedBytes+1)); err != nil {
		t.Fatal(err)
	}
	if n := len(w.Messages("d@x.test")); n != 1 {
		t.Fatalf("a single message over MaxLoggedBytes: %d logged, want 1", n)
	}
	w.Restore(w.Capture())
	if n := len(w.Messages("d@x.test")); n != 1 {
		t.Fatalf("a single message over MaxLoggedBytes, captured and restored: %d logged, want 1", n)
	}
}

// TestMailLimitsOfOneByte: mail limits of one byte load; a quota of 0
// does not.
func TestMailLimitsOfOneByte(t *testing.T) {
	t.Parallel()
	w, err := world.Load(strings.NewReader("mail_limits: {mailbox_bytes: 1, store_bytes: 1}\n"), schemas)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.MailLimits(); got != (mailstore.Limits{Mailbox: 1, Store: 1}) {
		t.Fatalf("limits %+v", got)
	}
	if _, err := world.Load(strings.NewReader("mail_limits: {mailbox_bytes: 0, store_bytes: 5000}\n"), schemas); err == nil {
		t.Fatal("a quota of 0 bytes accepted")
	}
}

// deep nests itself, for the strict walk's depth: in a field, in a
// sequence, in a map.
type deep struct {
	Next *deep                         `yaml:"next"`
	List []deep                        `yaml:"list"`
	Map  map[string]world.ClientFields `yaml:"map"`
	Deep map[string]deep               `yaml:"deep"`
	At   *time.Time                    `yaml:"at"`
}

// nested is a document of mappings nested levels deep (the top one is
// level 1), the innermost holding key.
func nested(levels int, key string) string {
	return strings.Repeat("{next: ", levels-1) + "{" + key + ": 1}" + strings.Repeat("}", levels-1)
}

func decodeDoc(t *testing.T, doc string, v any) error {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return world.DecodeStrict(&n, v)
}

// TestDecodeStrictDepth: an unknown key is found down to a hundred levels
// of a document; deeper, the walk stops (its bound, for aliases that refer
// to each other) and Decode reads the rest.
func TestDecodeStrictDepth(t *testing.T) {
	t.Parallel()
	var ke *world.KeyError
	if err := decodeDoc(t, nested(100, "bogus"), &deep{}); !errors.As(err, &ke) || ke.Key != "bogus" {
		t.Fatalf("an unknown key 100 levels down: %v", err)
	}
	if err := decodeDoc(t, nested(101, "bogus"), &deep{}); err != nil {
		t.Fatalf("an unknown key past the walk's bound: %v", err)
	}
	// In sequences, each level is two steps: a field and an element.
	list := func(levels int) string {
		return strings.Repeat("{list: [", levels-1) + "{bogus: 1}" + strings.Repeat("]}", levels-1)
	}
	if err := decodeDoc(t, list(50), &deep{}); !errors.As(err, &ke) || ke.Key != "bogus" {
		t.Fatalf("an unknown key 50 sequences down: %v", err)
	}
	if err := decodeDoc(t, list(52), &deep{}); err != nil {
		t.Fatalf("an unknown key past the walk's bound, in sequences: %v", err)
	}
	maps := func(levels int) string {
		return strings.Repeat("{deep: {k: ", levels-1) + "{bogus: 1}" + strings.Repeat("}}", levels-1)
	}
	if err := decodeDoc(t, maps(50), &deep{}); !errors.As(err, &ke) || ke.Key != "bogus" {
		t.Fatalf("an unknown key 50 maps down: %v", err)
	}
	if err := decodeDoc(t, maps(52), &deep{}); err != nil {
		t.Fatalf("an unknown key past the walk's bound, in maps: %v", err)
	}
	if err := decodeDoc(t, "map: {a: {name: x}, b: {name: y, bogus: 1}}\n", &deep{}); !errors.As(err, &ke) || ke.Key != "bogus" {
		t.Fatalf("an unknown key in a map's value: %v", err)
	}
}

// TestDecodeStrictSelfAlias: an alias that holds itself gets an error,
// never an endless walk.
func TestDecodeStrictSelfAlias(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"next: &a {next: *a}\n", "<<: &a {<<: *a}\n"} {
		if err := decodeDoc(t, doc, &deep{}); err == nil {
			t.Fatalf("%q: an alias holding itself decoded", doc)
		}
	}
}

// TestLoadUnknownTopKey: a key of the world file's top level that nothing
// reads is refused, with its line.
func TestLoadUnknownTopKey(t *testing.T) {
	t.Parallel()
	_, err := world.Load(strings.NewReader("approve_as: []\ncolour: red\n"), schemas)
	if err == nil || !strings.Contains(err.Error(), `line 2, column 1: unknown key "colour"`) {
		t.Fatalf("an unknown top-level key: %v", err)
	}
}

// TestDecodeStrictMerge: a merge key ("<<") brings its mapping's keys, as
// yaml.v3 reads it; a "<<" tagged as a string is a key like any other.
func TestDecodeStrictMerge(t *testing.T) {
	t.Parallel()
	var c world.ClientFields
	if err := decodeDoc(t, "<<: {name: web}\nid: x\n", &c); err != nil || c.Name != "web" {
		t.Fatalf("a merge: %v %+v", err, c)
	}
	var ke *world.KeyError
	if err := decodeDoc(t, "!!str <<: 1\nid: x\n", &c); !errors.As(err, &ke) || ke.Key != "<<" {
		t.Fatalf("a \"<<\" tagged !!str: %v, want an unknown key", err)
	}
	for _, doc := range []string{"<<: {name: web}\ncolour: red\n", "<<: [{name: web}, {colour: red}]\n"} {
		if err := decodeDoc(t, doc, &c); !errors.As(err, &ke) || ke.Key != "colour" {
			t.Fatalf("%q: %v, want colour unknown", doc, err)
		}
	}
}

// TestDecodeStrictInstants: a time is an RFC 3339 instant, in a field of
// time.Time or of *time.Time; a date alone is refused with its key and
// place, null is no time.
func TestDecodeStrictInstants(t *testing.T) {
	t.Parallel()
	var ve *world.ValueError
	var s world.Secret
	if err := decodeDoc(t, "value: v\nexpires: 2026-01-31\n", &s); !errors.As(err, &ve) || ve.Key != "expires" || ve.Line != 2 {
		t.Fatalf("a date alone: %v, want a ValueError for expires on line 2", err)
	}
	if err := decodeDoc(t, "value: v\nexpires: 2026-01-31T00:00:00Z\n", &s); err != nil || s.Expires.IsZero() {
		t.Fatalf("an instant: %v %+v", err, s)
	}
	if err := decodeDoc(t, "at: 2026-01-31\n", &deep{}); !errors.As(err, &ve) || ve.Key != "at" {
		t.Fatalf("a date alone for a *time.Time: %v", err)
	}
	if err := decodeDoc(t, "at: null\n", &deep{}); err != nil {
		t.Fatalf("null for a *time.Time: %v", err)
	}
}

// TestRealmString: a realm is its provider, with its tenant after a slash
// if it has one.
func TestRealmString(t *testing.T) {
	t.Parallel()
	if got := (world.Realm{Provider: "google"}).String(); got != "google" {
		t.Errorf("got %q", got)
	}
	if got := (world.Realm{Provider: "microsoft", Tenant: "contoso"}).String(); got != "microsoft/contoso" {
		t.Errorf("got %q", got)
	}
}

// TestEventsSinceFewerThanLimit: a limit larger than what came after
// since returns only those.
func TestEventsSinceFewerThanLimit(t *testing.T) {
	t.Parallel()
	w := world.New()
	for i := range 10 {
		w.Clock.Advance(time.Second)
		w.Record(world.Event{Provider: google.Name, Reason: strconv.Itoa(i)})
	}
	all := w.Events()
	got := w.EventsSince(all[6].Time, 5)
	if len(got) != 3 || got[0].Reason != "7" {
		t.Fatalf("EventsSince the 7th, at most 5: %+v, want the 3 from \"7\"", got)
	}
}
