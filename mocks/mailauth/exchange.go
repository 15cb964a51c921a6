package mailauth

import (
	"context"
	"strings"

	gosasl "github.com/emersion/go-sasl"

	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// SASL returns the server side of the SASL exchange of mech for one
// session: each login it reads goes to Authenticate with ctx (the
// connection's), and answer turns the verdict into the exchange's result.
// A bearer token's message that does not parse is answered with
// ReasonMalformed without reaching the gate's faults or rule, and
// recorded with where it goes wrong.
func (g Gate) SASL(ctx context.Context, mech string, answer Answer) gosasl.Server {
	mech = strings.ToUpper(mech)
	decide := func(user, token string) Verdict {
		return g.Authenticate(ctx, Login{Mechanism: mech, User: user, Token: token})
	}
	switch mech {
	case sasl.XOAUTH2, sasl.OAuthBearer:
		malformed := func(response []byte) Verdict {
			v := Verdict{Reason: ReasonMalformed, Detail: malformedDetail(mech, response)}
			g.record(ctx, Login{Protocol: g.Protocol, Mechanism: mech}, v)
			return v
		}
		return &bearerServer{mech: mech, decide: decide, answer: answer, malformed: malformed}
	case "PLAIN":
		return gosasl.NewPlainServer(func(_, user, _ string) error { return answer(decide(user, "")) })
	case "LOGIN":
		return &loginServer{done: func(user string) error { return answer(decide(user, "")) }}
	}
	return refuseServer{func() error { return answer(decide("", "")) }}
}

// bearerServer is one XOAUTH2 or OAUTHBEARER exchange: an optional empty
// challenge when the client sent no initial response, the client's
// message, then either success, an immediate failure, or an error
// challenge, the client's acknowledgement and the failure.
type bearerServer struct {
	mech      string
	decide    func(user, token string) Verdict
	malformed func(response []byte) Verdict // records and refuses a message that does not parse
	answer    Answer
	pending   error // the failure to report once the challenge is acknowledged
	done      bool
	asked     bool
}

// Next implements gosasl.Server.
func (s *bearerServer) Next(response []byte) (challenge []byte, done bool, err error) {
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
	parse := sasl.ParseXOAUTH2
	if s.mech == sasl.OAuthBearer {
		parse = sasl.ParseOAuthBearer
	}
	creds, perr := parse(response)
	if perr != nil {
		s.done = true
		return nil, true, s.answer(s.malformed(response))
	}
	v := s.decide(creds.User, creds.Token)
	err = s.answer(v)
	if v.OK || v.Challenge == nil || err == nil {
		s.done = true
		return nil, true, err
	}
	s.pending = err
	return v.Challenge, false, nil
}

// refuseServer fails at once.
type refuseServer struct{ err func() error }

// Next implements gosasl.Server.
func (r refuseServer) Next([]byte) ([]byte, bool, error) { return nil, true, r.err() }

// loginServer is the server side of AUTH LOGIN (draft-murchison-sasl-login):
// it asks for the user name and the password, then calls done.
type loginServer struct {
	step     int
	username string
	done     func(username string) error
}

// Next implements gosasl.Server.
func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch {
	case l.step == 0 && response == nil:
		l.step = 1
		return []byte("Username:"), false, nil
	case l.step <= 1:
		l.username, l.step = string(response), 2
		return []byte("Password:"), false, nil
	}
	return nil, true, l.done(l.username)
}
