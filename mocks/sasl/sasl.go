// Package sasl is the wire format of the bearer-token SASL mechanisms for
// the fake mail servers and the harness's mail clients: XOAUTH2 (Google's
// description, which no library implements) parsed, encoded and spoken as
// a go-sasl Client, and OAUTHBEARER's client response (RFC 7628) parsed.
// The servers' exchange over these messages is mailauth's.
//
// The OAUTHBEARER parser is ours rather than go-sasl's server because
// go-sasl's panics on an empty acknowledgement of its error challenge
// (which X-02 requires a fake to accept, since XOAUTH2 clients send
// exactly that) and refuses unknown keys, which RFC 7628 §3.1 says to
// ignore. The harness uses go-sasl's OAUTHBEARER client.
package sasl

import (
	"errors"

	gosasl "github.com/emersion/go-sasl"
)

// Mechanism names.
const (
	XOAUTH2     = "XOAUTH2"
	OAuthBearer = gosasl.OAuthBearer
)

// Credentials are what a client presented: the mailbox it asks for and its
// bearer token.
type Credentials struct {
	User  string
	Token string
	// Host and Port are OAUTHBEARER's optional host= and port= keys.
	Host string
	Port string
}

// ErrMalformed is the cause of every parse failure.
var ErrMalformed = errors.New("sasl: malformed response")
