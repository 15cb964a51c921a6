package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	gosmtp "github.com/emersion/go-smtp"
)

// stepError is a client's error at one step of its exchange: an SMTP
// command, an HTTPS request.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// httpStatus is an HTTP answer other than the one the flow expects.
type httpStatus struct {
	code   int
	detail string
}

func (e *httpStatus) Error() string { return fmt.Sprintf("HTTP %d, %s", e.code, e.detail) }

// seenByClient says what the client saw of err, and so which side ended
// the exchange: an answer of the server (a refusal it chose to send), the
// server's close as the client's write or read met it, the client's own
// timeout, or a TLS alert.
func seenByClient(err error) string {
	var smtpErr *gosmtp.SMTPError
	var status *httpStatus
	var alert tls.AlertError
	var op *net.OpError
	opName := "read or write"
	if errors.As(err, &op) {
		opName = op.Op
	}
	switch {
	case errors.As(err, &smtpErr):
		return fmt.Sprintf("server answered %d %d.%d.%d", smtpErr.Code,
			smtpErr.EnhancedCode[0], smtpErr.EnhancedCode[1], smtpErr.EnhancedCode[2])
	case errors.As(err, &status):
		return fmt.Sprintf("server answered HTTP %d", status.code)
	case errors.Is(err, syscall.EPIPE):
		return "server closed: the client's " + opName + " got a broken pipe (the server had reset the connection)"
	case errors.Is(err, syscall.ECONNRESET):
		return "server closed: the client's " + opName + " got a connection reset (the server closed with bytes unread)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "server refused the TCP connection (no listener, or its accept queue full)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "server closed: the client's read got end of stream"
	case errors.As(err, &alert), strings.Contains(err.Error(), "remote error: tls:"):
		return "server sent a TLS alert"
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return "client timed out waiting for the server (" + opName + ")"
	}
	return fmt.Sprintf("other (%T)", errors.Unwrap(err))
}

// loadFailures counts a load test's failures by protocol, step and what
// the client saw, with the workers and the first error of each kind.
type loadFailures struct {
	mu    sync.Mutex
	kinds map[string]*failureKind
	n     int
}

type failureKind struct {
	workers []int
	first   error
}

// add records worker's failure over protocol (with its endpoint).
func (f *loadFailures) add(protocol string, worker int, err error) {
	step := "?"
	var se *stepError
	if errors.As(err, &se) {
		step = se.step
	}
	key := protocol + ", " + step + ": " + seenByClient(err)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.kinds == nil {
		f.kinds = map[string]*failureKind{}
	}
	k := f.kinds[key]
	if k == nil {
		k = &failureKind{first: err}
		f.kinds[key] = k
	}
	k.workers = append(k.workers, worker)
	f.n++
}

func (f *loadFailures) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// String lists the kinds, the most frequent first.
func (f *loadFailures) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys := make([]string, 0, len(f.kinds))
	for k := range f.kinds {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := len(f.kinds[b].workers) - len(f.kinds[a].workers); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%d failures:", f.n)
	for _, key := range keys {
		k := f.kinds[key]
		slices.Sort(k.workers)
		shown := k.workers[:min(len(k.workers), 10)]
		more := ""
		if len(k.workers) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(k.workers)-len(shown))
		}
		fmt.Fprintf(&b, "\n  %d × %s\n    workers %v%s; the first: %v", len(k.workers), key, shown, more, k.first)
	}
	return b.String()
}

// clientAddress is a client's address in a server's log line.
var clientAddress = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+:\d+|\[[0-9a-f:]+\]:\d+`)

// serverComplaints counts the warnings and errors in serve's log (one
// JSON object a line): net/http's TLS handshake errors, a cap reached,
// with the addresses taken out so that alike lines count together.
func serverComplaints(log string) string {
	counts := map[string]int{}
	for _, line := range strings.Split(log, "\n") {
		var entry struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &entry) != nil || entry.Level == "INFO" || entry.Level == "DEBUG" {
			continue
		}
		counts[entry.Level+" "+clientAddress.ReplaceAllString(entry.Msg, "ADDR")]++
	}
	if len(counts) == 0 {
		return "serve logged no warning or error"
	}
	lines := make([]string, 0, len(counts))
	for msg, n := range counts {
		lines = append(lines, fmt.Sprintf("  %d × %s", n, msg))
	}
	slices.Sort(lines)
	return "serve logged:\n" + strings.Join(lines, "\n")
}

// TestLoadFailures: a load test's failures are told apart by protocol,
// step and what the client saw, the most frequent first, each with its
// workers; serve's warnings are counted with the addresses taken out.
func TestLoadFailures(t *testing.T) {
	t.Parallel()
	sysErr := func(op string, errno syscall.Errno) error {
		return &net.OpError{Op: op, Net: "tcp", Err: &os.SyscallError{Syscall: op, Err: errno}}
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{&stepError{"AUTH XOAUTH2", sysErr("write", syscall.EPIPE)}, "server closed: the client's write got a broken pipe"},
		{sysErr("read", syscall.ECONNRESET), "server closed: the client's read got a connection reset"},
		{&stepError{"QUIT", io.EOF}, "server closed: the client's read got end of stream"},
		{&gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 7, 0}}, "server answered 421 4.7.0"},
		{&stepError{"POST x/token", &httpStatus{503, ""}}, "server answered HTTP 503"},
		{&net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, "client timed out waiting for the server (read)"},
		{fmt.Errorf("x: %w", tls.AlertError(40)), "server sent a TLS alert"},
	} {
		if got := seenByClient(c.err); !strings.HasPrefix(got, c.want) {
			t.Errorf("seenByClient(%v) = %q, want %q…", c.err, got, c.want)
		}
	}
	var f loadFailures
	f.add("SMTP 127.0.0.1:25", 7, &stepError{"AUTH XOAUTH2", sysErr("write", syscall.EPIPE)})
	f.add("HTTPS", 3, &stepError{"GET h/auth", io.EOF})
	f.add("HTTPS", 1, &stepError{"GET h/auth", io.ErrUnexpectedEOF})
	got := f.String()
	want := "3 failures:\n  2 × HTTPS, GET h/auth: server closed: the client's read got end of stream\n    workers [1 3]; the first: GET h/auth: EOF\n" +
		"  1 × SMTP 127.0.0.1:25, AUTH XOAUTH2: server closed: the client's write got a broken pipe"
	if f.count() != 3 || !strings.HasPrefix(got, want) {
		t.Errorf("loadFailures:\n%s\nwant it to start with\n%s", got, want)
	}
	log := `{"level":"INFO","msg":"event"}
{"level":"WARN","msg":"http: TLS handshake error from 127.0.0.1:5001: EOF"}
{"level":"WARN","msg":"http: TLS handshake error from 127.0.0.1:5002: EOF"}`
	if got := serverComplaints(log); got != "serve logged:\n  2 × WARN http: TLS handshake error from ADDR: EOF" {
		t.Errorf("serverComplaints: %q", got)
	}
	if got := serverComplaints(`{"level":"INFO","msg":"event"}`); got != "serve logged no warning or error" {
		t.Errorf("serverComplaints of no warning: %q", got)
	}
}
