// Package sasl is the SASL glue of the fake mail servers and of the
// harness's mail clients: XOAUTH2 (Google's description, which no library
// implements) and the server side of OAUTHBEARER (RFC 7628), both behind
// emersion/go-sasl's Server and Client interfaces.
//
// The OAUTHBEARER server is ours rather than go-sasl's because go-sasl's
// panics on an empty acknowledgement of its error challenge (which X-02
// requires a fake to accept, since XOAUTH2 clients send exactly that) and
// refuses unknown keys, which RFC 7628 §3.1 says to ignore. The harness
// uses go-sasl's OAUTHBEARER client.
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

// Verdict is what the server's Authenticate callback decides.
type Verdict struct {
	// Err is nil to accept the client, else the protocol error the server
	// answers with (an *smtp.SMTPError, an *imap.Error...).
	Err error
	// Challenge, when the login is refused, is sent to the client as an
	// error challenge (XOAUTH2 at Gmail GM-03, OAUTHBEARER per RFC 7628
	// §3.2.2) before Err; nil fails at once (Exchange, EX-03).
	Challenge []byte
}

// ServerConfig configures a server-side mechanism.
type ServerConfig struct {
	// Mechanism is XOAUTH2 or OAUTHBEARER.
	Mechanism string
	// Authenticate decides on the presented credentials.
	Authenticate func(Credentials) Verdict
	// Malformed returns the protocol error for a response that does not
	// parse (called only then: the reply is built only when needed).
	Malformed func() error
}

// server is one SASL exchange: an optional empty challenge when the client
// sent no initial response, the client's message, then either success, an
// immediate failure, or an error challenge, the client's acknowledgement
// and the failure.
type server struct {
	cfg     ServerConfig
	pending error // the failure to report once the challenge is acknowledged
	done    bool
	asked   bool
}

// NewServer returns a go-sasl Server for cfg.Mechanism.
func NewServer(cfg ServerConfig) gosasl.Server {
	return &server{cfg: cfg}
}

// Next implements gosasl.Server.
func (s *server) Next(response []byte) (challenge []byte, done bool, err error) {
	switch {
	case s.done:
		return nil, true, gosasl.ErrUnexpectedClientResponse
	case s.pending != nil:
		// The client acknowledged the error challenge: an empty response
		// (XOAUTH2) or %x01 (OAUTHBEARER); either is accepted.
		s.done = true
		return nil, true, s.pending
	case response == nil && !s.asked:
		// No initial response: ask for it with an empty challenge
		// (SMTP "334 ", IMAP "+ "). nil rather than []byte{}: go-imap
		// writes an empty slice as "+ =", which is for SASL-IR only.
		s.asked = true
		return nil, false, nil
	}
	var (
		creds Credentials
		perr  error
	)
	if s.cfg.Mechanism == OAuthBearer {
		creds, perr = ParseOAuthBearer(response)
	} else {
		creds, perr = ParseXOAUTH2(response)
	}
	if perr != nil {
		s.done = true
		return nil, true, s.cfg.Malformed()
	}
	v := s.cfg.Authenticate(creds)
	if v.Err == nil {
		s.done = true
		return nil, true, nil
	}
	if v.Challenge == nil {
		s.done = true
		return nil, true, v.Err
	}
	s.pending = v.Err
	return v.Challenge, false, nil
}
