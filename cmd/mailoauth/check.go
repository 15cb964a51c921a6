package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/check"
)

// checkCommand is `mailoauth check token|sasl`: a diagnosis of a pasted
// token or SASL message, exit 0 when no finding is an error, 1 when one
// is, 2 when the input does not decode or on a usage error.
func checkCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, checkUsage)
		return exitUsage
	}
	switch args[0] {
	case "token", "sasl":
		return checkInput(args[0], args[1:], stdout, stderr)
	case "world":
		return checkFileCommand("world", args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, checkUsage)
		return exitPassed
	}
	if strings.HasPrefix(args[0], "-") && len(args) == 1 {
		fmt.Fprintf(stderr, "mailoauth check: want a file, token, sasl or world first, got %q\n\n%s", args[0], checkUsage)
		return exitUsage
	}
	return checkFileCommand("file", args, stdout, stderr)
}

const checkUsage = `usage:
  mailoauth check FILE [--format text|json] [--strict]
  mailoauth check world FILE [--format text|json] [--strict]
  mailoauth check token JWT [--for smtp|imap|pop3] [--user EMAIL] [--format text|json]
  mailoauth check sasl BASE64 [--for smtp|imap|pop3] [--user EMAIL] [--format text|json]
`

// checkInput runs check token or check sasl on its one argument.
func checkInput(sub string, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check "+sub, flag.ContinueOnError)
	fl.SetOutput(stderr)
	proto := fl.String("for", "", "the protocol the token is for: smtp, imap or pop3")
	fl.StringVar(proto, "token-for", "", "the same as --for")
	user := fl.String("user", "", "the mailbox the application logs in to")
	format := fl.String("format", "text", "text or json")
	var input []string
	for {
		if err := parseFlags(fl, args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitPassed
			}
			return exitUsage
		}
		if fl.NArg() == 0 {
			break
		}
		// The argument may come before the flags: take it, parse the rest.
		input = append(input, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if len(input) != 1 {
		fmt.Fprintf(stderr, "mailoauth check %s: want one argument, got %d\n", sub, len(input))
		return exitUsage
	}
	if !check.ValidProtocol(*proto) {
		fmt.Fprintf(stderr, "mailoauth check %s: --for %q: want smtp, imap or pop3\n", sub, *proto)
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "mailoauth check %s: --format %q: want text or json\n", sub, *format)
		return exitUsage
	}
	now, err := checkNow()
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth check %s: %v\n", sub, err)
		return exitUsage
	}
	opt := check.Options{For: *proto, User: *user, Now: now}
	var r *check.Report
	if sub == "token" {
		r, err = check.CheckToken(input[0], opt)
	} else {
		r, err = check.CheckSASL(input[0], opt)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth check %s: %v\n", sub, err)
		return exitUsage
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
	} else {
		writeCheckText(stdout, r)
	}
	if r.Failed() {
		return exitFailed
	}
	return exitPassed
}

// checkNow is MAILOAUTH_NOW (RFC 3339) when set, so a pasted token is
// judged at the instant it was captured; the clock otherwise.
func checkNow() (time.Time, error) {
	v := os.Getenv("MAILOAUTH_NOW")
	if v == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("MAILOAUTH_NOW %q: want an RFC 3339 instant (2026-05-19T10:00:00Z)", v)
	}
	return t, nil
}

// writeCheckText prints a report for a person: the decoded input, then
// each finding with its evidence and fix, then the notes.
func writeCheckText(w io.Writer, r *check.Report) {
	if s := r.SASL; s != nil {
		fmt.Fprintf(w, "mechanism: %s\ndecoded:   %s\nparsed:    %t\nanswer:    %s\n", firstOr(s.Mechanism, "unknown"), s.Decoded, s.Parsed, s.Answer)
		if s.User != "" {
			fmt.Fprintf(w, "user:      %s\n", s.User)
		}
	}
	if t := r.Token; t != nil {
		fmt.Fprintf(w, "token:     %s (%s)\n", t.Shown, t.Kind)
		for _, k := range []string{"aud", "scp", "roles", "tid", "upn", "unique_name", "preferred_username", "appid", "azp", "idtyp", "iss", "ver", "exp"} {
			if v, ok := t.Claims[k]; ok {
				b, _ := json.Marshal(v)
				fmt.Fprintf(w, "  %-19s %s\n", k, b)
			}
		}
		if t.Expires != "" {
			fmt.Fprintf(w, "  %-19s %s\n", "expires", t.Expires)
		}
	}
	if r.FirstFailure != "" {
		fmt.Fprintf(w, "first failing step: %s\n", r.FirstFailure)
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "findings:  none")
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "%s %s: %s\n  evidence: %s\n  fix: %s\n", strings.ToUpper(string(f.Severity)), f.ID, f.Title, f.Evidence, f.Fix)
		if len(f.Candidates) > 0 {
			fmt.Fprintln(w, "  the reply has several causes; for this configuration:")
		}
		for i, c := range f.Candidates {
			fmt.Fprintf(w, "    %d. %s %s (%s): %s\n", i+1, c.ID, c.Title, c.Verdict, c.Evidence)
		}
	}
	if r.Proved != "" {
		fmt.Fprintf(w, "proved: %s\n", r.Proved)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "status: %s\n", r.Status)
}

// firstOr is s, or def when s is "".
func firstOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
