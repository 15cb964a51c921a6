package harness

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that every scenario's servers, listeners and connections
// are gone once the scenarios end; the binary re-executed as the browser
// command or the Go reference adapter runs that instead (HelperMain).
func TestMain(m *testing.M) {
	if code, ok := HelperMain(os.Args[1:]); ok {
		os.Exit(code)
	}
	goleak.VerifyTestMain(m)
}
