package main

import (
	"bytes"
	"flag"
	"fmt"
	"strings"
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
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (flag names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
