package sasl

import (
	"strings"

	gosasl "github.com/emersion/go-sasl"
)

// Offer is how a mail server answers the SASL mechanisms it advertises:
// bearer tokens go to Token, passwords (PLAIN, LOGIN) to Password, and any
// other advertised mechanism fails with Other. The errors are the
// protocol's own (an *smtp.SMTPError, an *imap.Error).
type Offer struct {
	// Token decides on a bearer token (XOAUTH2, OAUTHBEARER).
	Token func(mech string, c Credentials) Verdict
	// Malformed returns the error for a token message that does not parse.
	Malformed func() error
	// Password answers a user name and password; it returns the refusal.
	Password func(mech, user string) error
	// Other returns the error for any other advertised mechanism.
	Other func() error
}

// Server returns the SASL server of mech (upper case).
func (o Offer) Server(mech string) gosasl.Server {
	switch mech = strings.ToUpper(mech); mech {
	case XOAUTH2, OAuthBearer:
		return NewServer(ServerConfig{
			Mechanism:    mech,
			Authenticate: func(c Credentials) Verdict { return o.Token(mech, c) },
			Malformed:    o.Malformed,
		})
	case "PLAIN":
		return gosasl.NewPlainServer(func(_, user, _ string) error { return o.Password(mech, user) })
	case "LOGIN":
		return &loginServer{done: func(user string) error { return o.Password(mech, user) }}
	}
	return refuseServer{o.Other}
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
