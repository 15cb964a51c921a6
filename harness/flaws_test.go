package harness

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/harness/app"
	"github.com/mailoauth/mailoauth/harness/app/adapter"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/reports"
)

// brokenAdapters are the Go reference adapter with one behaviour broken
// (adapter.Flaws), each with the scenario of the @app suite that catches
// it and the step at which it fails (the reference passes it).
var brokenAdapters = []struct{ flaw, tags, scenario, step string }{
	{"never-refresh", "@google && @refresh", "An hour later the application refreshes the token and the message still goes (G-06, F-16)",
		`When the application sends a message to bob@gmail.test with the subject "Une heure plus tard"`},
	{"keep-first-refresh-token", "@microsoft && @refresh", "Refreshed every 60 days for 240 days, the rotated refresh token chain lives (M-03, F-12)",
		`And the application sends a message to bob@contoso.test with the subject "Jour 120"`},
	{"graph-scope", "@microsoft && @authcode && @smtp", "The application signs alice in at the tenant's endpoints and sends over SMTP 587 STARTTLS with XOAUTH2 (seed 001, M-01, EX-05)",
		`And the application sends a message to bob@contoso.test with the subject "Planning"`},
	{"gmail-send", "@google && @authcode && @smtp", "The application signs alice in and sends a message over SMTP STARTTLS with XOAUTH2 as alice (seed 001, GM-02, GM-04)",
		`And the application sends a message to bob@gmail.test with the subject "Emploi du temps"`},
	{"no-offline", "@google && @refresh", "An hour later the application refreshes the token and the message still goes (G-06, F-16)",
		`When the application sends a message to bob@gmail.test with the subject "Une heure plus tard"`},
	{"no-retry", "@google && @refresh", "The token endpoint is down once: the application retries the refresh and the message goes (G-07)",
		`When the application sends a message to bob@gmail.test with the subject "Après la panne"`},
	{"poll-at-once", "@microsoft && @device", "The device code flow, polled at the interval, approved by alice (seed 000, M-05, RFC 8628 §3.5)",
		`And the application waited at least 5 seconds between the device authorization and its first poll`},
	{"any-certificate", "@google && @tls", "A server certificate from another CA is refused: the application trusts only its CA and sends no code (seed 001)",
		`Then the application failed saying "certificate"`},
	{"wrong-user", "@google && @authcode && @smtp", "The application signs alice in and sends a message over SMTP STARTTLS with XOAUTH2 as alice (seed 001, GM-02, GM-04)",
		`And the application sends a message to bob@gmail.test with the subject "Emploi du temps"`},
	{"plain-auth", "@google && @authcode && @smtp", "The application signs alice in and sends a message over SMTP STARTTLS with XOAUTH2 as alice (seed 001, GM-02, GM-04)",
		`And the application sends a message to bob@gmail.test with the subject "Emploi du temps"`},
	{"ignore-state", "@google && @authcode", "A redirect with another state is refused by the application, which exchanges no code (G-04, RFC 6749 §10.12)",
		`Then the application failed saying "state"`},
}

// TestBrokenAdaptersAreCaught runs the @app scenarios with each broken
// adapter: the named scenario fails at the named step.
func TestBrokenAdaptersAreCaught(t *testing.T) {
	t.Parallel()
	self, err := app.Self()
	if err != nil {
		t.Fatal(err)
	}
	var covered []string
	for _, c := range brokenAdapters {
		covered = append(covered, c.flaw)
		dir := t.TempDir()
		cmd := adapter.FlawVariable + "=" + c.flaw + " " + app.ReferenceCommand(self)
		if _, err := Run(Options{Tags: "@app && " + c.tags, App: cmd, ReportDir: dir, Concurrency: 2}); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dir, "cucumber.json"))
		if err != nil {
			t.Fatal(err)
		}
		run, err := reports.FromCucumberJSON(f, registry.Names())
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(run.Scenarios, func(s reports.Scenario) bool { return s.Name == c.scenario })
		if i < 0 {
			t.Errorf("%s: no scenario %q under %s", c.flaw, c.scenario, c.tags)
			continue
		}
		if s := run.Scenarios[i]; s.Outcome != reports.Failed || s.FailedStep != c.step {
			t.Errorf("%s (%s): %q is %s at %q (%s), want a failure at %q",
				c.flaw, adapter.Flaws[c.flaw], s.Name, s.Outcome, s.FailedStep, strings.SplitN(s.Error, "\n", 2)[0], c.step)
		}
	}
	for flaw := range adapter.Flaws {
		if !slices.Contains(covered, flaw) {
			t.Errorf("no scenario is shown to catch the flaw %s", flaw)
		}
	}
}
