package harness

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/cucumber/godog"
)

// stepsHint is what an undefined step's report tells its author to run.
const stepsHint = `run "mailoauth steps" to list the step definitions`

// undefinedSteps collects the steps of a run that no definition matched:
// each step's text and where it was met, for a hint after godog's own
// summary and its snippets.
type undefinedSteps struct {
	mu    sync.Mutex
	where map[string][]string // step text → "file: scenario"
}

// watch records the scenario's undefined steps.
func (u *undefinedSteps) watch(sc *godog.ScenarioContext) {
	var scn *godog.Scenario
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		scn = s
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, _ error) (context.Context, error) {
		if status == godog.StepUndefined && scn != nil {
			u.mu.Lock()
			defer u.mu.Unlock()
			if u.where == nil {
				u.where = map[string][]string{}
			}
			u.where[st.Text] = append(u.where[st.Text], fmt.Sprintf("%s: %q", scn.Uri, scn.Name))
		}
		return ctx, nil
	})
}

// hints are one line per undefined step: its text, where it was met, and
// stepsHint.
func (u *undefinedSteps) hints() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var lines []string
	for text, where := range u.where {
		slices.Sort(where)
		lines = append(lines, fmt.Sprintf("undefined step %q (%s): %s", text, strings.Join(where, ", "), stepsHint))
	}
	slices.Sort(lines)
	return lines
}

// write prints the hints, if any.
func (u *undefinedSteps) write(w io.Writer) {
	for _, h := range u.hints() {
		fmt.Fprintln(w, h)
	}
}
