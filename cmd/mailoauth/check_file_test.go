package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckFileCommand: check FILE and check world through the CLI: a
// seed configuration exits 0 saying what it proved, a broken variant 1
// with its F-id first, a warning 0 (1 with --strict), unreadable input 2
// with file:line:column; --format json decodes into the documented shape.
func TestCheckFileCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, from, old, new string) string {
		b, err := os.ReadFile(filepath.Join("../../testdata/check", from))
		if err != nil {
			t.Fatal(err)
		}
		doc := strings.Replace(string(b), old, new, 1)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	testingApp := write("testing.yaml", "001-google-imap.yaml", "        type: web\n", "        type: web\n        testing: true\n")
	typo := write("typo.yaml", "000-microsoft-smtp.yaml", "  redirect_uri:", "  redirect_url:")
	world := write("world.yaml", "002-client-credentials-imap.yaml", "object_id: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d}", "object_id: 3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d}")
	worldOnly := filepath.Join(dir, "only-world.yaml")
	b, _ := os.ReadFile(world)
	providers, _, _ := strings.Cut(string(b), "application:")
	if err := os.WriteFile(worldOnly, []byte(providers), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
		id   string
	}{
		{"seed", []string{"../../testdata/check/000-microsoft-smtp.yaml"}, exitPassed, "proved: sent a message through smtp.office365.com:587 as alice@contoso.test", ""},
		{"seed json", []string{"../../testdata/check/002-client-credentials-imap.yaml", "--format", "json"}, exitPassed, `"proved": "selected INBOX`, ""},
		{"broken", []string{"../../testdata/check/broken/F-01-graph-scope.yaml"}, exitFailed, "ERROR F-01", ""},
		{"broken json", []string{"--format", "json", "../../testdata/check/broken/F-17-oauthbearer.yaml"}, exitFailed, `"first_failure": "authenticate"`, "F-17"},
		{"steps", []string{"../../testdata/check/broken/F-24-port-465.yaml"}, exitFailed, "connect [FAIL]", ""},
		{"warning", []string{testingApp}, exitPassed, "WARNING F-14", ""},
		{"warning strict", []string{testingApp, "--strict"}, exitFailed, "WARNING F-14", ""},
		{"unknown key", []string{typo}, exitUsage, "typo.yaml:30:3: unknown key \"redirect_url\" under application", ""},
		{"world warnings", []string{"world", worldOnly}, exitPassed, "WARNING F-02", ""},
		{"world strict", []string{"world", "--strict", worldOnly, "--format", "json"}, exitFailed, "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", "F-02"},
		{"world unreadable", []string{"world", typo}, exitUsage, `typo.yaml:23:1: unknown key "application"`, ""},
		{"two files", []string{"a.yaml", "b.yaml"}, exitUsage, "want one file, got 2", ""},
		{"bad format", []string{"a.yaml", "--format", "xml"}, exitUsage, "want text or json", ""},
		{"flag alone", []string{"--strict"}, exitUsage, "want a file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
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
			if !slicesContainJSON(tt.args) {
				return
			}
			var r struct {
				Status       string `json:"status"`
				FirstFailure string `json:"first_failure"`
				Findings     []struct {
					ID string `json:"id"`
				} `json:"findings"`
			}
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if tt.id != "" && (len(r.Findings) == 0 || r.Findings[0].ID != tt.id) {
				t.Errorf("findings %+v, want %s first", r.Findings, tt.id)
			}
		})
	}
}
