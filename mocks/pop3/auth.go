package pop3

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// popError is a refusal the gate's verdict makes: the -ERR text to send.
type popError struct{ text string }

func (e popError) Error() string { return e.text }

// answer is the personality's reply to the gate's verdict: a popError
// with the -ERR text of a refusal, or nil with the session's user set.
func (ss *session) answer(v mailauth.Verdict) error {
	switch {
	case v.Reason == mailauth.ReasonDisconnect:
		_ = ss.conn.Close()
		return mailauth.ErrHungUp
	case !v.OK:
		return popError{ss.s.cfg.Personality.Refusal(v.Reason)}
	}
	ss.user = v.User
	return nil
}

// ctx is the connection's context (mailconn.Conn.Context).
func (ss *session) ctx() context.Context {
	if ss.mc == nil {
		return context.Background()
	}
	return ss.mc.Context()
}

// pass is PASS after USER: a password, refused as basic authentication.
func (ss *session) pass() error {
	if !ss.mayAuth() {
		ss.err(textTLSRequired)
		return nil
	}
	v := ss.s.gate.Authenticate(ss.ctx(), mailauth.Login{Mechanism: mailauth.UserPass, User: ss.named})
	if refused := ss.s.cfg.Personality.PasswordRefused; v.Reason == mailauth.ReasonBasicAuth && refused != "" {
		ss.err(refused)
		return nil
	}
	err := ss.answer(v)
	if pe, ok := err.(popError); ok {
		ss.err(pe.text)
		return nil
	}
	return err
}

// auth is RFC 5034's AUTH, with or without an initial response ("=" for
// an empty one).
func (ss *session) auth(arg string) error {
	p := ss.s.cfg.Personality
	mech, ir, hasIR := strings.Cut(strings.TrimSpace(arg), " ")
	if mech == "" {
		ss.err(textUnknownMech)
		return nil
	}
	if !ss.mayAuth() {
		ss.err(textTLSRequired)
		return nil
	}
	if !mailauth.Offers(p.Mechanisms, mech) {
		ss.err(textUnknownMech)
		return nil
	}
	if hasIR && p.TwoStepOnly {
		// Exchange reads no initial response (EX-04, F-22): it gives up
		// on the connection.
		ss.err(p.OneLineRefused)
		_ = ss.w.Flush()
		return errQuit
	}
	srv := ss.s.gate.SASL(ss.ctx(), mech, ss.answer)
	var resp []byte
	if hasIR {
		if ir != "=" {
			b, err := base64.StdEncoding.DecodeString(ir)
			if err != nil {
				ss.err(p.Malformed)
				return nil
			}
			resp = b
		}
	} else {
		ss.line("+ ")
		var ok bool
		if resp, ok = ss.response(); !ok {
			return nil
		}
	}
	for {
		challenge, done, err := srv.Next(resp)
		var pe popError
		switch {
		case errors.As(err, &pe):
			ss.err(pe.text)
			return nil
		case errors.Is(err, mailauth.ErrHungUp):
			return err
		case err != nil:
			// go-sasl's PLAIN server's own errors: a message that does
			// not parse.
			ss.err(p.Malformed)
			return nil
		case done:
			if ss.user == "" {
				ss.err(p.AuthFailed)
				return nil
			}
			return ss.begin()
		}
		ss.line("+ " + base64.StdEncoding.EncodeToString(challenge))
		var ok bool
		if resp, ok = ss.response(); !ok {
			return nil
		}
	}
}

// response reads a client's SASL response; "*" cancels (RFC 5034 §4).
func (ss *session) response() ([]byte, bool) {
	line, err := ss.readLine()
	if err != nil {
		return nil, false
	}
	if line == "*" {
		ss.err(textCancelled)
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		ss.err(ss.s.cfg.Personality.Malformed)
		return nil, false
	}
	return b, true
}
