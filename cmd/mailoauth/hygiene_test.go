package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/serve"
)

// serveUntilManifest runs `mailoauth serve args...`, reads the manifest it
// prints, stops it with SIGTERM and returns the manifest and stderr.
func serveUntilManifest(t *testing.T, args ...string) (serve.Manifest, string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var m serve.Manifest
	decoded := make(chan error, 1)
	go func() { decoded <- json.NewDecoder(stdout).Decode(&m) }()
	select {
	case err := <-decoded:
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("reading the manifest: %v\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("no manifest after 30 s\n%s", stderr)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve did not exit cleanly: %v\n%s", err, stderr)
	}
	return m, stderr.String()
}

// TestServeCreatesStateDir: a --state-dir that does not exist yet is
// created, and keeps the CA after serve exits.
func TestServeCreatesStateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet")
	m, _ := serveUntilManifest(t, "--state-dir", dir)
	if m.CAFile != filepath.Join(dir, "ca.pem") {
		t.Errorf("ca_file %s, want it in %s", m.CAFile, dir)
	}
	for _, name := range []string{"ca.pem", "ca-key.pem"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("the state directory lost %s: %v", name, err)
		}
	}
}

// TestServeRemovesTemporaryStateDir: without --state-dir, the temporary
// directory holding the CA key is gone once serve exited on SIGTERM.
func TestServeRemovesTemporaryStateDir(t *testing.T) {
	m, _ := serveUntilManifest(t)
	dir := filepath.Dir(m.CAFile)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the temporary state directory %s outlived serve (%v)", dir, err)
		_ = os.RemoveAll(dir)
	}
}

// TestServeConfigWarnings: serve --config prints the world file's
// warnings on stderr as JSON lines at level WARN, and still serves it; a
// date a console would refuse stops it with exit 2 and an example.
func TestServeConfigWarnings(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "world.yaml")
	const doc = `providers: {microsoft: {tenants: {contoso: {id: 6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10,
  exchange: {mailbox_permissions: [{mailbox: nobody@contoso.test, user: bob@contoso.test}]}}}}}
`
	if err := os.WriteFile(config, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr := serveUntilManifest(t, "--state-dir", dir, "--config", config)
	warned := false
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var v struct{ Level, Msg, File, Warning string }
		if json.Unmarshal([]byte(line), &v) == nil && v.Level == "WARN" && v.File == config && strings.Contains(v.Warning, "nobody@contoso.test") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no WARN line for the mailbox permission:\n%s", stderr)
	}

	bad := `providers: {google: {clients: [{name: w, id: 1-w.apps.googleusercontent.com, type: web, redirect_uris: ["http://127.0.0.1/"],
  secrets: [{value: s, expires: 2020-01-01}]}]}}
`
	if err := os.WriteFile(config, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "serve", "--state-dir", dir, "--config", config).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage ||
		!strings.Contains(string(out), "line 2, column 33: expires must be an RFC 3339 instant, like 2026-01-31T00:00:00Z") {
		t.Errorf("a date alone: %v\n%s", err, out)
	}
}
