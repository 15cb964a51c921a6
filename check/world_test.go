package check

import (
	"errors"
	"strings"
	"testing"
)

// badWorld loads, and holds one of each thing a console accepts but that
// cannot work.
const badWorld = `providers:
  microsoft:
    tenants:
      contoso:
        id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10
        exchange:
          service_principals:
            - {app_id: 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f, object_id: 3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d}
            - {app_id: 00000000-1111-2222-3333-444444444444, object_id: 1f2e3d4c-5b6a-4978-8a7b-6c5d4e3f2a1b}
          mailbox_permissions:
            - {mailbox: nobody@contoso.test, user: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d}
        users: [{email: info@contoso.test, password: pw}]
        clients:
          - name: daemon
            id: 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f
            object_id: 3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d
            enterprise_object_id: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d
            web: ["http://crm.example.com/callback"]
            secrets: [{id: s1, value: v1, expires: 2020-01-01T00:00:00Z}]
  google:
    clients:
      - {name: web, id: 1-web.apps.googleusercontent.com, secret: s, type: web, redirect_uris: ["http://crm.example.com/cb", "urn:ietf:wg:oauth:2.0:oob"]}
`

// TestCheckWorld: each warning has its PROVIDERS.md id and its place in
// the file (F-02 names both object ids).
func TestCheckWorld(t *testing.T) {
	t.Parallel()
	r, err := CheckWorld("w.yaml", strings.NewReader(badWorld))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"F-02 app registration's own object id": "w.yaml:8:",
		"F-02 is no app registration":           "w.yaml:9:",
		"EX-02 nobody@contoso.test":             "w.yaml:11:",
		"F-09 expired on":                       "w.yaml:",
		"F-38 Entra accepts http only":          "w.yaml:18:",
		"G-10 http is accepted only":            "w.yaml:22:",
		"F-15 out-of-band":                      "w.yaml:22:",
	}
	for key, place := range want {
		id, text, _ := strings.Cut(key, " ")
		found := false
		for _, f := range r.Findings {
			if f.ID == id && strings.Contains(f.Evidence, text) && strings.HasPrefix(f.Evidence, place) && f.Severity == Warning {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s warning %q at %s in %+v", id, text, place, r.Findings)
		}
	}
	if r.Failed() {
		t.Errorf("warnings only, status %s", r.Status)
	}
	for _, f := range r.Findings {
		if f.ID == "F-02" && strings.Contains(f.Title, "own object id") && !strings.Contains(f.Title, "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d") {
			t.Errorf("F-02 does not name the enterprise object id: %s", f.Title)
		}
	}
}

// TestCheckWorldErrors: what stops loading is a *FileError with the
// file's line and column, the unknown key's neighbours, the nearest
// permission name.
func TestCheckWorldErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, want string }{
		{"providers:\n  google:\n    clients:\n      - {name: w, id: x, type: web, redirect_uri: [a]}\n", `w.yaml:4:37: unknown key "redirect_uri"`},
		{"providers:\n  google:\n    clients:\n      - {name: w, id: x, type: web, redirect_uri: [a]}\n", `(did you mean "redirect_uris"?)`},
		{"providers:\n  microsoft:\n    tenants:\n      c:\n        id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10\n        clients:\n          - {name: d, id: 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f, permissions: {application: [https://outlook.office365.com/IMAP.AccesAsApp]}}\n",
			`w.yaml:7:93: microsoft/c client 1: app "d": application permission "https://outlook.office365.com/IMAP.AccesAsApp": Office 365 Exchange Online has no such application permission (did you mean "IMAP.AccessAsApp"?)`},
		{"providers: [\n", "w.yaml:"},
		{"provders: {}\n", `w.yaml:1:1: unknown key "provders"`},
	} {
		_, err := CheckWorld("w.yaml", strings.NewReader(tc.doc))
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}
