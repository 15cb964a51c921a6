package client

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the catchers and clients the tests opened are
// closed with their goroutines once they end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
