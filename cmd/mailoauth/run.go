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
	opts := harness.Options{Tags: *tags, Progress: stderr, ReportDir: *reportDir, Concurrency: *concurrency}
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
	for name, write := range map[string]func(io.Writer, *reports.Run) error{
		"summary.md": reports.WriteMarkdown, "report.html": reports.WriteHTML,
	} {
		if err := writeReport(filepath.Join(*reportDir, name), run, write); err != nil {
			fmt.Fprintf(stderr, "mailoauth run: %v\n", err)
			return exitUsage
		}
	}
	passed, failed := run.Counts()
	if passed+failed == 0 {
		fmt.Fprintf(stderr, "mailoauth run: no scenario matched\n")
		return exitUsage
	}
	// The last line is the plain "N passed, N failed" that CI systems read.
	fmt.Fprintf(stdout, "\n%s\nReports in %s (%.2fs).\nscenarios: %d passed, %d failed\n",
		reports.MatrixText(run.Matrix()), *reportDir, time.Since(start).Seconds(), passed, failed)
	if failed > 0 {
		return exitFailed
	}
	return exitPassed
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
