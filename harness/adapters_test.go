package harness

import (
	"bufio"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/features"
	"github.com/mailoauth/mailoauth/harness/app"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/reports"
)

// interpreter finds the program that runs a reference adapter: the first of
// candidates on this machine. Without one the test skips, except in CI
// (CI=true), where .ci/run installs them.
func interpreter(t *testing.T, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("none of %v is installed", candidates)
	}
	t.Skipf("none of %v is installed", candidates)
	return ""
}

// adapterCommand is the --app command of an adapter file of the repository.
func adapterCommand(t *testing.T, program, file string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("..", file))
	if err != nil {
		t.Fatal(err)
	}
	return app.Quote(program) + " " + app.Quote(abs)
}

// runAdapter runs the @app scenarios (those of paths, or all) with command and
// returns the outcome of each.
func runAdapter(t *testing.T, command string, paths ...string) *reports.Run {
	t.Helper()
	dir := t.TempDir()
	if _, err := Run(Options{Tags: "@app", Paths: paths, App: command, ReportDir: dir, Concurrency: 4}); err != nil {
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
	return run
}

// TestReferenceAdapters: the Python (standard library) and Node (built-ins)
// reference adapters, written from DESIGN.md's contract alone, pass the
// whole @app suite unchanged.
func TestReferenceAdapters(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, file string
		programs   []string
	}{
		// Debian's python3 first: a pyenv shim costs half a second an action.
		{"python", "adapters/python/mailoauth_adapter.py", []string{"/usr/bin/python3", "python3"}},
		{"node", "adapters/node/mailoauth_adapter.mjs", []string{"node"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := runAdapter(t, adapterCommand(t, interpreter(t, c.programs...), c.file))
			passed, failed := run.Counts()
			if failed > 0 || passed < 45 {
				for _, s := range run.Scenarios {
					if s.Outcome != reports.Passed {
						t.Errorf("%s: %s at %q: %s", s.Outcome, s.Name, s.FailedStep, strings.SplitN(s.Error, "\n", 2)[0])
					}
				}
				t.Fatalf("%d passed, %d failed", passed, failed)
			}
		})
	}
}

// brokenCatalogue is adapters/python/broken/catalogue.yaml.
type brokenCatalogue struct {
	Broken []brokenAdapter `yaml:"broken"`
}

// brokenAdapter is one entry of the catalogue.
type brokenAdapter struct {
	File      string   `yaml:"file"`
	Behaviour string   `yaml:"behaviour"`
	CaughtBy  []string `yaml:"caught_by"`
}

// scenarioPath is "app/FILE.feature:LINE" of the @app scenario named name.
func scenarioPath(t *testing.T, name string) string {
	t.Helper()
	var found string
	err := fs.WalkDir(features.FS, "app", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".feature") || found != "" {
			return err
		}
		f, err := features.FS.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if rest, ok := strings.CutPrefix(line, "Scenario:"); ok && strings.TrimSpace(rest) == name {
				found = path + ":" + strconv.Itoa(n)
				return fs.SkipAll
			}
		}
		return sc.Err()
	})
	if err != nil || found == "" {
		t.Fatalf("no @app scenario %q (%v)", name, err)
	}
	return found
}

// TestPythonBrokenAdaptersAreCaught: each broken adapter of
// adapters/python/broken (the reference with one behaviour changed) fails
// the first scenario its catalogue says catches it; the reference passes
// that scenario (TestReferenceAdapters), so the failure is the behaviour's.
func TestPythonBrokenAdaptersAreCaught(t *testing.T) {
	t.Parallel()
	python := interpreter(t, "/usr/bin/python3", "python3")
	raw, err := os.ReadFile("../adapters/python/broken/catalogue.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cat brokenCatalogue
	if err := yaml.Unmarshal(raw, &cat); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../adapters/python/broken/*.py")
	for _, f := range files {
		base := filepath.Base(f)
		if base != "catch.py" && !slices.ContainsFunc(cat.Broken, func(b brokenAdapter) bool {
			return b.File == base
		}) {
			t.Errorf("%s is not in catalogue.yaml", base)
		}
	}
	for _, b := range cat.Broken {
		t.Run(strings.TrimSuffix(b.File, ".py"), func(t *testing.T) {
			t.Parallel()
			if len(b.CaughtBy) == 0 {
				t.Fatalf("%s (%s): no scenario catches it", b.File, b.Behaviour)
			}
			name := b.CaughtBy[0]
			run := runAdapter(t, adapterCommand(t, python, "adapters/python/broken/"+b.File), scenarioPath(t, name))
			i := slices.IndexFunc(run.Scenarios, func(s reports.Scenario) bool { return s.Name == name })
			if i < 0 {
				t.Fatalf("%q did not run", name)
			}
			if s := run.Scenarios[i]; s.Outcome != reports.Failed {
				t.Errorf("%s (%s): %q is %s, want failed", b.File, b.Behaviour, name, s.Outcome)
			}
		})
	}
}
