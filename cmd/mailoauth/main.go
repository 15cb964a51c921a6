// Command mailoauth runs the mail-OAuth conformance scenarios against fake
// Google (and, as they land, Microsoft and Trackdéchets) servers and reports
// which flows pass, or serves that fake world to applications in any
// language.
//
//	mailoauth run [--features DIR] [--tags EXPR] [--report-dir DIR] [--concurrency N] [--app CMD] [--app-timeout 30s] [--expect-failures FILE]
//	mailoauth adapter ACTION
//	mailoauth browse CONTROL-URL URL
//	mailoauth serve [--config world.yaml] [--manifest FILE] [--listen 127.0.0.1] [--ports auto|default]
//	mailoauth steps [--json]
//	mailoauth check token|sasl INPUT [--for smtp|imap|pop3] [--user EMAIL] [--format json]
//	mailoauth health [--url ADMIN_URL | --manifest FILE]
//	mailoauth version
//
// run exits 0 when every selected scenario passed (or failed as the
// baseline expects, or is not supported by the application), 1 when any
// failed otherwise or a baseline entry now passes, 2 on a
// usage or set-up error; serve exits 0 when stopped by SIGINT or SIGTERM,
// 2 on a usage or set-up error; steps and version exit 0, 2 on a usage
// error; health exits 0 when the admin API answers ok, 1 when it does not,
// 2 on a usage error; check exits 0 when no finding is an error, 1 when
// one is, 2 when the input does not decode or on a usage error.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mailoauth/mailoauth/harness"
)

// Exit statuses.
const (
	exitPassed = 0
	exitFailed = 1
	exitUsage  = 2
)

const usage = `usage: mailoauth <command> [flags]

commands:
  run     run the conformance scenarios and write the reports
  serve   start the fake world for applications in any language
  steps   list the step definitions a --features scenario can use
  check   diagnose a pasted token or SASL message (check token, check sasl)
  health  exit 0 when a running serve answers its health check
  version print the version, commit and Go version
  adapter the Go reference adapter of run --app (mailoauth adapter ACTION)
  browse  the browser command an application under test opens its URL with

Run 'mailoauth <command> -h' for the flags of a command.
`

func main() {
	os.Exit(mainArgs(os.Args[1:], os.Stdout, os.Stderr))
}

func mainArgs(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if code, ok := harness.HelperMain(args); ok {
		return code
	}
	switch args[0] {
	case "run":
		return runCommand(args[1:], stdout, stderr)
	case "serve":
		return serveCommand(args[1:], stdout, stderr)
	case "steps":
		return stepsCommand(args[1:], stdout, stderr)
	case "check":
		return checkCommand(args[1:], stdout, stderr)
	case "health":
		return healthCommand(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return versionCommand(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitPassed
	}
	fmt.Fprintf(stderr, "mailoauth: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
