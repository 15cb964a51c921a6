package check

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// seedDoc is a seed configuration with one edit.
func seedDoc(t *testing.T, file, old, new string) string {
	t.Helper()
	b, err := os.ReadFile("../testdata/check/" + file)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(b), old, new, 1)
	if doc == string(b) {
		t.Fatalf("edit %q did not apply to %s", old, file)
	}
	return doc
}

// TestParseInputErrors: input that cannot be read is a *FileError with the
// file's own line and column and what is wrong, never a Go type.
func TestParseInputErrors(t *testing.T) {
	t.Parallel()
	const o = "001-office365-imap.yaml"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"not YAML", "application: [\n  provider: x\n", "in.yaml:"},
		{"not a mapping", "- a\n- b\n", "in.yaml:1:1: the file is not a mapping"},
		{"empty", "", "in.yaml:1:1: the file is empty"},
		{"unknown top key", "aplication: {}\nproviders: {}\n", `in.yaml:1:1: unknown key "aplication" (the keys here are application, providers) (did you mean "application"?)`},
		{"unknown application key", seedDoc(t, o, "  client_secret:", "  client_secrt:"), `in.yaml:34:3: unknown key "client_secrt" under application`},
		{"suggestion", seedDoc(t, o, "  client_secret:", "  client_secrt:"), `(did you mean "client_secret"?)`},
		{"port", seedDoc(t, o, "port: 993", "port: imaps"), `in.yaml:40:61: mail port "imaps": a number from 1 to 65535`},
		{"security", seedDoc(t, o, "security: tls", "security: ssl"), `mail security "ssl"`},
		{"mechanism", seedDoc(t, o, "mechanism: XOAUTH2", "mechanism: XOAUTH"), `(did you mean "XOAUTH2"?)`},
		{"flow", seedDoc(t, o, "flow: authorization_code", "flow: authcode"), `in.yaml:32:9: flow "authcode": one of authorization_code, device_code, client_credentials`},
		{"refresh_after", seedDoc(t, o, "  user: alice@contoso.test\n  mail", "  user: alice@contoso.test\n  refresh_after: soon\n  mail"), `refresh_after "soon": a positive duration`},
		{"scopes a mapping", seedDoc(t, o, "scopes: [https://outlook.office.com/IMAP.AccessAsUser.All, offline_access]", "scopes: {a: b}"), "scopes is a list of scopes"},
		{"user a list", seedDoc(t, o, "  user: alice@contoso.test", "  user: [alice@contoso.test]"), "user is one value, not a list"},
		{"twice", seedDoc(t, o, "  user: alice@contoso.test\n", "  user: alice@contoso.test\n  user: bob@contoso.test\n"), "user is given twice"},
		{"no redirect", seedDoc(t, o, "  redirect_uri: http://localhost:3017\n", ""), "application has no redirect_uri, which the authorization_code flow needs"},
		{"world key", seedDoc(t, o, "            web:", "            redirect_uris:"), `in.yaml:17:13: unknown key "redirect_uris"`},
		{"permission typo", seedDoc(t, "002-client-credentials-imap.yaml", "IMAP.AccessAsApp]", "IMAP.AccesAsApp]"), `(did you mean "IMAP.AccessAsApp"?)`},
		{"permission place", seedDoc(t, "002-client-credentials-imap.yaml", "IMAP.AccessAsApp]", "IMAP.AccesAsApp]"), "in.yaml:27:29: "},
		{"world value kind", seedDoc(t, o, `web: ["http://localhost:3017"]`, "web: {a: b}"), "in.yaml:17:"},
		{"app id", seedDoc(t, o, "          - name: crm\n            id: 5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c", "          - name: crm\n            id: crm-app"), `in.yaml:14:17: microsoft/contoso client 1: app "crm": id "crm-app" is not a GUID`},
		{"date", seedDoc(t, o, "secret-value00000000}", "secret-value00000000, expires: 2020-01-01}"), "expires must be an RFC 3339 instant"},
		{"too large", "# " + strings.Repeat("x", MaxInputBytes) + "\n", "in.yaml: larger than 1048576 bytes (1 MiB)"},
		{"port 0", seedDoc(t, o, "port: 993", "port: 0"), `mail port "0"`},
		{"port 65536", seedDoc(t, o, "port: 993", "port: 65536"), `mail port "65536"`},
		{"refresh_after 0", seedDoc(t, o, "  user: alice@contoso.test\n  mail", "  user: alice@contoso.test\n  refresh_after: 0s\n  mail"), `refresh_after "0s"`},
		{"days", seedDoc(t, o, "  user: alice@contoso.test\n  mail", "  user: alice@contoso.test\n  refresh_after: 3651d\n  mail"), `refresh_after "3651d"`},
		{"endpoint", seedDoc(t, o, "token_endpoint: https://", "token_endpoint: ftp://"), "token_endpoint \"ftp://"},
		{"redirect", seedDoc(t, o, "redirect_uri: http://localhost:3017", "redirect_uri: localhost-3017"), `redirect_uri "localhost-3017": an absolute URI`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseInput("in.yaml", strings.NewReader(tc.doc))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want a *FileError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to hold %q", err, tc.want)
			}
			for _, goWord := range []string{"unmarshal", "[]string", "struct", "!!"} {
				if strings.Contains(err.Error(), goWord) {
					t.Errorf("error %q shows a Go type (%s)", err, goWord)
				}
			}
		})
	}
}

// TestParseInputAccepts: what an application may hold is read: the
// largest port, a null value as absent, an alias, the out-of-band URN as
// a redirect URI, scopes as one string.
func TestParseInputAccepts(t *testing.T) {
	t.Parallel()
	const o = "001-office365-imap.yaml"
	for name, doc := range map[string]string{
		"port 65535":  seedDoc(t, o, "port: 993", "port: 65535"),
		"null":        seedDoc(t, o, "  client_secret: Xq8Q~crm0mailoauth.secret-value00000000", "  client_secret: ~"),
		"alias":       seedDoc(t, o, "  user: alice@contoso.test\n  mail", "  user: &u alice@contoso.test\n  api_endpoint: *u\n  mail"),
		"oob":         seedDoc(t, o, "redirect_uri: http://localhost:3017", "redirect_uri: urn:ietf:wg:oauth:2.0:oob"),
		"scope words": seedDoc(t, o, "scopes: [https://outlook.office.com/IMAP.AccessAsUser.All, offline_access]", "scopes: https://outlook.office.com/IMAP.AccessAsUser.All offline_access"),
	} {
		in, err := ParseInput("in.yaml", strings.NewReader(doc))
		if name == "alias" {
			// api_endpoint takes the alias's value, and refuses it as no URL.
			if err == nil || !strings.Contains(err.Error(), `api_endpoint "alice@contoso.test"`) {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		switch name {
		case "port 65535":
			if in.App.Mail.Port != 65535 {
				t.Errorf("port %d", in.App.Mail.Port)
			}
		case "null":
			if in.App.ClientSecret != "" {
				t.Errorf("client_secret %q", in.App.ClientSecret)
			}
		case "scope words":
			if len(in.App.Scopes) != 2 {
				t.Errorf("scopes %q", in.App.Scopes)
			}
		}
	}
}
