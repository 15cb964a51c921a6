// Package app runs the application under test of `mailoauth run --app
// CMD`: each action is one `sh -c 'CMD "$@"' sh ACTION` in a process group
// of its own, given the scenario's environment (Setup), bounded in time
// (the whole group is killed at the timeout) and in output (1 MiB per
// stream), and read back as an exit status and an optional JSON result on
// its last stdout line. A Sandbox is a scenario's temporary directory (the
// manifest, the CA, the application's state directory, the browser
// command); Control is the loopback endpoint the browser command hands its
// URL to; the Go reference adapter lives in harness/app/adapter.
package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MaxOutput bounds what is kept of an action's stdout and of its stderr;
// an action that prints more is stopped and fails.
const MaxOutput = 1 << 20

// DefaultTimeout is an action's time when --app-timeout is not given.
const DefaultTimeout = 30 * time.Second

// Exit statuses of an action (DESIGN.md, "The application under test").
const (
	ExitDone         = 0
	ExitFailed       = 1
	ExitNotSupported = 3
)

// Outcome is how an action ended, as the scenario judges it.
type Outcome string

// Outcomes of an action.
const (
	// Done: exit 0 and a well-formed last line.
	Done Outcome = "done"
	// Failed: exit 1, what the application would tell its user.
	Failed Outcome = "failed"
	// NotSupported: exit 3, the application does not do that action.
	NotSupported Outcome = "not supported"
	// Broken: anything else (a timeout, a signal, a missing command, too
	// much output, a last line that is not JSON): the scenario fails.
	Broken Outcome = "broken"
)

// Runner runs the actions of one application.
type Runner struct {
	// Command is CMD, run by sh -c with the action as $1.
	Command string
	// Timeout bounds each action; zero: DefaultTimeout.
	Timeout time.Duration
}

// Result is one action's run.
type Result struct {
	// Action is the action's name, CommandLine what was run.
	Action, CommandLine string
	// Exit is the exit status (-1: the action did not start or was killed
	// by a signal, then Signal names it).
	Exit   int
	Signal string
	// TimedOut: the timeout killed the process group.
	TimedOut bool
	Duration time.Duration
	// Stdout and Stderr are what the action printed (at most MaxOutput
	// each).
	Stdout, Stderr string
	// Result is the JSON object of the last stdout line, nil if there is
	// none.
	Result map[string]any
	// Problem says why the action is Broken.
	Problem string
}

// Outcome is how the action ended.
func (r Result) Outcome() Outcome {
	switch {
	case r.Problem != "":
		return Broken
	case r.Exit == ExitDone:
		return Done
	case r.Exit == ExitFailed:
		return Failed
	case r.Exit == ExitNotSupported:
		return NotSupported
	}
	return Broken
}

// Message is what the application would tell its user: the "error" of its
// JSON result, else the last line of its stderr, else the last line of its
// stdout.
func (r Result) Message() string {
	if e, ok := r.Result["error"].(string); ok && e != "" {
		return e
	}
	if l := LastLine(r.Stderr); l != "" {
		return l
	}
	return LastLine(r.Stdout)
}

// String is the action's record for the reports: the command line, how it
// ended, its duration, and the last line of each stream (callers redact
// the secrets they know).
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", r.CommandLine)
	switch {
	case r.Problem != "":
		b.WriteString(r.Problem)
	default:
		fmt.Fprintf(&b, "exit %d (%s)", r.Exit, r.Outcome())
	}
	fmt.Fprintf(&b, " in %s", r.Duration.Round(time.Millisecond))
	if l := LastLine(r.Stdout); l != "" {
		fmt.Fprintf(&b, "\n  last stdout line: %s", clip(l))
	}
	if l := LastLine(r.Stderr); l != "" {
		fmt.Fprintf(&b, "\n  last stderr line: %s", clip(l))
	}
	return b.String()
}

