package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mailoauth/mailoauth/check"
)

// checkFileCommand is `mailoauth check FILE` (what is "file") and
// `mailoauth check world FILE`: exit 0 when no finding is an error (with
// --strict: no finding at all), 1 otherwise, 2 when the file cannot be
// read, with its own line and column.
func checkFileCommand(what string, args []string, stdout, stderr io.Writer) int {
	name := "check"
	if what == "world" {
		name = "check world"
	}
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "text", "text or json")
	strict := fl.Bool("strict", false, "exit 1 on any finding, warnings included")
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
		input = append(input, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if len(input) != 1 {
		fmt.Fprintf(stderr, "mailoauth %s: want one file, got %d\n\n%s", name, len(input), checkUsage)
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "mailoauth %s: --format %q: want text or json\n", name, *format)
		return exitUsage
	}
	f, err := os.Open(input[0])
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth %s: %v\n", name, err)
		return exitUsage
	}
	defer f.Close()
	var r *check.Report
	if what == "world" {
		r, err = check.CheckWorld(input[0], f)
	} else {
		var in *check.Input
		if in, err = check.ParseInput(input[0], f); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			r, err = check.Run(ctx, in)
			cancel()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth %s: %v\n", name, err)
		return exitUsage
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
	} else {
		writeCheckSteps(stdout, r)
		writeCheckText(stdout, r)
	}
	if r.Failed() || (*strict && len(r.Findings) > 0) {
		return exitFailed
	}
	return exitPassed
}

// writeCheckSteps prints check FILE's steps: what was sent, the reply, pass or
// fail.
func writeCheckSteps(w io.Writer, r *check.Report) {
	for i, s := range r.Steps {
		mark := "pass"
		if !s.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%d. %s [%s]\n", i+1, s.Name, mark)
		if s.Sent != "" {
			fmt.Fprintf(w, "   sent:  %s\n", s.Sent)
		}
		fmt.Fprintf(w, "   reply: %s\n", s.Reply)
	}
}
