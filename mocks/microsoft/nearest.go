package microsoft

import (
	"fmt"
	"strings"

	"github.com/mailoauth/mailoauth/internal/editdistance"
)

// nearest is ` (did you mean "X"?)` for the name of list nearest to name
// (IMAP.AccesAsApp: IMAP.AccessAsApp), when one is near enough to be a
// typo; "" otherwise.
func nearest(name string, list []string) string {
	best, dist := "", len(name)/3+1
	for _, k := range list {
		if d := editdistance.Distance(strings.ToLower(name), strings.ToLower(k)); d < dist {
			best, dist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
