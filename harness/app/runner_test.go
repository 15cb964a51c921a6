package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run runs script's action with PIDFILE set to a file of the test's.
func run(t *testing.T, command, action string, timeout time.Duration) (Result, string) {
	t.Helper()
	pidfile := filepath.Join(t.TempDir(), "pid")
	if strings.HasPrefix(command, "testdata/") {
		abs, err := filepath.Abs(command)
		if err != nil {
			t.Fatal(err)
		}
		command = abs
	}
	env := append(os.Environ(), "PIDFILE="+pidfile)
	return Runner{Command: command, Timeout: timeout}.Run(context.Background(), action, env, t.TempDir()), pidfile
}

// gone fails the test if the process whose pid is in pidfile still runs
// once the kernel has had two seconds to finish the kill Run sent (a
// killed process closes its files before it is a zombie); a zombie whose
// parent, init, has not reaped it yet is gone.
func gone(t *testing.T, pidfile string) {
	t.Helper()
	raw, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("the script wrote no pid: %v", err)
	}
	pid := strings.TrimSpace(string(raw))
	deadline := time.Now().Add(2 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") || strings.Contains(string(stat), ") X ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the action's child %s is still running: %s", pid, stat)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOutcomes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		action  string
		outcome Outcome
		message string
	}{
		{"authorize", Done, ""},
		{"send", Failed, "sign in again"},
		{"pop", Failed, "cannot open the maildrop"},
		{"api", NotSupported, ""},
	} {
		res, _ := run(t, "testdata/ok.sh", c.action, 0)
		if res.Outcome() != c.outcome || res.Message() != c.message && c.message != "" {
			t.Errorf("%s: %s %q (%s), want %s %q", c.action, res.Outcome(), res.Message(), res, c.outcome, c.message)
		}
	}
	if res, _ := run(t, "testdata/ok.sh", "pop", 0); !strings.Contains(res.String(), "\n  last stderr line: cannot open the maildrop") {
		t.Errorf("pop's record %q", res.String())
	}
	res, _ := run(t, "testdata/ok.sh", "fetch", 0)
	if list, _ := res.Result["subjects"].([]any); res.Outcome() != Done || len(list) != 1 || list[0] != "Bonjour" {
		t.Fatalf("fetch: %s %v", res, res.Result)
	}
	if !strings.Contains(res.String(), `last stdout line: {"subjects": ["Bonjour"]}`) ||
		!strings.Contains(res.String(), `/testdata/ok.sh "$@"' sh fetch: exit 0 (done) in `) {
		t.Fatalf("record %q", res.String())
	}
}

// TestBadCommands: each way a command breaks the contract is a Broken
// action with a reason that says which, and leaves nothing running.
func TestBadCommands(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, command string
		problem       string
	}{
		{"missing", "testdata/no-such-app", "exit 127: the command was not found"},
		{"not executable", "testdata/notexec.sh", "exit 126: the command could not be executed"},
		{"empty", " ", "no application command was given"},
		{"flood", "testdata/flood.sh", "printed more than 1048576 bytes on stdout"},
		{"signal", "testdata/signal.sh", "the shell's status for a process killed by signal 9 (killed)"},
		{"signal of sh itself", "kill -KILL $$", "was killed by signal killed"},
		{"not JSON", "testdata/notjson.sh", "last stdout line that is not a JSON object"},
		{"unknown exit", "testdata/exit7.sh", "exit 7: the contract knows 0 (done), 1 (failed) and 3 (not supported)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, _ := run(t, c.command, "send", 5*time.Second)
			if res.Outcome() != Broken || !strings.Contains(res.Problem, c.problem) {
				t.Fatalf("%s: outcome %s, problem %q, want %q", c.command, res.Outcome(), res.Problem, c.problem)
			}
			if len(res.Stdout) > MaxOutput || len(res.Stderr) > MaxOutput {
				t.Fatalf("kept %d and %d bytes", len(res.Stdout), len(res.Stderr))
			}
		})
	}
}

// TestTimeoutKillsTheGroup: a hanging action is killed at the timeout,
// its child with it.
func TestTimeoutKillsTheGroup(t *testing.T) {
	t.Parallel()
	res, pidfile := run(t, "testdata/hang.sh", "device", 300*time.Millisecond)
	if !res.TimedOut || res.Outcome() != Broken || !strings.Contains(res.Problem, "timeout of 300ms") {
		t.Fatalf("%s", res)
	}
	if res.Duration > 3*time.Second {
		t.Fatalf("took %s", res.Duration)
	}
	gone(t, pidfile)
}

// TestNoChildLeftBehind: what an action started goes when it ends.
func TestNoChildLeftBehind(t *testing.T) {
	t.Parallel()
	res, pidfile := run(t, "testdata/orphan.sh", "send", 5*time.Second)
	if res.Outcome() != Done {
		t.Fatalf("%s", res)
	}
	gone(t, pidfile)
}

func TestContextStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Runner{Command: "sleep 30"}.Run(ctx, "send", os.Environ(), t.TempDir())
	if res.Outcome() != Broken || !strings.Contains(res.Problem, "canceled") {
		t.Fatalf("%s", res)
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"adapter": "adapter", "/tmp/a b": "'/tmp/a b'", "it's": `'it'\''s'`, "": "''",
		"azAZ09-_./=:@%+,": "azAZ09-_./=:@%+,", "a$b": "'a$b'", "`x`": "'`x`'", "[": "'['", "{": "'{'", "~": "'~'"} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestOutputBound: exactly MaxOutput bytes are kept and fine; one more
// stops the action.
func TestOutputBound(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]Outcome{MaxOutput: Done, MaxOutput + 1: Broken} {
		cmd := fmt.Sprintf("head -c %d /dev/zero | tr '\\0' a; true", n)
		res := Runner{Command: cmd, Timeout: 10 * time.Second}.Run(t.Context(), "fetch", os.Environ(), t.TempDir())
		if res.Outcome() != want || len(res.Stdout) != min(n, MaxOutput) {
			t.Errorf("%d bytes: %s, kept %d (%s)", n, res.Outcome(), len(res.Stdout), res.Problem)
		}
	}
}

// TestFailureMayPrintAnything: a failing action's broken JSON line is its
// message, not a broken contract; a signal or no start leaves Exit at -1.
func TestFailureMayPrintAnything(t *testing.T) {
	t.Parallel()
	res := Runner{Command: "echo '{broken'; exit 1; true"}.Run(t.Context(), "send", os.Environ(), t.TempDir())
	if res.Outcome() != Failed || res.Message() != "{broken" {
		t.Fatalf("%s: %q", res, res.Message())
	}
	for _, cmd := range []string{" ", "kill -KILL $$"} {
		if res := (Runner{Command: cmd}).Run(t.Context(), "send", os.Environ(), t.TempDir()); res.Exit != -1 {
			t.Errorf("%q: exit %d", cmd, res.Exit)
		}
	}
}
