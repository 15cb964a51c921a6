package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestUnknownFlagSuggests: an unknown flag is a usage error (exit 2) with
// the nearest flag of that subcommand suggested, and none when no flag is
// near.
func TestUnknownFlagSuggests(t *testing.T) {
	for _, c := range []struct {
		args []string
		hint string
	}{
		{[]string{"serve", "--port", "default"}, "did you mean --ports?"},
		{[]string{"serve", "--stat-dir", "x"}, "did you mean --state-dir?"},
		{[]string{"run", "--tag", "@google"}, "did you mean --tags?"},
		{[]string{"steps", "--jsn"}, "did you mean --json?"},
		{[]string{"health", "--ur", "x"}, "did you mean --url?"},
		{[]string{"serve", "--zzzzzz"}, ""},
	} {
		out, err := exec.Command(binary, c.args...).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
			t.Errorf("%v: %v, want exit %d\n%s", c.args, err, exitUsage, out)
		}
		if c.hint == "" {
			if strings.Contains(string(out), "did you mean") {
				t.Errorf("%v: a suggestion for a flag near none:\n%s", c.args, out)
			}
		} else if !strings.Contains(string(out), "not defined: -"+strings.TrimLeft(c.args[1], "-")+"\n"+c.hint+"\n") {
			t.Errorf("%v: no %q under the error:\n%s", c.args, c.hint, out)
		}
	}
}
