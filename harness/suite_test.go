package harness

import (
	"os"
	"testing"
)

// TestScenarios runs every embedded scenario, each as a subtest.
func TestScenarios(t *testing.T) {
	var progress = os.Stdout
	if !testing.Verbose() {
		progress = nil
	}
	opts := Options{T: t}
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
