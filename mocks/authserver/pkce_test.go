package authserver

import (
	"net/url"
	"strings"
	"testing"
)

// TestCheckPKCE: RFC 7636 §4.2's code_challenge (43 to 128 unreserved
// characters, whatever the method) and §4.3's methods.
func TestCheckPKCE(t *testing.T) {
	for _, c := range []struct {
		challenge, method string
		want              FailureKind
	}{
		{"", "", ""},
		{strings.Repeat("a", 43), "S256", ""},
		{strings.Repeat("a", 128), "plain", ""},
		{"AZaz09-._~" + strings.Repeat("b", 33), "", ""},
		{strings.Repeat("a", 42), "S256", ChallengeInvalid},
		{strings.Repeat("a", 129), "plain", ChallengeInvalid},
		{strings.Repeat("a", 42) + "+", "S256", ChallengeInvalid},
		{strings.Repeat("a", 42) + "/", "S256", ChallengeInvalid},
		{"abcde", "S256", ChallengeInvalid},
		{strings.Repeat("a", 43), "s256", ChallengeMethodInvalid},
	} {
		f := checkPKCE(url.Values{"code_challenge": {c.challenge}, "code_challenge_method": {c.method}})
		got := FailureKind("")
		if f != nil {
			got = f.Kind
			if f.ErrorCode() != "invalid_request" {
				t.Errorf("%q %q: error %q, want invalid_request", c.challenge, c.method, f.ErrorCode())
			}
		}
		if got != c.want {
			t.Errorf("%q %q: %q, want %q", c.challenge, c.method, got, c.want)
		}
	}
}
