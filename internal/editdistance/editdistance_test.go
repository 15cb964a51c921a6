package editdistance

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"tags", "tags", 0},
		{"tag", "tags", 1}, {"IMAP.AccesAsApp", "IMAP.AccessAsApp", 1}, {"kitten", "sitting", 3},
		{"report-dir", "reprot-dir", 2}, {strings.Repeat("a", MaxLen+1), "a", MaxLen + 1},
		{strings.Repeat("a", MaxLen), strings.Repeat("a", MaxLen-1) + "b", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%.20q, %.20q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
