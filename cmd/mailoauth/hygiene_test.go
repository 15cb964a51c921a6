package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
