package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runFile parses and runs one input file.
func runFile(t testing.TB, path string) *Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ParseInput(path, f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r, err := Run(context.Background(), in)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// TestSeedConfigurations: each seed's configuration goes through every
// step to the first mailbox command (or Trackdéchets' API) with no error
// finding, and says what it proved.
func TestSeedConfigurations(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../testdata/check/0*.yaml")
	if len(files) < 8 {
		t.Fatalf("%d seed configurations, want 8", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			r := runFile(t, path)
			if r.Failed() || r.Status != "pass" || r.FirstFailure != "" {
				t.Fatalf("status %s, first failure %q, findings %+v, steps %+v", r.Status, r.FirstFailure, r.Findings, r.Steps)
			}
			for _, s := range r.Steps {
				if !s.Pass {
					t.Errorf("step %s failed: %s", s.Name, s.Reply)
				}
			}
			if !strings.Contains(r.Proved, "as ") && !strings.Contains(r.Proved, "got ") {
				t.Errorf("proved %q", r.Proved)
			}
		})
	}
}

// TestBrokenConfigurations: every broken variant fails with the F-id its
// file name starts with first among the findings, an error, its first
// failing step named; no token is shown whole.
func TestBrokenConfigurations(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../testdata/check/broken/F-*.yaml")
	if len(files) < 30 {
		t.Fatalf("%d broken variants, want at least 30", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		want := strings.Join(strings.SplitN(name, "-", 3)[:2], "-")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runFile(t, path)
			if !r.Failed() || len(r.Findings) == 0 {
				t.Fatalf("no error finding; steps %+v", r.Steps)
			}
			got := r.Findings[0]
			if got.ID != want || got.Severity != Error {
				t.Fatalf("first finding %s (%s) %q, want %s; all %+v", got.ID, got.Severity, got.Title, want, r.Findings)
			}
			if r.FirstFailure == "" || got.Evidence == "" || got.Fix == "" {
				t.Errorf("first failure %q, evidence %q, fix %q", r.FirstFailure, got.Evidence, got.Fix)
			}
			for _, s := range r.Steps {
				if strings.Contains(s.Reply, "eyJ0eX") && len(s.Reply) > 0 && strings.Contains(s.Reply, ".eyJ") {
					t.Errorf("step %s shows a whole token: %s", s.Name, s.Reply)
				}
			}
		})
	}
}

// TestCandidatesRanked: Exchange's "NO AUTHENTICATE failed." has several
// causes; for a service principal made with the app registration's
// object id, F-02 is the likely one and names both object ids, and the
// audience and expiry are ruled out.
func TestCandidatesRanked(t *testing.T) {
	t.Parallel()
	r := runFile(t, "../testdata/check/broken/F-02-app-object-id.yaml")
	f := r.Findings[0]
	for _, id := range []string{"3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d", "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"} {
		if !strings.Contains(f.Evidence, id) || !strings.Contains(f.Fix, id) {
			t.Errorf("evidence/fix lack %s: %s / %s", id, f.Evidence, f.Fix)
		}
	}
	if !strings.Contains(f.Fix, "New-ServicePrincipal -AppId 2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f -ObjectId 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d") {
		t.Errorf("fix %q", f.Fix)
	}
	if len(f.Candidates) < 3 || f.Candidates[0].ID != "F-02" || f.Candidates[0].Verdict != "likely" {
		t.Fatalf("candidates %+v", f.Candidates)
	}
	for _, c := range f.Candidates[1:] {
		if c.ID == "F-01" && c.Verdict != "ruled out" {
			t.Errorf("F-01 %s: %s", c.Verdict, c.Evidence)
		}
	}
}

// TestHealthyWithWarnings: a Testing app (F-14) and a secret expiring
// within 30 days (F-09) work now: exit 0 with a warning each.
func TestHealthyWithWarnings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, edit, with, want string
	}{
		{"001-google-imap.yaml", "        type: web\n", "        type: web\n        testing: true\n", "F-14"},
		{"001-office365-imap.yaml", "value: Xq8Q~crm0mailoauth.secret-value00000000}", "value: Xq8Q~crm0mailoauth.secret-value00000000, expires: " + soon() + "}", "F-09"},
		{"001-office365-imap.yaml", "scopes: [https://outlook.office.com/IMAP.AccessAsUser.All, offline_access]", "scopes: [https://outlook.office.com/IMAP.AccessAsUser.All]", "F-41"},
		{"001-google-imap.yaml", "auth?access_type=offline&prompt=consent", "auth", "F-15"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile("../testdata/check/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			doc := strings.Replace(string(b), tc.edit, tc.with, 1)
			if doc == string(b) {
				t.Fatal("edit did not apply")
			}
			in, err := ParseInput(tc.file, strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Failed() || len(r.Findings) != 1 || r.Findings[0].ID != tc.want || r.Findings[0].Severity != Warning {
				t.Fatalf("findings %+v, steps %+v", r.Findings, r.Steps)
			}
		})
	}
}

// soon is an instant ten days from now, RFC 3339.
func soon() string { return time.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339) }
