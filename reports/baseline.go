package reports

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Expectation is one entry of a baseline (`mailoauth run --expect-failures
// FILE`): a known failure of the application, by scenario name or by a
// tag expression, with the reason it is known.
type Expectation struct {
	// Scenario is a scenario's name, exactly.
	Scenario string `yaml:"scenario"`
	// Tags is a tag expression ("@microsoft and @device", "@google && ~@imap").
	Tags string `yaml:"tags"`
	// Reason says why the failure is expected.
	Reason string `yaml:"reason"`

	expr tagExpr
}

// String names the entry as its file does.
func (e Expectation) String() string {
	if e.Scenario != "" {
		return fmt.Sprintf("scenario %q", e.Scenario)
	}
	return fmt.Sprintf("tags %q", e.Tags)
}

// Baseline is the list of expected failures.
type Baseline []Expectation

// ReadBaseline reads a baseline's YAML: a list of {scenario | tags, reason}.
func ReadBaseline(rd io.Reader) (Baseline, error) {
	raw, err := io.ReadAll(io.LimitReader(rd, 1<<20))
	if err != nil {
		return nil, err
	}
	var b Baseline
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&b); err != nil && err != io.EOF {
		return nil, fmt.Errorf("reports: the baseline is not a YAML list of {scenario | tags, reason}: %w", err)
	}
	for i := range b {
		e := &b[i]
		switch {
		case (e.Scenario == "") == (e.Tags == ""):
			return nil, fmt.Errorf("reports: baseline entry %d needs exactly one of scenario and tags", i+1)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fmt.Errorf("reports: baseline entry %d (%s) has no reason", i+1, e)
		case e.Tags != "":
			if e.expr, err = parseTags(e.Tags); err != nil {
				return nil, fmt.Errorf("reports: baseline entry %d: %w", i+1, err)
			}
		}
	}
	return b, nil
}

func (e Expectation) matches(s Scenario) bool {
	if e.Scenario != "" {
		return s.Name == e.Scenario
	}
	return e.expr(s.Tags)
}

// Apply marks the failures the baseline expects (Scenario.Expected, its
// reason in Scenario.Reason) and returns the stale entries: those that
// match scenarios of this run of which none failed and at least one
// passed ("remove it from the baseline").
func (r *Run) Apply(b Baseline) (stale []Expectation) {
	for _, e := range b {
		passed, failed := 0, 0
		for i := range r.Scenarios {
			s := &r.Scenarios[i]
			if !e.matches(*s) {
				continue
			}
			switch s.Outcome {
			case Passed:
				passed++
			case Failed:
				failed++
				if !s.Expected {
					s.Expected, s.Reason = true, e.Reason
				}
			}
		}
		if passed > 0 && failed == 0 {
			stale = append(stale, e)
		}
	}
	return stale
}

// tagExpr is a compiled tag expression: whether a scenario's tags (without
// their @) satisfy it.
type tagExpr func(tags []string) bool

// parseTags compiles a tag expression: tags, "and"/"&&", "or"/"||"/",",
// "not"/"~"/"!", parentheses.
func parseTags(src string) (tagExpr, error) {
	p := &tagParser{toks: tokenize(src)}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("tag expression %q: unexpected %q", src, p.toks[p.pos])
	}
	return e, nil
}

func tokenize(src string) []string {
	for _, op := range []string{"(", ")", "&&", "||", "~", "!", ","} {
		src = strings.ReplaceAll(src, op, " "+op+" ")
	}
	return strings.Fields(src)
}

type tagParser struct {
	toks []string
	pos  int
}

func (p *tagParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *tagParser) or() (tagExpr, error) {
	left, err := p.and()
	for err == nil && slices.Contains([]string{"or", "||", ","}, p.peek()) {
		p.pos++
		var right tagExpr
		if right, err = p.and(); err == nil {
			l := left
			left = func(t []string) bool { return l(t) || right(t) }
		}
	}
	return left, err
}

func (p *tagParser) and() (tagExpr, error) {
	left, err := p.not()
	for err == nil && slices.Contains([]string{"and", "&&"}, p.peek()) {
		p.pos++
		var right tagExpr
		if right, err = p.not(); err == nil {
			l := left
			left = func(t []string) bool { return l(t) && right(t) }
		}
	}
	return left, err
}

func (p *tagParser) not() (tagExpr, error) {
	tok := p.peek()
	p.pos++
	switch {
	case tok == "not" || tok == "~" || tok == "!":
		inner, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(t []string) bool { return !inner(t) }, nil
	case tok == "(":
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("tag expression: a ( is not closed")
		}
		p.pos++
		return inner, nil
	case strings.HasPrefix(tok, "@") && len(tok) > 1:
		name := tok[1:]
		return func(t []string) bool { return slices.Contains(t, name) }, nil
	case tok == "":
		return nil, fmt.Errorf("tag expression: ends too early")
	}
	return nil, fmt.Errorf("tag expression: %q is not a tag (tags start with @)", tok)
}
