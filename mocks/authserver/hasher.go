package authserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
)

// errSecretMismatch is the hasher's answer to a secret that does not match.
var errSecretMismatch = errors.New("authserver: client secret does not match")

// sha256Hasher is fosite's client-secret hasher for a mock, used by the
// introspection endpoint, which authenticates its caller itself (the token
// endpoint's client authentication is authenticateClient): one SHA-256 and a
// constant-time compare. fosite's default is bcrypt, which spends about
// 250 ms of CPU per token request by design; a test double that is hit
// thousands of times a second by CI must not, and its secrets protect nothing.
type sha256Hasher struct{}

// Hash implements fosite.Hasher.
func (sha256Hasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return sum[:], nil
}

// Compare implements fosite.Hasher.
func (sha256Hasher) Compare(_ context.Context, hash, data []byte) error {
	sum := sha256.Sum256(data)
	if subtle.ConstantTimeCompare(hash, sum[:]) != 1 {
		return errSecretMismatch
	}
	return nil
}
