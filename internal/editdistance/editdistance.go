// Package editdistance measures how far a typed name is from a known one,
// for "did you mean …?" suggestions (flags, world keys, permission names).
package editdistance

// MaxLen bounds the inputs Distance compares letter by letter: past it, the
// distance is the longer length (a suggestion for a 10 KB name helps no one,
// and the work is quadratic).
const MaxLen = 256

// Distance is the Levenshtein distance of a and b, in bytes.
func Distance(a, b string) int {
	if len(a) > MaxLen || len(b) > MaxLen {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
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
