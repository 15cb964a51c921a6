package steps

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the worlds the tests' scenarios started are gone
// once they end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
