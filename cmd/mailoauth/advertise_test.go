package main

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
)

// TestServeContainerFlags runs serve as the container image does (every
// interface, --allow-remote) with and without --advertise: the warning,
// the ready line before the manifest, and the host every URL names.
func TestServeContainerFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		host string
	}{
		{nil, "127.0.0.1"},
		{[]string{"--advertise", "mailoauth", "--advertise", "localhost"}, "mailoauth"},
	} {
		dir := t.TempDir()
		stderr, err := os.Create(filepath.Join(dir, "stderr"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binary, append([]string{"serve", "--state-dir", dir, "--listen", "0.0.0.0", "--allow-remote"}, c.args...)...)
		cmd.Stderr = stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var m serve.Manifest
		decodeErr := json.NewDecoder(stdout).Decode(&m)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil || decodeErr != nil {
			t.Fatalf("%v: %v %v", c.args, err, decodeErr)
		}
		logged, _ := os.ReadFile(stderr.Name())
		lines := strings.Split(string(logged), "\n")
		if !strings.Contains(lines[0], "WARNING: listening on 0.0.0.0") {
			t.Errorf("%v: no warning first: %s", c.args, logged)
		}
		var ready struct {
			Msg      string `json:"msg"`
			AdminURL string `json:"admin_url"`
		}
		if len(lines) < 2 || json.Unmarshal([]byte(lines[1]), &ready) != nil || ready.Msg != "ready" || ready.AdminURL != m.AdminURL {
			t.Errorf("%v: no ready line before the manifest: %s", c.args, logged)
		}
		for _, u := range []string{m.AdminURL, m.Providers["google"].TokenEndpoint, m.Providers["microsoft"].Issuer} {
			if p, err := url.Parse(u); err != nil || p.Hostname() != c.host {
				t.Errorf("%v: %s does not name %s", c.args, u, c.host)
			}
		}
	}
	var out, errOut strings.Builder
	if code := mainArgs([]string{"serve", "--advertise", "http://mailoauth:7781"}, &out, &errOut); code != exitUsage {
		t.Errorf("--advertise with a scheme and port: exit %d", code)
	}
}
