package harness

import "testing"

// BenchmarkGoogleSuite measures the wall time of every Google scenario,
// each with its own fake world, as `mailoauth run` runs them.
func BenchmarkGoogleSuite(b *testing.B) {
	for range b.N {
		passed, err := Run(Options{Tags: "@google", Concurrency: 2})
		if err != nil || !passed {
			b.Fatalf("suite failed: %v", err)
		}
	}
}
