package steps

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// TestDefinitionsAreRegistered compares what godog registered, as its
// ShowStepDefinitions prints it, with Definitions: the same patterns in
// the same order, each with a one-line doc and a concern.
func TestDefinitionsAreRegistered(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	godog.TestSuite{ScenarioInitializer: Initialize, Options: &godog.Options{
		Format: "progress", ShowStepDefinitions: true, Output: &out, NoColors: true,
	}}.Run()
	// godog colours the listing whatever NoColors says.
	listing := regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(out.String(), "")
	var registered []string
	for _, line := range strings.Split(strings.TrimSpace(listing), "\n") {
		pattern, _, ok := strings.Cut(line, " # ")
		if !ok {
			t.Fatalf("godog listed %q", line)
		}
		registered = append(registered, strings.TrimSpace(pattern))
	}
	defs := Definitions()
	if len(registered) != len(defs) {
		t.Fatalf("godog registered %d steps, Definitions lists %d", len(registered), len(defs))
	}
	for i, d := range defs {
		if d.Pattern != registered[i] {
			t.Errorf("definition %d is %q, godog registered %q", i, d.Pattern, registered[i])
		}
		if d.Concern == "" || strings.TrimSpace(d.Doc) == "" || strings.Contains(d.Doc, "\n") {
			t.Errorf("%s: concern %q, doc %q; want a concern and one line of doc", d.Pattern, d.Concern, d.Doc)
		}
	}
}
