package microsoft

import (
	"fmt"
	"strings"
)

// nearest is ` (did you mean "X"?)` for the name of list nearest to name
// (IMAP.AccesAsApp: IMAP.AccessAsApp), when one is near enough to be a
// typo; "" otherwise.
func nearest(name string, list []string) string {
	best, dist := "", len(name)/3+1
	for _, k := range list {
		if d := levenshtein(strings.ToLower(name), strings.ToLower(k)); d < dist {
			best, dist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// levenshtein is the edit distance of a and b (bounded inputs: permission
// names).
func levenshtein(a, b string) int {
	if len(a) > 128 || len(b) > 128 {
		return max(len(a), len(b))
	}
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