// clip bounds a line quoted in a report.
func clip(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// LastLine is the last non-blank line of s, trimmed.
func LastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, " \t\r\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// CommandLine is how an action is run, as a shell would show it.
func (rn Runner) CommandLine(action string) string {
	return "sh -c " + Quote(rn.Command+` "$@"`) + " sh " + Quote(action)
}

// Quote quotes s for sh when it needs it.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Run runs action with env (the whole environment) in dir. It returns once
// every process of the action's group is gone: the action's children are
// killed with it, whether it exited, timed out or printed too much.
func (rn Runner) Run(ctx context.Context, action string, env []string, dir string) Result {
	timeout := rn.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	res := Result{Action: action, CommandLine: rn.CommandLine(action), Exit: -1}
	if strings.TrimSpace(rn.Command) == "" {
		res.Problem = "no application command was given"
		return res
	}
	cmd := exec.Command("/bin/sh", "-c", rn.Command+` "$@"`, "sh", action)
	cmd.Env, cmd.Dir = env, dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	outR, outW, err := os.Pipe()
	if err != nil {
		res.Problem = "could not make a pipe: " + err.Error()
		return res
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		res.Problem = "could not make a pipe: " + err.Error()
		return res
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	start := time.Now()
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		res.Problem = "could not start sh: " + err.Error()
		return res
	}
	pgid := cmd.Process.Pid
	overflow := make(chan struct{}, 2)
	var stdout, stderr bounded
	var wg sync.WaitGroup
	for _, s := range []struct {
		f *os.File
		b *bounded
	}{{outR, &stdout}, {errR, &stderr}} {
		wg.Go(func() { s.b.drain(s.f, overflow) })
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err = <-exited:
	case <-timer.C:
		res.TimedOut = true
		killGroup(pgid)
		err = <-exited
	case <-overflow:
		killGroup(pgid)
		err = <-exited
	case <-ctx.Done():
		killGroup(pgid)
		err = <-exited
	}
	res.Duration = time.Since(start)
	// Whatever the action left running in its group goes with it; a
	// process that left the group and kept a pipe gets two seconds.
	killGroup(pgid)
	deadline := time.Now().Add(2 * time.Second)
	_ = outR.SetReadDeadline(deadline)
	_ = errR.SetReadDeadline(deadline)
	wg.Wait()
	outR.Close()
	errR.Close()
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	res.Exit, res.Signal = exitOf(cmd, err)
	switch {
	case res.TimedOut:
		res.Problem = fmt.Sprintf("did not end within the timeout of %s (--app-timeout); its process group was killed", timeout)
	case stdout.over || stderr.over:
		res.Problem = fmt.Sprintf("printed more than %d bytes on %s; it was stopped", MaxOutput, overName(stdout.over))
	case ctx.Err() != nil:
		res.Problem = "was stopped: " + ctx.Err().Error()
	case res.Signal != "":
		res.Problem = "was killed by signal " + res.Signal
	case res.Exit == 127:
		res.Problem = "exit 127: the command was not found (" + clip(LastLine(res.Stderr)) + ")"
	case res.Exit == 126:
		res.Problem = "exit 126: the command could not be executed (" + clip(LastLine(res.Stderr)) + ")"
	case res.Exit > 128 && res.Exit < 128+65:
		res.Problem = fmt.Sprintf("exit %d: the shell's status for a process killed by signal %d (%s)",
			res.Exit, res.Exit-128, syscall.Signal(res.Exit-128))
	case res.Exit != ExitDone && res.Exit != ExitFailed && res.Exit != ExitNotSupported:
		res.Problem = fmt.Sprintf("exit %d: the contract knows 0 (done), 1 (failed) and 3 (not supported)", res.Exit)
	default:
		res.Result, res.Problem = lastJSON(res.Stdout)
		if res.Exit != ExitDone && res.Problem != "" {
			// A failing action may print anything; its message is read
			// from the last lines.
			res.Problem = ""
		}
	}
	return res
}

func overName(stdout bool) string {
	if stdout {
		return "stdout"
	}
	return "stderr"
}

// lastJSON reads the optional JSON result of the last stdout line: a line
// that opens an object must be one.
func lastJSON(stdout string) (map[string]any, string) {
	line := LastLine(stdout)
	if !strings.HasPrefix(line, "{") {
		return nil, ""
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		return nil, fmt.Sprintf("printed a last stdout line that is not a JSON object (%v): %s", err, clip(line))
	}
	return v, ""
}

func exitOf(cmd *exec.Cmd, err error) (int, string) {
	st := cmd.ProcessState
	if st == nil {
		return -1, ""
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal().String()
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return -1, ""
	}
	return st.ExitCode(), ""
}

// killGroup kills every process of the group pgid.
func killGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

// bounded keeps the first MaxOutput bytes written to it and notes more.
type bounded struct {
	buf  bytes.Buffer
	over bool
}

// drain reads f to its end, keeping what fits; past MaxOutput it signals
// overflow once and keeps reading (so the writer is not blocked) until the
// group is killed.
func (b *bounded) drain(f *os.File, overflow chan<- struct{}) {
	chunk := make([]byte, 32<<10)
	for {
		n, err := f.Read(chunk)
		if n > 0 {
			room := MaxOutput - b.buf.Len()
			if n > room {
				if !b.over {
					b.over = true
					overflow <- struct{}{}
				}
				n = max(room, 0)
			}
			b.buf.Write(chunk[:n])
		}
		if err != nil {
			return
		}
	}
}

// String is what was kept.
func (b *bounded) String() string { return b.buf.String() }
