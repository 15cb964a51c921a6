package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/reports"
)

// TestFailuresSayWhy: a failing step carries the world's last refusals,
// with their reasons and details, into the reports (issue 24's "why").
func TestFailuresSayWhy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	passed, err := Run(Options{Features: os.DirFS("testdata/broken"), Tags: "@broken-1", ReportDir: dir})
	if err != nil || passed {
		t.Fatalf("passed %v, err %v", passed, err)
	}
	f, err := os.Open(filepath.Join(dir, "cucumber.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := reports.FromCucumberJSON(f, []string{"google"})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Scenarios) != 1 || len(run.Scenarios[0].Refusals) == 0 {
		t.Fatalf("no refusals reported: %+v", run.Scenarios)
	}
	got := run.Scenarios[0].Refusals[len(run.Scenarios[0].Refusals)-1]
	if !strings.Contains(got, "google oauth authorize refused: redirect_uri_mismatch: ") || !strings.Contains(got, "http://localhost:1/elsewhere") {
		t.Errorf("last refusal %q: want the refused redirect URI and why", got)
	}
}
