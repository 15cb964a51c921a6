package harness

import "testing"

// BenchmarkSuite measures the wall time of every scenario, each with its
// own fake world, as `mailoauth run` runs them (default concurrency);
// /google is Google's alone.
func BenchmarkSuite(b *testing.B) {
	for _, c := range []struct{ name, tags string }{{"all", ""}, {"google", "@google"}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				passed, err := Run(Options{Tags: c.tags, Concurrency: 2})
				if err != nil || !passed {
					b.Fatalf("suite failed: %v", err)
				}
			}
		})
	}
}
