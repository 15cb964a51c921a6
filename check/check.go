// Package check diagnoses a customer's mail OAuth set-up: a configuration
// (check FILE: the provider side built as a fake world, the application
// side run against it with the real client stack, step by step, up to the
// first mailbox command), a world file (check world), an access token
// (check token: will Exchange Online or Gmail accept it for SMTP, IMAP or
// POP) and a SASL initial response (check sasl: does it parse the way the
// servers parse XOAUTH2 and OAUTHBEARER). Each result is a Report of
// findings, each with its PROVIDERS.md id (section 7's F-ids where a
// misconfiguration is catalogued).
package check

import (
	"fmt"
	"time"

	"github.com/mailoauth/mailoauth/harness/client"
)

// Severity says whether a finding fails now (Error) or works now and
// will fail, or cannot be judged offline (Warning).
type Severity string

// The severities of a finding.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one diagnosis: the PROVIDERS.md id (an F-id of section 7
// where one applies), a title, the evidence found in the input and the
// fix in plain words.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Evidence string   `json:"evidence"`
	Fix      string   `json:"fix"`
	// Candidates are, for a reply with several causes, each cause ranked
	// with what supports or rules it out (check FILE).
	Candidates []Candidate `json:"candidates,omitempty"`
}

// Report is what a check found: its status ("pass" when no finding is an
// error, "fail" otherwise), the decoded token, the decoded SASL message
// (check sasl only), the findings, and notes on what was read and what an
// offline check cannot see.
type Report struct {
	Status string `json:"status"`
	// Steps are check FILE's exchanges with the providers, in order;
	// FirstFailure names the first that failed; Proved says what a
	// healthy configuration did.
	Steps        []Step    `json:"steps,omitempty"`
	FirstFailure string    `json:"first_failure,omitempty"`
	Proved       string    `json:"proved,omitempty"`
	Token        *Token    `json:"token,omitempty"`
	SASL         *SASL     `json:"sasl,omitempty"`
	Findings     []Finding `json:"findings"`
	Notes        []string  `json:"notes,omitempty"`
}

// Options are what the command line adds to the input.
type Options struct {
	// For is the protocol the token is meant for: "smtp", "imap",
	// "pop3", or "" for any of them.
	For string
	// User is the mailbox the application logs in to, or "".
	User string
	// Now is the instant expiry is judged against.
	Now time.Time
}

// Failed reports whether any finding is an error.
func (r *Report) Failed() bool {
	for _, f := range r.Findings {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// add appends a finding.
func (r *Report) add(id string, sev Severity, title, evidence, fix string) {
	r.Findings = append(r.Findings, Finding{ID: id, Severity: sev, Title: title, Evidence: evidence, Fix: fix})
}

// note appends a note.
func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// finish sets the status and makes findings a list even when empty.
func (r *Report) finish() {
	r.Status = "pass"
	if r.Failed() {
		r.Status = "fail"
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
}

// InputError is input that cannot be read at all: a token or blob that
// does not decode, with where decoding stopped.
type InputError struct {
	// What is the input ("token", "SASL message").
	What string
	// Where says where decoding stopped ("payload, character 17").
	Where string
	// Problem says what was found there.
	Problem string
}

func (e *InputError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("the %s does not decode: %s", e.What, e.Problem)
	}
	return fmt.Sprintf("the %s does not decode: %s: %s", e.What, e.Where, e.Problem)
}

// redact shortens a secret the way the client stack's reports do.
func redact(s string) string { return client.Redact(s) }
