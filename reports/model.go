// Package reports turns a run of the scenarios into the conformance report:
// the provider × flow matrix and, for each failure, the scenario, the step
// that failed and the server's last reply. It reads godog's Cucumber JSON,
// so the junit.xml and cucumber.json of a run and its summary agree.
package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Outcomes of a scenario.
const (
	Passed  = "passed"
	Failed  = "failed"
	Skipped = "skipped"
	// NotSupported is a scenario the application under test does not do
	// (it answered 3), or that this machine cannot run (libfaketime
	// missing): neither a pass nor a failure.
	NotSupported = "not supported"
)

// Names of the step attachments the harness writes for the application
// under test: an action's record, and why a scenario is not supported.
const (
	ActionAttachment      = "mailoauth-action"
	UnsupportedAttachment = "mailoauth-unsupported"
)

// Scenario is the result of one scenario (one example row of an outline).
type Scenario struct {
	Feature  string
	Name     string
	Tags     []string
	Provider string
	Flows    []string
	Outcome  string
	// Reason says why a NotSupported scenario is not supported, or, for
	// a failure the baseline expects, the baseline's reason.
	Reason string
	// Expected marks a failure the baseline (--expect-failures) expects.
	Expected bool
	// Actions are the records of the application's actions (command
	// line, exit status, duration, last output lines), in order.
	Actions []string
	// FailedStep is the text of the step that failed (keyword and text).
	FailedStep string
	// Error is what the failing step said, without the server's reply.
	Error string
	// LastReply is the server's last reply before the failure, if known.
	LastReply string
	// Refusals are the world's last refusals when the step failed, oldest
	// first, each with its reason and detail (what was expected and
	// found): the failing step's RefusalsAttachment.
	Refusals []string
}

// Run is the result of a run.
type Run struct {
	// Application is the application under test of the @app scenarios,
	// as the reports name it ("" for none).
	Application string
	// Providers are the provider tags, in the matrix's column order.
	Providers []string
	Scenarios []Scenario
}

// Counts returns how many scenarios passed and failed, the failures the
// baseline expects among them (skipped and not supported ones count in
// neither).
func (r *Run) Counts() (passed, failed int) {
	t := r.Tally()
	return t.Passed, t.Failed + t.Expected
}

// Tally is how many scenarios ended each way.
type Tally struct {
	Passed int
	// Failed are the failures the baseline does not expect; Expected
	// those it does.
	Failed, Expected int
	NotSupported     int
	Skipped          int
}

// Ran is how many scenarios ran to an outcome (all but the skipped ones).
func (t Tally) Ran() int { return t.Passed + t.Failed + t.Expected + t.NotSupported }

// Tally counts the scenarios by outcome.
func (r *Run) Tally() Tally {
	var t Tally
	for _, s := range r.Scenarios {
		switch {
		case s.Outcome == Passed:
			t.Passed++
		case s.Outcome == Failed && s.Expected:
			t.Expected++
		case s.Outcome == Failed:
			t.Failed++
		case s.Outcome == NotSupported:
			t.NotSupported++
		default:
			t.Skipped++
		}
	}
	return t
}

// Cell is one cell of the matrix: Total counts the scenarios that passed
// or failed, Expected the failures among them the baseline expects;
// NotSupported are apart.
type Cell struct{ Passed, Expected, Total, NotSupported int }

// Matrix is the provider × flow table.
type Matrix struct {
	Providers []string
	Flows     []string
	Cells     map[string]map[string]Cell // provider -> flow -> cell
}

// suiteTag marks the scenarios of the application under test
// (features/app); it is not a flow.
const suiteTag = "app"

// flowOrder puts the well-known flows first, in the order of a mail-OAuth
// integration; others follow alphabetically.
var flowOrder = []string{"authcode", "refresh", "revoke", "device", "client-credentials", "smtp", "imap", "pop3"}

