package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// testJWT is an unsigned JWT of claims (check token checks no signature).
func testJWT(t *testing.T, claims string) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

// checkReport is the documented --format json shape (docs/check.md).
type checkReport struct {
	Status string `json:"status"`
	Token  *struct {
		Kind    string         `json:"kind"`
		Shown   string         `json:"shown"`
		Alg     string         `json:"alg"`
		Typ     string         `json:"typ"`
		Claims  map[string]any `json:"claims"`
		Expires string         `json:"expires"`
	} `json:"token"`
	SASL *struct {
		Mechanism string `json:"mechanism"`
		Decoded   string `json:"decoded"`
		User      string `json:"user"`
		Token     string `json:"token"`
		Parsed    bool   `json:"parsed"`
		Answer    string `json:"answer"`
	} `json:"sasl"`
	Notes    []string `json:"notes"`
	Findings []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Title    string `json:"title"`
		Evidence string `json:"evidence"`
		Fix      string `json:"fix"`
	} `json:"findings"`
}

func TestCheckCommand(t *testing.T) {
	t.Setenv("MAILOAUTH_NOW", "2026-05-19T10:00:00Z")
	const exp = `"exp":1779188400` // 2026-05-19T11:00:00Z
	healthy := testJWT(t, `{"aud":"https://outlook.office.com","scp":"SMTP.Send","upn":"alice@contoso.test","tid":"t","ver":"1.0",`+exp+`}`)
	graph := testJWT(t, `{"aud":"https://graph.microsoft.com","scp":"SMTP.Send","upn":"alice@contoso.test","tid":"t","ver":"1.0",`+exp+`}`)
	xoauth2 := func(sep, tok string) string {
		return base64.StdEncoding.EncodeToString([]byte("user=alice@contoso.test" + sep + "auth=Bearer " + tok + sep + sep))
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout for exits 0 and 1, in stderr for 2
		id   string // the first finding's id, --format json
	}{
		{"healthy token", []string{"token", healthy, "--for", "smtp", "--user", "alice@contoso.test"}, exitPassed, "status: pass", ""},
		{"healthy token json", []string{"token", "--format", "json", healthy}, exitPassed, `"status": "pass"`, ""},
		{"graph token for smtp", []string{"token", graph, "--for", "smtp", "--format", "json"}, exitFailed, "https://outlook.office.com", "F-01"},
		{"graph token text", []string{"token", graph, "--for", "smtp"}, exitFailed, `ERROR F-01`, ""},
		{"expired", []string{"token", "--format", "json", testJWT(t, `{"aud":"https://outlook.office.com","scp":"SMTP.Send","tid":"t","upn":"a@b.test","ver":"1.0","exp":1779170400}`)}, exitFailed, "expired 4h0m0s ago", "F-16"},
		{"google", []string{"token", "ya29.a0example", "--format", "json"}, exitPassed, "https://mail.google.com/", "GM-01"},
		{"undecodable token", []string{"token", "eyJ.x+y.z"}, exitUsage, "does not decode: header", ""},
		{"healthy sasl", []string{"sasl", xoauth2("\x01", healthy), "--user", "alice@contoso.test", "--token-for", "smtp"}, exitPassed, "mechanism: XOAUTH2", ""},
		{"typed ^A", []string{"sasl", xoauth2("^A", healthy), "--format", "json"}, exitFailed, `\"^A\"`, "GM-02"},
		{"undecodable sasl", []string{"sasl", "***"}, exitUsage, "character 1", ""},
		{"no argument", []string{"token"}, exitUsage, "want one argument", ""},
		{"two arguments", []string{"token", "a", "b"}, exitUsage, "want one argument", ""},
		{"bad --for", []string{"token", healthy, "--for", "http"}, exitUsage, "want smtp, imap or pop3", ""},
		{"bad --format", []string{"token", healthy, "--format", "xml"}, exitUsage, "want text or json", ""},
		{"unknown flag", []string{"token", healthy, "--fro", "smtp"}, exitUsage, "did you mean --for?", ""},
		{"no such file", []string{"world", "x.yaml"}, exitUsage, "x.yaml: no such file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := mainArgs(append([]string{"check"}, tt.args...), &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, &out, &errOut)
			}
			where := out.String()
			if code == exitUsage {
				where = errOut.String()
			}
			if !strings.Contains(where, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, where)
			}
			for _, tok := range []string{healthy, graph} {
				if strings.Contains(out.String(), tok) {
					t.Errorf("the output prints the whole token")
				}
			}
			if !slicesContainJSON(tt.args) {
				return
			}
			var r checkReport
			dec := json.NewDecoder(&out)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("--format json: %v", err)
			}
			if r.Status == "" || r.Findings == nil || (r.Status == "fail") != (code == exitFailed) {
				t.Errorf("report %+v, exit %d", r, code)
			}
			if tt.id != "" && (len(r.Findings) == 0 || r.Findings[0].ID != tt.id) {
				t.Errorf("findings %+v, want %s first", r.Findings, tt.id)
			}
		})
	}
}

// slicesContainJSON reports whether args ask for --format json.
func slicesContainJSON(args []string) bool {
	for i := range args {
		if args[i] == "--format" && i+1 < len(args) && args[i+1] == "json" {
			return true
		}
	}
	return false
}
