package world

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDecodeStrictAliasFanOut: anchors that each merge the previous one
// twice have 2^n paths; the strict check visits each node once, so such a
// world file is refused (by yaml.v3's excessive aliasing rule) at once
// instead of walking 2^40 paths.
func TestDecodeStrictAliasFanOut(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("providers:\n  p:\n    users:\n      - &a0 {email: a}\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "      - &a%d {<<: [*a%d, *a%d]}\n", i, i-1, i-1)
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &n); err != nil {
		t.Fatal(err)
	}
	var f File
	if err := DecodeStrict(&n, &f); err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Fatalf("error %v, want yaml.v3's excessive aliasing", err)
	}
}