// Matrix counts the scenarios by provider and flow; a scenario with several
// flow tags counts in each.
func (r *Run) Matrix() Matrix {
	m := Matrix{Cells: map[string]map[string]Cell{}}
	for _, s := range r.Scenarios {
		if s.Outcome == Skipped {
			continue
		}
		if !slices.Contains(m.Providers, s.Provider) {
			m.Providers = append(m.Providers, s.Provider)
		}
		if m.Cells[s.Provider] == nil {
			m.Cells[s.Provider] = map[string]Cell{}
		}
		for _, f := range s.Flows {
			if !slices.Contains(m.Flows, f) {
				m.Flows = append(m.Flows, f)
			}
			c := m.Cells[s.Provider][f]
			switch {
			case s.Outcome == NotSupported:
				c.NotSupported++
			case s.Outcome == Passed:
				c.Passed++
				c.Total++
			default:
				c.Total++
				if s.Expected {
					c.Expected++
				}
			}
			m.Cells[s.Provider][f] = c
		}
	}
	slices.SortFunc(m.Providers, func(a, b string) int { return rank(r.Providers, a) - rank(r.Providers, b) })
	slices.SortFunc(m.Flows, func(a, b string) int {
		if d := rank(flowOrder, a) - rank(flowOrder, b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return m
}

func rank(order []string, s string) int {
	if i := slices.Index(order, s); i >= 0 {
		return i
	}
	return len(order)
}

// cucumber JSON, as godog writes it.
type cukeFeature struct {
	Name     string        `json:"name"`
	URI      string        `json:"uri"`
	Tags     []cukeTag     `json:"tags"`
	Elements []cukeElement `json:"elements"`
}

type cukeTag struct {
	Name string `json:"name"`
}

type cukeElement struct {
	Name  string     `json:"name"`
	Type  string     `json:"type"`
	Tags  []cukeTag  `json:"tags"`
	Steps []cukeStep `json:"steps"`
}

type cukeStep struct {
	Keyword string `json:"keyword"`
	Name    string `json:"name"`
	Result  struct {
		Status string `json:"status"`
		Error  string `json:"error_message"`
	} `json:"result"`
	Embeddings []struct {
		Name string `json:"name"`
		Data []byte `json:"data"` // base64 in the JSON
	} `json:"embeddings"`
}

// RefusalsAttachment names the attachment of a failing step that lists
// the world's last refusals, one a line (the harness attaches it; the
// reports show it).
const RefusalsAttachment = "mailoauth-refusals"

// refusalsOf is the refusals attached to st, one a line.
func refusalsOf(st cukeStep) []string {
	for _, e := range st.Embeddings {
		if e.Name == RefusalsAttachment {
			return strings.FieldsFunc(string(e.Data), func(r rune) bool { return r == '\n' })
		}
	}
	return nil
}

// lastReplyMarker introduces the server's reply in a step's error (see
// harness/steps).
const lastReplyMarker = "\nlast server reply: "

// FromCucumberJSON reads the Cucumber JSON of a run; providers are the
// provider tags, in the matrix's column order (a scenario's other tags are
// its flows).
func FromCucumberJSON(rd io.Reader, providers []string) (*Run, error) {
	var features []cukeFeature
	if err := json.NewDecoder(rd).Decode(&features); err != nil {
		return nil, fmt.Errorf("reports: reading cucumber JSON: %w", err)
	}
	run := &Run{Providers: slices.Clone(providers)}
	for _, f := range features {
		for _, e := range f.Elements {
			if e.Type != "" && e.Type != "scenario" {
				continue
			}
			run.Scenarios = append(run.Scenarios, scenarioOf(f, e, providers))
		}
	}
	return run, nil
}

func scenarioOf(f cukeFeature, e cukeElement, providers []string) Scenario {
	s := Scenario{Feature: f.Name, Name: e.Name, Provider: "untagged"}
	for _, t := range append(slices.Clone(f.Tags), e.Tags...) {
		name := strings.TrimPrefix(t.Name, "@")
		if slices.Contains(s.Tags, name) {
			continue
		}
		s.Tags = append(s.Tags, name)
		switch {
		case slices.Contains(providers, name):
			s.Provider = name
		case name == suiteTag:
		default:
			s.Flows = append(s.Flows, name)
		}
	}
	if len(s.Flows) == 0 {
		s.Flows = []string{"untagged"}
	}
	s.Outcome = Skipped
	for _, st := range e.Steps {
		for _, em := range st.Embeddings {
			switch em.Name {
			case ActionAttachment:
				s.Actions = append(s.Actions, string(em.Data))
			case UnsupportedAttachment:
				s.Outcome, s.Reason = NotSupported, string(em.Data)
				s.FailedStep = strings.TrimSpace(st.Keyword) + " " + st.Name
				return s
			}
		}
		switch st.Result.Status {
		case "passed":
			if s.Outcome == Skipped {
				s.Outcome = Passed
			}
		case "failed", "undefined", "pending", "ambiguous":
			s.Outcome = Failed
			s.FailedStep = strings.TrimSpace(st.Keyword) + " " + st.Name
			s.Error, s.LastReply, _ = strings.Cut(st.Result.Error, lastReplyMarker)
			s.Refusals = refusalsOf(st)
			if st.Result.Status != "failed" && s.Error == "" {
				s.Error = "step is " + st.Result.Status
			}
			if st.Result.Status == "undefined" {
				s.Error += `: run "mailoauth steps" to list the step definitions`
			}
			return s
		}
	}
	return s
}
