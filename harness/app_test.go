package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/reports"
)

// runApp runs testdata/app's two scenarios with the application command
// and returns their results.
func runApp(t *testing.T, command string, timeout time.Duration, env ...string) *reports.Run {
	t.Helper()
	for i := 0; i+1 < len(env); i += 2 {
		t.Setenv(env[i], env[i+1])
	}
	dir := t.TempDir()
	if _, err := Run(Options{Features: os.DirFS("testdata/app"), App: command, AppTimeout: timeout,
		ReportDir: dir, Concurrency: 2}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "cucumber.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := reports.FromCucumberJSON(f, registry.Names())
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Scenarios) != 2 {
		t.Fatalf("%d scenarios ran", len(run.Scenarios))
	}
	return run
}

func script(t *testing.T, name string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", "apps", name))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestAppBadInput: an application that breaks the contract fails each
// scenario with the reason, and the run goes on to the next scenario.
func TestAppBadInput(t *testing.T) {
	for _, c := range []struct {
		name, command string
		timeout       time.Duration
		reason        string
	}{
		{"missing", script(t, "no-such-app"), 10 * time.Second, "exit 127: the command was not found"},
		{"hangs", script(t, "hang.sh"), 500 * time.Millisecond, "did not end within the timeout of 500ms (--app-timeout); its process group was killed"},
		{"not JSON", script(t, "notjson.sh"), 10 * time.Second, "printed a last stdout line that is not a JSON object"},
		{"flood", "yes megabytes", 10 * time.Second, "printed more than 1048576 bytes on stdout"},
		{"signal", "kill -KILL $$", 10 * time.Second, "was killed by signal killed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, s := range runApp(t, c.command, c.timeout).Scenarios {
				if s.Outcome != reports.Failed || !strings.Contains(s.Error, c.reason) ||
					!strings.Contains(s.Error, "the authorize action") {
					t.Errorf("%s: %s %q, want a failure saying %q", s.Name, s.Outcome, s.Error, c.reason)
				}
				if len(s.Actions) != 1 || !strings.Contains(s.Actions[0], "sh authorize: ") {
					t.Errorf("%s: actions %q", s.Name, s.Actions)
				}
			}
		})
	}
}

// TestAppNotSupported: exit 3 is its own outcome, with the reason.
func TestAppNotSupported(t *testing.T) {
	for _, s := range runApp(t, script(t, "unsupported.sh"), 10*time.Second).Scenarios {
		if s.Outcome != reports.NotSupported || !strings.Contains(s.Reason, "not supported by this application: it answered 3 to authorize") {
			t.Errorf("%s: %s %q", s.Name, s.Outcome, s.Reason)
		}
	}
}

// TestAppStateDoesNotLeak: each scenario's state directory starts empty
// and is gone once the scenario ends.
func TestAppStateDoesNotLeak(t *testing.T) {
	log := filepath.Join(t.TempDir(), "dirs")
	for _, s := range runApp(t, script(t, "leak.sh"), 10*time.Second, "LEAK_LOG", log).Scenarios {
		if s.Outcome != reports.Passed {
			t.Errorf("%s: %s %s", s.Name, s.Outcome, s.Error)
		}
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	dirs := strings.Fields(string(raw))
	if len(dirs) != 2 || dirs[0] == dirs[1] {
		t.Fatalf("state directories %v", dirs)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("the state directory %s outlived its scenario", d)
		}
	}
}
