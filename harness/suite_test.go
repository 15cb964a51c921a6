package harness

import (
	"os"
	"testing"
)

// TestScenarios runs every embedded scenario, each as a subtest; the
// MAILOAUTH_SCENARIO_TAGS environment variable may narrow them with a godog
// tag expression (make mutate runs only "@google").
func TestScenarios(t *testing.T) {
	var progress = os.Stdout
	if !testing.Verbose() {
		progress = nil
	}
	opts := Options{T: t, Tags: os.Getenv("MAILOAUTH_SCENARIO_TAGS")}
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
}

// TestBrokenScenariosFail runs scenarios that assert a reply no step
// produced (testdata/broken), one at a time: each must fail. Steps that
// kept an earlier step's reply would let them pass.
func TestBrokenScenariosFail(t *testing.T) {
	for _, tag := range []string{"@broken-1", "@broken-2", "@broken-3"} {
		passed, err := Run(Options{Features: os.DirFS("testdata/broken"), Tags: tag})
		if err != nil {
			t.Fatal(err)
		}
		if passed {
			t.Errorf("the broken scenario %s passed", tag)
		}
	}
}
