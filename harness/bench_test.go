package harness

import "testing"

// BenchmarkSuite measures the wall time of every scenario, each with its
// own fake world, as `mailoauth run` runs them (default concurrency);
// /fakes is every scenario but the @app ones (our client stack against the
// fakes), /google Google's alone, /app the @app suite with the Go
// reference adapter (this test binary re-executed for each action).
func BenchmarkSuite(b *testing.B) {
	for _, c := range []struct{ name, tags string }{{"all", ""}, {"fakes", "~@app"}, {"google", "@google && ~@app"}, {"app", "@app"}} {
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
