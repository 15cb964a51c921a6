package microsoft_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestWorldFileWarnings: a service principal of no app registration and a
// mailbox permission on no account load (Exchange Online accepts both),
// each with a warning; the seeded world has none.
func TestWorldFileWarnings(t *testing.T) {
	t.Parallel()
	const doc = `
providers:
  microsoft:
    tenants:
      contoso:
        id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10
        exchange:
          service_principals:
            - {app_id: 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f, object_id: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d}
            - {app_id: 00000000-1111-2222-3333-444444444444, object_id: 1f2e3d4c-5b6a-4978-8a7b-6c5d4e3f2a1b}
          mailbox_permissions:
            - {mailbox: alice@contoso.test, user: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d}
            - {mailbox: nobody@contoso.test, user: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d}
        clients: [{name: d, id: 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f}]
        users: [{email: alice@contoso.test, password: pw}]
`
	w, err := world.Load(strings.NewReader(doc), world.Schemas{microsoft.Name: microsoft.Schema()})
	if err != nil {
		t.Fatal(err)
	}
	got := w.Warnings()
	if len(got) != 2 ||
		!slices.ContainsFunc(got, func(s string) bool {
			return strings.Contains(s, "app_id 00000000-1111-2222-3333-444444444444 is no app registration")
		}) ||
		!slices.ContainsFunc(got, func(s string) bool {
			return strings.Contains(s, "mailbox permission on nobody@contoso.test, which is no account")
		}) {
		t.Errorf("warnings: %q", got)
	}
}

// TestWorldFileDates: a date that is not an RFC 3339 instant is an error
// naming the key, its line and column and an example; an instant loads.
func TestWorldFileDates(t *testing.T) {
	t.Parallel()
	doc := func(expires string) string {
		return "providers:\n  microsoft:\n    tenants:\n      contoso:\n        id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10\n" +
			"        clients:\n          - name: d\n            id: 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f\n" +
			"            secrets: [{value: s, expires: " + expires + "}]\n"
	}
	schemas := world.Schemas{microsoft.Name: microsoft.Schema()}
	for _, bad := range []string{"2020-01-01", "2020-01-01 10:00:00", "tomorrow", "1577836800"} {
		_, err := world.Load(strings.NewReader(doc(bad)), schemas)
		if err == nil || !strings.Contains(err.Error(), "line 9, column 43: expires must be an RFC 3339 instant, like 2026-01-31T00:00:00Z") {
			t.Errorf("expires: %s: %v", bad, err)
		}
	}
	for _, good := range []string{"2020-01-01T00:00:00Z", `"2030-06-01T12:00:00+02:00"`} {
		if _, err := world.Load(strings.NewReader(doc(good)), schemas); err != nil {
			t.Errorf("expires: %s: %v", good, err)
		}
	}
}
