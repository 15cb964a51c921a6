package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// helperTool is the interpreter a helper's tests need: skipped where it
// is absent, except in CI, where every helper must be tested.
func helperTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI runs the helpers' tests, and %s is not installed", name)
		}
		t.Skipf("no %s on this machine", name)
	}
	return path
}

// helperEnv is the environment a helper's tests run in: a serve to
// attach to, the binary to start one of its own, and the CA for fetch.
func helperEnv(s *served) []string {
	return append(os.Environ(), "MAILOAUTH_ADMIN_URL="+s.manifest.AdminURL, "MAILOAUTH_MANIFEST=",
		"MAILOAUTH_BIN="+binary, "NODE_EXTRA_CA_CERTS="+s.manifest.CAFile)
}

// TestPythonHelper runs clients/python's tests (python3 -m unittest)
// against the binary.
func TestPythonHelper(t *testing.T) {
	t.Parallel()
	python := helperTool(t, "python3")
	s := startServe(t)
	cmd := exec.Command(python, "-m", "unittest", "-v", "test_mailoauth")
	cmd.Dir = "../../clients/python"
	cmd.Env = append(helperEnv(s), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nOK") || strings.Contains(string(out), "skipped") {
		t.Fatalf("python3 -m unittest: %v\n%s", err, out)
	}
	// The plugin's tests need pytest: the python3 on PATH, or Debian's
	// (python3-pytest, which .ci/run installs), whichever imports it.
	withPytest := ""
	for _, p := range []string{python, "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import pytest").Run() == nil {
			withPytest = p
			break
		}
	}
	if withPytest == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("pytest is not installed: CI must run the plugin's tests (apt-get install python3-pytest)")
		}
		t.Log("pytest is not installed: the plugin's tests are not run")
		return
	}
	cmd = exec.Command(withPytest, "-m", "pytest", "-p", "mailoauth", "-p", "no:cacheprovider", "-q", "test_plugin.py")
	cmd.Dir = "../../clients/python"
	cmd.Env = append(helperEnv(s), "PYTHONDONTWRITEBYTECODE=1")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "2 passed") {
		t.Fatalf("python3 -m pytest: %v\n%s", err, out)
	}
}

// TestNodeHelper runs clients/node's tests (node --test) against the
// binary.
func TestNodeHelper(t *testing.T) {
	t.Parallel()
	node := helperTool(t, "node")
	s := startServe(t)
	cmd := exec.Command(node, "--test", "mailoauth.test.mjs")
	cmd.Dir = "../../clients/node"
	cmd.Env = helperEnv(s)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "# fail 0") || !strings.Contains(string(out), "# skipped 0") {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
}
