package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := mainArgs(nil, &out, &errOut); code != exitUsage {
		t.Fatalf("no command: exit %d", code)
	}
	if code := mainArgs([]string{"frobnicate"}, &out, &errOut); code != exitUsage {
		t.Fatalf("unknown command: exit %d", code)
	}
	if code := mainArgs([]string{"run", "--no-such-flag"}, &out, &errOut); code != exitUsage {
		t.Fatalf("unknown flag: exit %d", code)
	}
	if code := mainArgs([]string{"run", "--features", "/nonexistent"}, &out, &errOut); code != exitUsage {
		t.Fatalf("missing features dir: exit %d", code)
	}
	if code := mainArgs([]string{"run", "--report-dir", t.TempDir(), "--tags", "@nosuchtag"}, &out, &errOut); code != exitUsage {
		t.Fatalf("no scenario selected: exit %d", code)
	}
}

// TestRunPasses runs the embedded Google device scenarios and checks the
// three reports.
func TestRunPasses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := mainArgs([]string{"run", "--tags", "@google && @device", "--report-dir", dir}, &out, &errOut)
	if code != exitPassed {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if m := regexp.MustCompile(`\| google \| (\d+)/(\d+) ok \|`).FindStringSubmatch(out.String()); m == nil || m[1] != m[2] || m[1] == "0" {
		t.Fatalf("matrix not printed:\n%s", out.String())
	}
	for _, f := range []string{"junit.xml", "cucumber.json", "summary.md", "report.html"} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

// TestRunFails runs deliberately failing scenarios: exit 1, and summary.md
// names the scenario, the failing step and the server's last reply.
func TestRunFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := mainArgs([]string{"run", "--features", "../../testdata/features/failing", "--report-dir", dir}, &out, &errOut)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	summary, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"3 scenarios: 1 passed, 2 failed.",
		"| google | 1/2 FAIL | 0/1 FAIL |",
		"### google / authcode: Expecting a refresh token without access_type=offline",
		"- Failing step: `Then the token response has a refresh token`",
		"POST https://127.0.0.1:",
		`"token_type": "Bearer"`,
		"### google / device: A step nobody defined",
		"- Failing step: `When the device sings`",
		`- Error: step is undefined: run "mailoauth steps" to list the step definitions`,
	} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(string(summary), `"access_token": "ya29.`) && !strings.Contains(string(summary), "…") {
		t.Error("summary.md carries a full access token")
	}
	if want := `undefined step "the device sings" (broken.feature: "A step nobody defined"): run "mailoauth steps"`; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
	}
	junit, _ := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if !strings.Contains(string(junit), `failures="2"`) && !strings.Contains(string(junit), "failure") {
		t.Errorf("junit.xml does not record the failures:\n%s", junit)
	}
}
