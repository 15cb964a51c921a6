package main

import (
	"bytes"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	t.Parallel()
	info := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2030-01-02T03:04:05Z"}}}
	got := versionText("", "", info)
	for _, want := range []string{"mailoauth v1.2.3\n", "commit 0123abcd (modified) 2030-01-02T03:04:05Z\n", "go1.99.1 "} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if got := versionText("v9.0.0", "feedface", info); !strings.HasPrefix(got, "mailoauth v9.0.0\ncommit feedface (modified)") {
		t.Errorf("the stamped version and commit do not win: %q", got)
	}
	if got := versionText("", "", &debug.BuildInfo{GoVersion: "go1.99.1"}); !strings.HasPrefix(got, "mailoauth (devel)\ncommit unknown\n") {
		t.Errorf("no build information: %q", got)
	}
}

// TestVersionCommand runs `mailoauth version` and `--version`, and the
// binary built with a stamped version (as make dist does).
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out, errOut bytes.Buffer
		if code := mainArgs(args, &out, &errOut); code != exitPassed || !strings.HasPrefix(out.String(), "mailoauth ") {
			t.Errorf("%v: exit %d, %q %q", args, code, out.String(), errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := mainArgs([]string{"version", "extra"}, &out, &errOut); code != exitUsage {
		t.Errorf("version extra: exit %d", code)
	}
	bin := t.TempDir() + "/mailoauth"
	if out, err := exec.Command("go", "build", "-ldflags", "-X main.version=v0.0.0-test -X main.commit=abc123", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(got), "mailoauth v0.0.0-test\ncommit abc123") {
		t.Fatalf("stamped binary: %q %v", got, err)
	}
}
