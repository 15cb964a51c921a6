package steps

import (
	"context"
	"slices"
	"strings"

	"github.com/cucumber/godog"

	"github.com/mailoauth/mailoauth/reports"
)

// maxRefusals is how many of the world's last refusals a failing step
// carries.
const maxRefusals = 3

// attachRefusals gives each failing step the world's last refusals, with
// their reasons and details (what was expected and what was found), as
// the attachment the reports show beside the failure (issue 24's "why").
func (s *scenario) attachRefusals(sc *godog.ScenarioContext) {
	sc.StepContext().After(func(ctx context.Context, _ *godog.Step, status godog.StepResultStatus, _ error) (context.Context, error) {
		if status != godog.StepFailed || s.server == nil {
			return ctx, nil
		}
		lines := s.lastRefusals()
		if len(lines) == 0 {
			return ctx, nil
		}
		return godog.Attach(ctx, godog.Attachment{FileName: reports.RefusalsAttachment, MediaType: "text/plain",
			Body: []byte(s.redact(strings.Join(lines, "\n")))}), nil
	})
}

// lastRefusals are the world's last maxRefusals refusals, oldest first,
// one a line: "provider protocol mechanism refused: reason: detail".
func (s *scenario) lastRefusals() []string {
	evs := s.server.World.Events()
	var out []string
	for i := len(evs) - 1; i >= 0 && len(out) < maxRefusals; i-- {
		e := evs[i]
		if e.Outcome != "refused" {
			continue
		}
		line := e.Provider + " " + e.Protocol + " " + e.Mechanism + " refused: " + e.Reason
		if e.Detail != "" {
			line += ": " + e.Detail
		}
		out = append(out, strings.ReplaceAll(line, "\n", " "))
	}
	slices.Reverse(out)
	return out
}
