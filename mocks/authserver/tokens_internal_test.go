package authserver

import "testing"

// TestCompactJWSStrict: a JWT's segments are unpadded base64url; padding,
// the standard alphabet and a missing or extra segment are refused.
func TestCompactJWSStrict(t *testing.T) {
	for token, want := range map[string]bool{
		"eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln":   true,
		"eyJhbGciOiJSUzI1NiJ9=.eyJhIjoxfQ.c2ln":  false,
		"eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ==.c2ln": false,
		"eyJhbGciOiJSUzI1NiJ9.eyJh+joxfQ.c2ln":   false,
		"eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ":        false,
		"a.b.c.d":                                false,
	} {
		if got := compactJWS(token); got != want {
			t.Errorf("%s: %v, want %v", token, got, want)
		}
	}
}
