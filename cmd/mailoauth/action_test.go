package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestActionScript runs the GitHub Action's steps (scripts/action.sh) as
// the runner would, with a temporary GITHUB_ENV: start exports the
// manifest, the CA and an admin URL that answers; stop ends serve and its
// files; a world file that does not exist fails start with serve's error.
func TestActionScript(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs("../../scripts/action.sh")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	githubEnv := filepath.Join(tmp, "github_env")
	githubOutput := filepath.Join(tmp, "github_output")
	base := append(os.Environ(), "MAILOAUTH_BIN="+binary, "RUNNER_TEMP="+tmp, "GITHUB_ENV="+githubEnv, "GITHUB_OUTPUT="+githubOutput)
	run := func(env []string, arg string) (string, error) {
		cmd := exec.Command("sh", script, arg)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run(append(base, "INPUT_ARGS=--approve-as alice@gmail.test  --ports auto", "INPUT_WORLD="), "start")
	if err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	exported := readEnvFile(t, githubEnv)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_, _ = run(append(base, "MAILOAUTH_MANIFEST="+exported["MAILOAUTH_MANIFEST"]), "stop")
		}
	})
	manifest := exported["MAILOAUTH_MANIFEST"]
	if data, err := os.ReadFile(manifest); err != nil || !strings.Contains(string(data), `"approve_as": [`+"\n"+`    "alice@gmail.test"`) {
		t.Fatalf("MAILOAUTH_MANIFEST %q: %v\n%s", manifest, err, data)
	}
	if pem, err := os.ReadFile(exported["MAILOAUTH_CA_FILE"]); err != nil || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Fatalf("MAILOAUTH_CA_FILE %q: %v", exported["MAILOAUTH_CA_FILE"], err)
	}
	admin := exported["MAILOAUTH_ADMIN_URL"]
	if err := healthy(admin+"/healthz", 10*time.Second); err != nil {
		t.Fatalf("MAILOAUTH_ADMIN_URL %q: %v", admin, err)
	}
	if outputs := readEnvFile(t, githubOutput); outputs["admin-url"] != admin || outputs["manifest"] != manifest {
		t.Errorf("GITHUB_OUTPUT %v", outputs)
	}

	out, err = run(append(base, "MAILOAUTH_MANIFEST="+manifest), "stop")
	stopped = true
	if err != nil || !strings.Contains(out, "exit status 0") || !strings.Contains(out, `"msg":"ready"`) {
		t.Fatalf("stop: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Dir(manifest)); !os.IsNotExist(err) {
		t.Errorf("stop left %s: %v", filepath.Dir(manifest), err)
	}
	if resp, err := http.Get(admin + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("the admin URL still answers after stop")
	}

	out, err = run(append(base, "INPUT_WORLD="+filepath.Join(tmp, "missing.yaml")), "start")
	if err == nil || !strings.Contains(out, "missing.yaml") || !strings.Contains(out, "exited (2) before it was ready") {
		t.Errorf("start with a missing world file: %v\n%s", err, out)
	}
}

// readEnvFile reads a GITHUB_ENV-style file of KEY=VALUE lines.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vars := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), "="); ok {
			vars[k] = v
		}
	}
	return vars
}

// TestActionScriptRun: `action.sh run` runs the @app scenarios the tags
// select with the app input as the client and exits as mailoauth run does
// (0 with the Go reference adapter, 1 with an application that fails every
// action); without an app it fails saying so.
func TestActionScriptRun(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs("../../scripts/action.sh")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	run := func(app string) (string, int) {
		cmd := exec.Command("sh", script, "run")
		cmd.Env = append(os.Environ(), "MAILOAUTH_BIN="+binary, "INPUT_APP="+app,
			"INPUT_TAGS=@app && @trackdechets && @api && ~@revoke", "INPUT_REPORT_DIR="+filepath.Join(tmp, "reports"))
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	if out, code := run(binary + " adapter"); code != 0 || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("the reference adapter: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(tmp, "reports", "junit.xml")); err != nil {
		t.Errorf("no junit.xml in the report-dir input: %v", err)
	}
	if out, code := run(`sh -c 'echo "{\"error\": \"no\"}"; exit 1' sh`); code != 1 || !strings.Contains(out, "failed") {
		t.Fatalf("a failing application: exit %d\n%s", code, out)
	}
	if out, code := run(""); code == 0 || !strings.Contains(out, "needs the app input") {
		t.Fatalf("no app: exit %d\n%s", code, out)
	}
}
