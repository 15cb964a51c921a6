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
	Passed   int
	Failed   int
	Failures []Scenario
}

// WriteHTML writes report.html: one self-contained page (no script, no
// external asset) with the provider × flow matrix coloured by outcome and
// every failure with its scenario, failing step and the server's last reply.
func WriteHTML(w io.Writer, r *Run) error {
	d := htmlData{Run: r, Matrix: r.Matrix()}
	d.Passed, d.Failed = r.Counts()
	for _, s := range r.Scenarios {
		if s.Outcome == Failed {
			d.Failures = append(d.Failures, s)
		}
	}
	return reportTemplate.Execute(w, d)
}
