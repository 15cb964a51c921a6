package harness

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/reports"
)

// TestScenarios runs every embedded scenario, each as a subtest; the
// MAILOAUTH_SCENARIO_TAGS environment variable may narrow them with a godog
// tag expression (make mutate runs only "@google"). An expression that
// selects no scenario fails: godog's OR is a comma, and "@a || @b" would
// otherwise pass by running nothing (every mutant of make mutate alive).
func TestScenarios(t *testing.T) {
	t.Parallel()
	var progress = os.Stdout
	if !testing.Verbose() {
		progress = nil
	}
	dir := t.TempDir()
	opts := Options{T: t, Tags: os.Getenv("MAILOAUTH_SCENARIO_TAGS"), ReportDir: dir}
	if progress != nil {
		opts.Progress = progress
	}
	passed, err := Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !passed {
		t.Fatal("some scenarios failed")
	}
	f, err := os.Open(filepath.Join(dir, "cucumber.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := reports.FromCucumberJSON(f, registry.Names())
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Scenarios) == 0 {
		t.Fatalf("no scenario matched the tags %q", opts.Tags)
	}
}

// TestBrokenScenariosFail runs scenarios that assert a reply no step
// produced (testdata/broken), one at a time: each must fail. Steps that
// kept an earlier step's reply would let them pass.
func TestBrokenScenariosFail(t *testing.T) {
	t.Parallel()
	for _, tag := range []string{"@broken-1", "@broken-2", "@broken-3", "@broken-4"} {
		passed, err := Run(Options{Features: os.DirFS("testdata/broken"), Tags: tag})
		if err != nil {
			t.Fatal(err)
		}
		if passed {
			t.Errorf("the broken scenario %s passed", tag)
		}
	}
}

// TestFailuresQuoteNoToken: a failing step that compares a token prints it
// shortened, in the progress output every report is made from.
func TestFailuresQuoteNoToken(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	passed, err := Run(Options{Features: os.DirFS("testdata/broken"), Tags: "@broken-4", Progress: &out})
	if err != nil || passed {
		t.Fatalf("passed %v, err %v", passed, err)
	}
	if !strings.Contains(out.String(), "ya29.") {
		t.Fatalf("the failure does not quote the token's start:\n%s", out.String())
	}
	if m := regexp.MustCompile(`ya29\.[A-Za-z0-9_-]{8,}`).FindString(out.String()); m != "" {
		t.Fatalf("the failure quotes a whole token %q:\n%s", m, out.String())
	}
}

// TestUndefinedStepPointsAtSteps: a step no definition matches is named,
// with where it was met and the command that lists the definitions, after
// godog's own snippet for it.
func TestUndefinedStepPointsAtSteps(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	passed, err := Run(Options{Features: os.DirFS("../testdata/features/failing"), Tags: "@device", Progress: &out})
	if err != nil || passed {
		t.Fatalf("passed %v, err %v", passed, err)
	}
	want := `undefined step "the device sings" (broken.feature: "A step nobody defined"): ` + stepsHint
	snippet := strings.Index(out.String(), "func theDeviceSings() error")
	if hint := strings.Index(out.String(), want); hint < 0 || snippet < 0 || hint < snippet {
		t.Fatalf("the progress output lacks godog's snippet and then %q:\n%s", want, out.String())
	}
}
