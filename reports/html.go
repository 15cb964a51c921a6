package reports

import (
	"embed"
	"html/template"
	"io"
)

//go:embed templates/report.html
var templateFS embed.FS

var reportTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"cell": func(m Matrix, provider, flow string) *Cell {
		c, ok := m.Cells[provider][flow]
		if !ok {
			return nil
		}
		return &c
	},
	"add": func(a, b int) int { return a + b },
}).ParseFS(templateFS, "templates/report.html"))

// htmlData is what report.html shows.
type htmlData struct {
	Run      *Run
	Matrix   Matrix
	Tally    Tally
	Passed   int
	Failed   int
	Failures []Scenario
	// Expected are the failures the baseline expects; NotSupported the
	// scenarios not supported, with their reasons.
	Expected, NotSupported []Scenario
}

// WriteHTML writes report.html: one self-contained page (no script, no
// external asset) with the provider × flow matrix coloured by outcome and
// every failure with its scenario, failing step and the server's last reply.
func WriteHTML(w io.Writer, r *Run) error {
	d := htmlData{Run: r, Matrix: r.Matrix(), Tally: r.Tally()}
	d.Passed, d.Failed = d.Tally.Passed, d.Tally.Failed
	for _, s := range r.Scenarios {
		switch {
		case s.Outcome == Failed && s.Expected:
			d.Expected = append(d.Expected, s)
		case s.Outcome == Failed:
			d.Failures = append(d.Failures, s)
		case s.Outcome == NotSupported:
			d.NotSupported = append(d.NotSupported, s)
		}
	}
	return reportTemplate.Execute(w, d)
}
