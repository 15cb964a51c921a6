package check

import (
	"context"
	"os"
	"path/filepath"
	"slices"
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
			if w, ok := wantEvidence[name]; ok && !strings.Contains(got.Evidence+" / "+got.Fix, w) {
				t.Errorf("evidence / fix lack %q: %s / %s", w, got.Evidence, got.Fix)
			}
			ids := map[string]bool{}
			for _, f := range r.Findings {
				if f.ID == "check" {
					t.Errorf("an unexplained failure: %+v", f)
				}
				if ids[f.ID] {
					t.Errorf("%s twice: %+v", f.ID, r.Findings)
				}
				ids[f.ID] = true
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
	// The finding's own cause first, then the others the log or the
	// configuration supports, then those ruled out.
	for file, want := range map[string][]string{
		"F-19-signed-in-as-admin.yaml": {"F-19 likely", "F-03 likely", "F-01 ruled out"},
		"F-10-no-admin-consent.yaml":   {"F-10 likely", "F-01 ruled out"},
		"F-01-graph-scope.yaml":        {"F-01 likely", "F-02 ruled out"},
		"F-03-other-mailbox.yaml":      {"F-03 likely", "F-19 likely", "F-01 ruled out"},
	} {
		r := runFile(t, "../testdata/check/broken/"+file)
		var got []string
		for _, c := range r.Findings[0].Candidates {
			got = append(got, c.ID+" "+c.Verdict)
		}
		if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
			t.Errorf("%s: candidates %q, want %q first", file, got, want)
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

// wantEvidence is what some broken variants' first finding must name: the
// setting, the value to type, the console's place.
var wantEvidence = map[string]string{
	"F-01-graph-scope.yaml":               `aud is "https://graph.microsoft.com"`,
	"F-02-no-service-principal.yaml":      "New-ServicePrincipal was not run",
	"F-02-no-mailbox-permission.yaml":     "no FullAccess on info@contoso.test",
	"F-08-secret-id.yaml":                 "not the Secret ID",
	"F-09-expired-secret.yaml":            "expired on 2020-01-01T00:00:00Z",
	"F-10-no-admin-consent.yaml":          "Grant admin consent for contoso.onmicrosoft.com",
	"F-14-testing-app.yaml":               "Publish app",
	"F-15-no-offline.yaml":                "access_type=offline",
	"F-15-oob.yaml":                       "the out-of-band flow is blocked",
	"F-18-secret-in-body.yaml":            "set token_endpoint_auth_method to client_secret_basic",
	"F-18-refreshed.yaml":                 "Trackdéchets has no refresh grant",
	"F-19-signed-in-as-admin.yaml":        "signed in as admin@contoso.test, logs in to the mailbox alice@contoso.test",
	"F-24-port-465.yaml":                  "port 587 with STARTTLS",
	"F-39-client-credentials-common.yaml": "https://login.microsoftonline.com/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/oauth2/v2.0/token",
	"F-41-no-offline-access.yaml":         "add offline_access",
	"F-02-app-object-id.yaml":             "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
	"F-30-user-consent-disabled.yaml":     "adminconsent?client_id=5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c",
	"F-38-trailing-slash.yaml":            "add exactly http://localhost:3017/",
	"F-21-email-as-client-id.yaml":        "Application (client) ID GUID",
	"F-11-delegated-scope.yaml":           "scope=https://outlook.office365.com/.default",
	"F-07-public-flows-off.yaml":          "Allow public client flows: Yes",
	"F-04-smtp-auth-disabled.yaml":        "Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
	"F-23-send-as.yaml":                   "Add-RecipientPermission",
	"F-17-oauthbearer.yaml":               "set the mechanism to XOAUTH2",
	"F-12-idle-refresh-token.yaml":        "refreshed 91d after signing in",
	"F-13-gmail-readonly.yaml":            "lack https://mail.google.com/",
	"F-40-google-device.yaml":             "loopback redirect",
	"F-37-garbled-client-id.yaml":         ".apps.googleusercontent.com id",
	"F-26-no-auth.yaml":                   "authenticate first",
	"F-29-two-default.yaml":               "one <resource>/.default",
	"F-25-auth-plain.yaml":                "STARTTLS first",
	"F-06-graph-and-outlook.yaml":         "hold Graph and Outlook scopes",
	"F-05-password.yaml":                  "mechanism LOGIN with a password",
	"F-27-security-defaults.yaml":         "tenant contoso.onmicrosoft.com has Security Defaults on",
	"F-03-other-mailbox.yaml":             "user= is bob@contoso.test",
}

// TestTitles: every id a finding of check FILE can carry has a title.
func TestTitles(t *testing.T) {
	t.Parallel()
	ids := []string{"F-01", "F-02", "F-03", "F-04", "F-05", "F-10", "F-13", "F-14", "F-15", "F-16", "F-17", "F-18", "F-19",
		"F-23", "F-24", "F-25", "F-26", "F-30", "F-33", "F-34", "F-37", "F-40", "F-41", "EX-01", "EX-08", "GM-04"}
	for _, id := range aadstsFindings {
		ids = append(ids, id)
	}
	for _, id := range ids {
		if titles[id] == "" {
			t.Errorf("%s has no title", id)
		}
	}
}
