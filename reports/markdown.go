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
	passed, failed := r.Counts()
	b.WriteString("# mailoauth conformance report\n\n")
	fmt.Fprintf(&b, "%d scenarios: %d passed, %d failed.\n\n", passed+failed, passed, failed)
	b.WriteString(MatrixText(r.Matrix()))
	if failed > 0 {
		b.WriteString("\n## Failures\n")
		for _, s := range r.Scenarios {
			if s.Outcome != Failed {
				continue
			}
			fmt.Fprintf(&b, "\n### %s / %s: %s\n\n", s.Provider, strings.Join(s.Flows, ", "), s.Name)
			fmt.Fprintf(&b, "- Feature: %s\n- Failing step: `%s`\n- Error: %s\n", s.Feature, s.FailedStep, oneLine(s.Error))
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
			case c.Passed == c.Total:
				fmt.Fprintf(&b, " %d/%d ok |", c.Passed, c.Total)
			default:
				fmt.Fprintf(&b, " %d/%d FAIL |", c.Passed, c.Total)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
