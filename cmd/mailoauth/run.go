package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/mailoauth/mailoauth/harness"
	"github.com/mailoauth/mailoauth/harness/app"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/reports"
)

// runCommand is `mailoauth run`: it runs the scenarios, writes junit.xml,
// cucumber.json, summary.md and report.html to the report directory, prints the matrix
// on stdout and the progress on stderr.
func runCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	featuresDir := fl.String("features", "", "directory of *.feature files (default: the embedded scenarios)")
	tags := fl.String("tags", "", `godog tag expression selecting scenarios, e.g. "@google && @device"`)
	reportDir := fl.String("report-dir", filepath.Join("reports", "out"), "directory the reports are written to")
	concurrency := fl.Int("concurrency", 2, "scenarios run at once (each has its own fake world)")
	appCmd := fl.String("app", "", `the application under test of the @app scenarios, run as sh -c 'CMD "$@"' sh ACTION (default: the Go reference adapter)`)
	appTimeout := fl.Duration("app-timeout", app.DefaultTimeout, "how long each action of the application may take; its process group is killed then")
	expectFile := fl.String("expect-failures", "", "YAML baseline of known failures, a list of {scenario | tags, reason}: exit 0 when only those fail, 1 when one now passes")
	if err := parseFlags(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPassed
		}
		return exitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "mailoauth run: unexpected argument %q\n", fl.Arg(0))
		return exitUsage
	}
	if *appTimeout <= 0 {
		fmt.Fprintf(stderr, "mailoauth run: --app-timeout %s is not a positive duration\n", *appTimeout)
		return exitUsage
	}
	var baseline reports.Baseline
	if *expectFile != "" {
		f, err := os.Open(*expectFile)
		if err != nil {
			fmt.Fprintf(stderr, "mailoauth run: --expect-failures: %v\n", err)
			return exitUsage
		}
		baseline, err = reports.ReadBaseline(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "mailoauth run: --expect-failures %s: %v\n", *expectFile, err)
			return exitUsage
		}
	}
	opts := harness.Options{Tags: *tags, Progress: stderr, ReportDir: *reportDir, Concurrency: *concurrency,
		App: *appCmd, AppTimeout: *appTimeout}
	if *featuresDir != "" {
		info, err := os.Stat(*featuresDir)
		if err != nil || !info.IsDir() {
			fmt.Fprintf(stderr, "mailoauth run: --features %s is not a directory\n", *featuresDir)
			return exitUsage
		}
		opts.Features = os.DirFS(*featuresDir)
		if !hasFeatures(opts.Features) {
			fmt.Fprintf(stderr, "mailoauth run: no *.feature files under %s\n", *featuresDir)
			return exitUsage
		}
	}
	start := time.Now()
	_, err := harness.Run(opts)
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth run: %v\n", err)
		return exitUsage
	}
	run, err := readRun(filepath.Join(*reportDir, "cucumber.json"))
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth run: %v\n", err)
		return exitUsage
	}
	run.Application = applicationName(*appCmd)
	stale := run.Apply(baseline)
	for name, write := range map[string]func(io.Writer, *reports.Run) error{
		"summary.md": reports.WriteMarkdown, "report.html": reports.WriteHTML, "junit.xml": reports.WriteJUnit,
	} {
		if err := writeReport(filepath.Join(*reportDir, name), run, write); err != nil {
			fmt.Fprintf(stderr, "mailoauth run: %v\n", err)
			return exitUsage
		}
	}
	t := run.Tally()
	if t.Ran() == 0 {
		fmt.Fprintf(stderr, "mailoauth run: no scenario matched\n")
		return exitUsage
	}
	for _, e := range stale {
		fmt.Fprintf(stderr, "mailoauth run: the baseline's %s now passes: remove it from %s\n", e, *expectFile)
	}
	var notes string
	if t.Expected > 0 || t.NotSupported > 0 {
		notes = fmt.Sprintf("%d expected failures (baseline), %d not supported\n", t.Expected, t.NotSupported)
	}
	// The last line is the plain "N passed, N failed" that CI systems read.
	fmt.Fprintf(stdout, "\n%s\nApplication under test: %s\nReports in %s (%.2fs).\n%sscenarios: %d passed, %d failed\n",
		reports.MatrixText(run.Matrix()), run.Application, *reportDir, time.Since(start).Seconds(), notes, t.Passed, t.Failed)
	if t.Failed > 0 || len(stale) > 0 {
		return exitFailed
	}
	return exitPassed
}

// applicationName is how the reports name the application under test.
func applicationName(cmd string) string {
	if cmd == "" {
		return "mailoauth adapter (the Go reference adapter)"
	}
	return cmd
}

func hasFeatures(fsys fs.FS) bool {
	found := false
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(path) == ".feature" {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

func readRun(path string) (*reports.Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return reports.FromCucumberJSON(f, registry.Names())
}

// writeReport writes one report file with write.
func writeReport(path string, run *reports.Run, write func(io.Writer, *reports.Run) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f, run); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
