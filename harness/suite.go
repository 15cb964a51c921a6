// Package harness runs the Gherkin scenarios with godog against fresh fake
// worlds, for `go test` and for `mailoauth run`.
package harness

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/mailoauth/mailoauth/features"
	"github.com/mailoauth/mailoauth/harness/steps"
)

// Options choose what to run and where results go.
type Options struct {
	// Features is where the *.feature files are; nil means the embedded ones.
	Features fs.FS
	// Tags filters scenarios with godog's tag expression ("@google && ~@device").
	Tags string
	// Paths narrows the run to these feature files or scenarios
	// ("app/google.feature:12", relative to Features); nil: every file.
	Paths []string
	// Progress receives godog's progress output, then a line per undefined
	// step naming it and pointing at `mailoauth steps`; nil discards it.
	Progress io.Writer
	// ReportDir, if set, receives junit.xml and cucumber.json.
	ReportDir string
	// Concurrency is how many scenarios run at once (each has its own world).
	Concurrency int
	// App is the command of the application under test of the @app
	// scenarios (sh -c 'App "$@"' sh ACTION); "" is the Go reference
	// adapter, run by this executable (`mailoauth adapter`, or a test
	// binary that dispatches it in TestMain: see HelperMain).
	App string
	// AppTimeout bounds each action of the application; zero: 30 s.
	AppTimeout time.Duration
	// T, if set, runs each scenario as a subtest of T; an undefined step's
	// line is also an error of T.
	T *testing.T
}

// Run runs the scenarios. It returns whether all passed; an error means the
// suite could not run at all.
func Run(opts Options) (passed bool, err error) {
	fsys := opts.Features
	if fsys == nil {
		fsys = features.FS
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	format := "progress"
	if opts.T != nil {
		format = "pretty"
	}
	if opts.ReportDir != "" {
		if err := os.MkdirAll(opts.ReportDir, 0o755); err != nil {
			return false, err
		}
		format += fmt.Sprintf(",junit:%s,cucumber:%s",
			filepath.Join(opts.ReportDir, "junit.xml"), filepath.Join(opts.ReportDir, "cucumber.json"))
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var undefined undefinedSteps
	suite := godog.TestSuite{
		Name: "mailoauth",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			steps.InitializeWith(sc, steps.Config{App: opts.App, AppTimeout: opts.AppTimeout})
			undefined.watch(sc)
		},
		Options: &godog.Options{
			Format:      format,
			Output:      progress,
			FS:          fsys,
			Paths:       paths,
			Tags:        opts.Tags,
			Strict:      true,
			Concurrency: opts.Concurrency,
			TestingT:    opts.T,
			NoColors:    true,
		},
	}
	status := suite.Run()
	undefined.write(progress)
	if opts.T != nil {
		for _, h := range undefined.hints() {
			opts.T.Error(h)
		}
	}
	switch status {
	case 0:
		return true, nil
	case 1:
		return false, nil
	default:
		return false, fmt.Errorf("harness: godog could not run the features (status %d)", status)
	}
}
