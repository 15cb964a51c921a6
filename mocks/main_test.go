package mocks_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that every world the tests started is gone, its
// servers' goroutines with it, once they end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
