package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/mailoauth/mailoauth/harness/steps"
)

// stepsCommand is `mailoauth steps`: every step definition the scenarios
// can use, its pattern and one line saying what it does, by concern, for
// the authors of their own --features; --json prints them for tools.
func stepsCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("steps", flag.ContinueOnError)
	fl.SetOutput(stderr)
	asJSON := fl.Bool("json", false, `print a JSON array of {"concern", "pattern", "doc"} objects`)
	if err := parseFlags(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPassed
		}
		return exitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "mailoauth steps: unexpected argument %q\n", fl.Arg(0))
		return exitUsage
	}
	defs := steps.Definitions()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(defs); err != nil {
			fmt.Fprintf(stderr, "mailoauth steps: %v\n", err)
			return exitUsage
		}
		return exitPassed
	}
	writeSteps(stdout, defs)
	return exitPassed
}

// writeSteps lists the definitions as text: a heading per concern, then
// each pattern with its doc on the line below.
func writeSteps(w io.Writer, defs []steps.Definition) {
	fmt.Fprintf(w, "%d step definitions; a step's text must match a pattern (a Go regular expression).\n", len(defs))
	concern := ""
	for _, d := range defs {
		if d.Concern != concern {
			concern = d.Concern
			fmt.Fprintf(w, "\n%s\n", concern)
		}
		fmt.Fprintf(w, "  %s\n      %s\n", d.Pattern, d.Doc)
	}
}
