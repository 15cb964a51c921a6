package harness

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that every scenario's servers, listeners and connections
// are gone once the scenarios end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
