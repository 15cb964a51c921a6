package authserver

import "net/url"

// ChallengeInvalid is an authorization request whose code_challenge is
// not one RFC 7636 §4.2 allows: 43 to 128 characters of the unreserved
// set [A-Za-z0-9-._~]. Its error code is invalid_request.
const ChallengeInvalid FailureKind = "invalid_code_challenge"

// ChallengeMethodInvalid is an authorization request naming a
// code_challenge_method RFC 7636 §4.3 does not define ("s256"); its
// error code is invalid_request. "plain" where the profile refuses it is
// left to fosite.
const ChallengeMethodInvalid FailureKind = "invalid_code_challenge_method"

// checkPKCE refuses the PKCE parameters of an authorization request that
// RFC 7636 does not allow, before any page is shown (fosite checks them
// only when the code is issued, and never the challenge's length); nil
// when there are none or they are well formed.
func checkPKCE(form url.Values) *Failure {
	challenge, method := form.Get("code_challenge"), form.Get("code_challenge_method")
	if method != "" && method != "S256" && method != "plain" {
		return &Failure{Kind: ChallengeMethodInvalid, Code: "invalid_request", Detail: method,
			Description: "The code_challenge_method is not supported, use S256 instead."}
	}
	if challenge != "" && !unreserved(challenge, 43, 128) {
		return &Failure{Kind: ChallengeInvalid, Code: "invalid_request", Detail: challenge,
			Description: "The code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.2)."}
	}
	return nil
}

// unreserved reports whether s is lo to hi characters of RFC 3986's
// unreserved set.
func unreserved(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}
