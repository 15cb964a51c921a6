package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is the release this binary is, stamped by `make dist` with
// -ldflags "-X main.version=..."; empty: the module version the Go
// toolchain recorded (a tag, a pseudo-version, or "(devel)").
var version string

// versionCommand is `mailoauth version` (and `mailoauth --version`).
func versionCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "mailoauth version: unexpected argument %q\n", args[0])
		return exitUsage
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(version, info))
	return exitPassed
}

// versionText is what `mailoauth version` prints: the version, the
// commit it was built from (with "modified" when the work tree had
// uncommitted changes), its time, and the Go toolchain and platform.
func versionText(stamped string, info *debug.BuildInfo) string {
	v, goVersion := stamped, runtime.Version()
	commit, modified, when := "unknown", false, ""
	if info != nil {
		if v == "" {
			v = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			case "vcs.time":
				when = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	out := "mailoauth " + v + "\ncommit " + commit
	if modified {
		out += " (modified)"
	}
	if when != "" {
		out += " " + when
	}
	return out + "\n" + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
}
