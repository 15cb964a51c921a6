package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version and commit are the release this binary is and the commit it
// was built from, stamped by `make dist` with -ldflags "-X main.version=...
// -X main.commit=..."; empty: what the Go toolchain recorded (the module
// version, vcs.revision), which a build with -buildvcs=false lacks.
var version, commit string

// versionCommand is `mailoauth version` (and `mailoauth --version`).
func versionCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "mailoauth version: unexpected argument %q\n", args[0])
		return exitUsage
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(version, commit, info))
	return exitPassed
}

// versionText is what `mailoauth version` prints: the version, the
// commit it was built from (with "modified" when the work tree had
// uncommitted changes), its time, and the Go toolchain and platform.
func versionText(stampedVersion, stampedCommit string, info *debug.BuildInfo) string {
	v, rev, goVersion := stampedVersion, stampedCommit, runtime.Version()
	modified, when := false, ""
	if info != nil {
		if v == "" {
			v = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
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
	if rev == "" {
		rev = "unknown"
	}
	out := "mailoauth " + v + "\ncommit " + rev
	if modified {
		out += " (modified)"
	}
	if when != "" {
		out += " " + when
	}
	return out + "\n" + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
}
