package reports

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes summary.md: the totals, the provider × flow matrix,
// then each failure with its scenario, failing step, the server's last
// reply and the world's last refusals with their reasons and details.
func WriteMarkdown(w io.Writer, r *Run) error {
	var b strings.Builder
	t := r.Tally()
	b.WriteString("# mailoauth conformance report\n\n")
	if r.Application != "" {
		fmt.Fprintf(&b, "Application under test: `%s`\n\n", r.Application)
	}
	fmt.Fprintf(&b, "%s.\n\n", t.Sentence())
	b.WriteString(MatrixText(r.Matrix()))
	sections := []struct {
		title string
		match func(Scenario) bool
	}{
		{"Failures", func(s Scenario) bool { return s.Outcome == Failed && !s.Expected }},
		{"Expected failures (baseline)", func(s Scenario) bool { return s.Outcome == Failed && s.Expected }},
		{"Not supported", func(s Scenario) bool { return s.Outcome == NotSupported }},
	}
	for _, sec := range sections {
		header := false
		for _, s := range r.Scenarios {
			if !sec.match(s) {
				continue
			}
			if !header {
				fmt.Fprintf(&b, "\n## %s\n", sec.title)
				header = true
			}
			fmt.Fprintf(&b, "\n### %s / %s: %s\n\n", s.Provider, strings.Join(s.Flows, ", "), s.Name)
			if s.Outcome == NotSupported {
				fmt.Fprintf(&b, "- Feature: %s\n- Step: `%s`\n- Reason: %s\n", s.Feature, s.FailedStep, oneLine(s.Reason))
				continue
			}
			fmt.Fprintf(&b, "- Feature: %s\n- Failing step: `%s`\n- Error: %s\n", s.Feature, s.FailedStep, oneLine(s.Error))
			if s.Expected {
				fmt.Fprintf(&b, "- Baseline's reason: %s\n", oneLine(s.Reason))
			}
			if len(s.Actions) > 0 {
				fmt.Fprintf(&b, "- The application's actions:\n\n```\n%s\n```\n", strings.Join(s.Actions, "\n"))
			}
			if s.LastReply != "" {
				fmt.Fprintf(&b, "- Server's last reply:\n\n```\n%s\n```\n", s.LastReply)
			}
			if len(s.Refusals) > 0 {
				b.WriteString("- Why, as the world saw it (its last refusals):\n")
				for _, r := range s.Refusals {
					fmt.Fprintf(&b, "  - %s\n", oneLine(r))
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MatrixText renders the matrix as a Markdown table; each cell is
// "passed/total", marked "ok" when all passed and "FAIL" otherwise.
func MatrixText(m Matrix) string {
	var b strings.Builder
	b.WriteString("| provider |")
	for _, f := range m.Flows {
		fmt.Fprintf(&b, " %s |", f)
	}
	b.WriteString("\n|---|")
	for range m.Flows {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, p := range m.Providers {
		fmt.Fprintf(&b, "| %s |", p)
		for _, f := range m.Flows {
			c, ok := m.Cells[p][f]
			switch {
			case !ok:
				b.WriteString(" – |")
			case c.Total == 0:
				fmt.Fprintf(&b, " %d n/s |", c.NotSupported)
			default:
				verdict := "FAIL"
				if c.Passed+c.Expected == c.Total {
					verdict = "ok"
				}
				fmt.Fprintf(&b, " %d/%d %s%s |", c.Passed, c.Total, verdict, c.notes())
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// notes are a cell's expected failures and scenarios not supported.
func (c Cell) notes() string {
	var n string
	if c.Expected > 0 {
		n += fmt.Sprintf(", %d expected", c.Expected)
	}
	if c.NotSupported > 0 {
		n += fmt.Sprintf(", %d n/s", c.NotSupported)
	}
	return n
}

// Sentence is the tally in words: "51 scenarios: 49 passed, 1 failed, 1
// expected failure, 0 not supported".
func (t Tally) Sentence() string {
	s := fmt.Sprintf("%d scenarios: %d passed, %d failed", t.Ran(), t.Passed, t.Failed)
	if t.Expected > 0 {
		s += fmt.Sprintf(", %d expected failures (baseline)", t.Expected)
	}
	if t.NotSupported > 0 {
		s += fmt.Sprintf(", %d not supported", t.NotSupported)
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
