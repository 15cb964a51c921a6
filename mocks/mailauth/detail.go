package mailauth

import (
	"strings"

	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// malformedDetail says where a bearer message of mech that does not parse
// goes wrong, for the audit log, without quoting it (it holds a token).
func malformedDetail(mech string, msg []byte) string {
	s := string(msg)
	switch {
	case len(msg) == 0:
		return "an empty " + mech + " message"
	case strings.Contains(s, "^A"):
		return "the " + mech + " message has a typed ^A where the \\x01 separator belongs"
	case !strings.Contains(s, "\x01"):
		return "the " + mech + " message has no \\x01 separators"
	case mech == sasl.XOAUTH2 && !strings.HasPrefix(s, "user="):
		return "the XOAUTH2 message does not start with user="
	case mech == sasl.OAuthBearer && !strings.HasPrefix(s, "n,") && !strings.HasPrefix(s, "y,"):
		return "the OAUTHBEARER message has no GS2 header (n,a=USER,)"
	case !strings.Contains(s, "\x01auth=Bearer "):
		return "the " + mech + " message has no auth=Bearer field (spelt so, one space before the token)"
	}
	return "the " + mech + " message does not parse"
}
