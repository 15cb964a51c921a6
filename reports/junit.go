package reports

import (
	"encoding/xml"
	"io"
	"strings"
)

type junitSuites struct {
	XMLName    xml.Name        `xml:"testsuites"`
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Suites     []*junitSuite   `xml:"testsuite"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitSuite struct {
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Cases    []*junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// WriteJUnit writes junit.xml: a testsuite per feature, a testcase per
// scenario; a failure carries its step, error and the server's last reply;
// a scenario not supported, or a failure the baseline expects, is skipped
// with its reason; the application's actions are the testcase's output.
// The testsuites name the application under test.
func WriteJUnit(w io.Writer, r *Run) error {
	out := junitSuites{Name: "mailoauth"}
	if r.Application != "" {
		out.Properties = []junitProperty{{Name: "application", Value: r.Application}}
	}
	byFeature := map[string]*junitSuite{}
	for _, s := range r.Scenarios {
		suite := byFeature[s.Feature]
		if suite == nil {
			suite = &junitSuite{Name: s.Feature}
			byFeature[s.Feature] = suite
			out.Suites = append(out.Suites, suite)
		}
		c := &junitCase{Classname: s.Feature, Name: s.Name, SystemOut: strings.Join(s.Actions, "\n")}
		switch {
		case s.Outcome == Failed && s.Expected:
			c.Skipped = &junitMessage{Message: "expected failure (baseline): " + s.Reason, Body: s.FailedStep + ": " + s.Error}
		case s.Outcome == Failed:
			body := s.Error
			if s.LastReply != "" {
				body += "\nlast server reply: " + s.LastReply
			}
			c.Failure = &junitMessage{Message: "Step " + s.FailedStep + ": " + oneLine(s.Error), Type: "failed", Body: body}
		case s.Outcome == NotSupported:
			c.Skipped = &junitMessage{Message: s.Reason}
		case s.Outcome == Skipped:
			c.Skipped = &junitMessage{Message: "skipped"}
		}
		suite.Tests++
		out.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
			out.Failures++
		case c.Skipped != nil:
			suite.Skipped++
			out.Skipped++
		}
		suite.Cases = append(suite.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
