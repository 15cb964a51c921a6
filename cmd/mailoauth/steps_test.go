package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/harness/steps"
)

// TestStepsLists runs `mailoauth steps`: every definition appears, its
// pattern on a line and its doc on the next, under its concern's heading.
func TestStepsLists(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := mainArgs([]string{"steps"}, &out, &errOut); code != exitPassed {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(out.String(), "\n")
	defs := steps.Definitions()
	if len(defs) < 100 {
		t.Fatalf("only %d definitions", len(defs))
	}
	for _, d := range defs {
		i := slices.Index(lines, "  "+d.Pattern)
		if i < 0 || lines[i+1] != "      "+d.Doc {
			t.Errorf("the listing lacks %q with its doc %q", d.Pattern, d.Doc)
			continue
		}
		if h := slices.Index(lines, d.Concern); h < 0 || h > i {
			t.Errorf("%q is not under the heading %q", d.Pattern, d.Concern)
		}
	}
}

// TestStepsJSON: --json is the definitions themselves.
func TestStepsJSON(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := mainArgs([]string{"steps", "--json"}, &out, &errOut); code != exitPassed {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got []steps.Definition
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, steps.Definitions()) {
		t.Fatalf("--json printed %d definitions, not the %d of steps.Definitions", len(got), len(steps.Definitions()))
	}
}

// TestStepsUsage: a usage error exits 2 and says why; -h prints the flags.
func TestStepsUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"steps", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"steps", "--no-such-flag"}, exitUsage, "-json"},
		{[]string{"steps", "-h"}, exitPassed, "-json"},
	} {
		var out, errOut bytes.Buffer
		if code := mainArgs(tc.args, &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut.String(), tc.code, tc.want)
		}
	}
}
