package registry_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the worlds the test started are gone, their
// servers' goroutines with them, once it ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
