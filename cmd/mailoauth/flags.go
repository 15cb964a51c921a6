package main

import (
	"bytes"
	"flag"
	"fmt"
	"strings"

	"github.com/mailoauth/mailoauth/internal/editdistance"
)

// parseFlags is fl.Parse, with a hint under an unknown flag's error when
// one of fl's flags is a near spelling of it ("--port": did you mean
// --ports?). The error is fl.Parse's.
func parseFlags(fl *flag.FlagSet, args []string) error {
	out := fl.Output()
	var buf bytes.Buffer
	fl.SetOutput(&buf)
	err := fl.Parse(args)
	fl.SetOutput(out)
	text := buf.String()
	if name, ok := strings.CutPrefix(firstLine(err), "flag provided but not defined: -"); ok {
		if near := nearestFlag(fl, name); near != "" {
			first, rest, _ := strings.Cut(text, "\n")
			text = first + "\ndid you mean --" + near + "?\n" + rest
		}
	}
	_, _ = fmt.Fprint(out, text)
	return err
}

func firstLine(err error) string {
	if err == nil {
		return ""
	}
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// nearestFlag is the flag of fl nearest to name in edit distance, if it
// is near enough to be a typo (at most 2 edits, or name a prefix of it);
// "" if none is.
func nearestFlag(fl *flag.FlagSet, name string) string {
	best, bestDist := "", 3
	fl.VisitAll(func(f *flag.Flag) {
		d := editdistance.Distance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}
