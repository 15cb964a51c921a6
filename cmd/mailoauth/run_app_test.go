package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runApp runs harness/testdata/app's two Trackdéchets scenarios with the
// application script (harness/testdata/apps) and a baseline's YAML ("":
// none); it returns the exit status, stdout, stderr and the report dir.
func runApp(t *testing.T, script, baseline string) (int, string, string, string) {
	t.Helper()
	dir := t.TempDir()
	abs, err := filepath.Abs(filepath.Join("../../harness/testdata/apps", script))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--features", "../../harness/testdata/app", "--report-dir", dir, "--app", abs, "--app-timeout", "5s"}
	if baseline != "" {
		path := filepath.Join(t.TempDir(), "baseline.yaml")
		if err := os.WriteFile(path, []byte(baseline), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--expect-failures", path)
	}
	var out, errOut bytes.Buffer
	code := mainArgs(args, &out, &errOut)
	return code, out.String(), errOut.String(), dir
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRunAppBaseline: --expect-failures works both ways: only expected
// failures, exit 0; an entry that now passes, exit 1 naming it.
func TestRunAppBaseline(t *testing.T) {
	t.Setenv("LEAK_LOG", filepath.Join(t.TempDir(), "log"))
	if code, out, errOut, _ := runApp(t, "notjson.sh", ""); code != exitFailed {
		t.Fatalf("failing application without a baseline: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut, dir := runApp(t, "notjson.sh", "- tags: \"@trackdechets and @authcode\"\n  reason: our JSON printer is broken (ticket 12)\n")
	if code != exitPassed || !strings.Contains(out, "2 expected failures (baseline), 0 not supported\nscenarios: 0 passed, 0 failed") {
		t.Fatalf("expected failures: exit %d\n%s\n%s", code, out, errOut)
	}
	summary := read(t, filepath.Join(dir, "summary.md"))
	for _, want := range []string{"Application under test: `", "notjson.sh`", "## Expected failures (baseline)",
		"- Baseline's reason: our JSON printer is broken (ticket 12)", "| trackdechets | 0/2 ok, 2 expected |"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	code, out, errOut, _ = runApp(t, "leak.sh", "- scenario: The first sign-in\n  reason: it used to fail\n")
	if code != exitFailed || !strings.Contains(errOut, `the baseline's scenario "The first sign-in" now passes: remove it from`) ||
		!strings.Contains(out, "scenarios: 2 passed, 0 failed") {
		t.Fatalf("stale entry: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, bad := range []string{"- scenario: x\n", "- reason: y\n", "- {scenario: x, tags: \"@a\", reason: y}\n",
		"- {tags: \"@a and\", reason: y}\n", "- {tag: \"@a\", reason: y}\n", "not: a list\n"} {
		if code, _, errOut, _ := runApp(t, "leak.sh", bad); code != exitUsage || !strings.Contains(errOut, "--expect-failures") {
			t.Errorf("baseline %q: exit %d, %s", bad, code, errOut)
		}
	}
}

// TestRunAppNotSupported: an application that answers 3 is neither a
// pass nor a failure: exit 0, and JUnit skips the scenarios with the reason.
func TestRunAppNotSupported(t *testing.T) {
	t.Parallel()
	code, out, errOut, dir := runApp(t, "unsupported.sh", "")
	if code != exitPassed || !strings.Contains(out, "0 expected failures (baseline), 2 not supported") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	junit := read(t, filepath.Join(dir, "junit.xml"))
	for _, want := range []string{`tests="2" failures="0" skipped="2"`, `<property name="application" value="`,
		`<skipped message="not supported by this application: it answered 3 to authorize">`} {
		if !strings.Contains(junit, want) {
			t.Errorf("junit.xml lacks %q:\n%s", want, junit)
		}
	}
	if html := read(t, filepath.Join(dir, "report.html")); !strings.Contains(html, "<h2>Not supported</h2>") ||
		!strings.Contains(html, `id="application"`) {
		t.Errorf("report.html:\n%s", html)
	}
}

// TestRunAppUsage: --app-timeout must be positive.
func TestRunAppUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := mainArgs([]string{"run", "--app-timeout", "0s"}, &out, &errOut); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
}
