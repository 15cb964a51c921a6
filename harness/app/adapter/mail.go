package adapter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// mailServer is the address and security of a MAILOAUTH_{SMTP,IMAP,POP3}_*
// server.
func (a *adapter) mailServer(name string) (string, client.Security, error) {
	host, port := a.env("MAILOAUTH_"+name+"_HOST"), a.env("MAILOAUTH_"+name+"_PORT")
	if host == "" || port == "" {
		return "", "", errNotSupported
	}
	return net.JoinHostPort(host, port), client.Security(a.env("MAILOAUTH_" + name + "_SECURITY")), nil
}

// refusal is a mail server's refusal of the token: the application
// refreshes once and tries again.
type refusal struct{ line string }

// Error implements error.
func (r *refusal) Error() string { return r.line }

// withToken runs session with a valid token; when the server refuses the
// token, the token is refreshed once and session runs again; a transient
// failure is retried once.
func (a *adapter) withToken(ctx context.Context, session func(token string) error) error {
	token, err := a.validToken(ctx, false)
	if err != nil {
		return err
	}
	err = a.mailRetry(func() error { return session(token) })
	var ref *refusal
	if !errors.As(err, &ref) {
		return err
	}
	fmt.Fprintf(a.stderr, "the server refused the token (%s); refreshing it\n", ref.line)
	if token, err = a.validToken(ctx, true); err != nil {
		return err
	}
	err = a.mailRetry(func() error { return session(token) })
	if errors.As(err, &ref) {
		return failf("the mail server refused the refreshed token too: %s; sign in again", ref.line)
	}
	return err
}

// mailRetry retries f once after a transient mail failure (454 4.7.0,
// NO [UNAVAILABLE], -ERR [SYS/TEMP]).
func (a *adapter) mailRetry(f func() error) error {
	err := f()
	if err != nil && transientMail(err) && !a.flaw("no-retry") {
		fmt.Fprintf(a.stderr, "transient mail failure, retrying: %v\n", short(err))
		time.Sleep(100 * time.Millisecond)
		err = f()
	}
	return err
}

func transientMail(err error) bool {
	var se *gosmtp.SMTPError
	if errors.As(err, &se) {
		return se.Code/100 == 4
	}
	s := err.Error()
	return strings.Contains(s, "UNAVAILABLE") || strings.Contains(s, "[SYS/TEMP]") || strings.Contains(s, "[IN-USE]")
}

// send sends MAILOAUTH_MAIL_* over SMTP with XOAUTH2 as MAILOAUTH_USER.
func (a *adapter) send(ctx context.Context) error {
	addr, security, err := a.mailServer("SMTP")
	if err != nil {
		return err
	}
	from, to := a.env("MAILOAUTH_MAIL_FROM"), strings.Split(a.env("MAILOAUTH_MAIL_TO"), ",")
	msg := "From: " + from + "\r\nTo: " + strings.Join(to, ", ") + "\r\nSubject: " + a.env("MAILOAUTH_MAIL_SUBJECT") +
		"\r\nDate: " + a.now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + strconv.FormatInt(time.Now().UnixNano(), 36) +
		"@app.mailoauth.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		a.env("MAILOAUTH_MAIL_BODY") + "\r\n"
	return a.withToken(ctx, func(token string) error {
		s, err := client.DialSMTP(addr, security, a.tls)
		if err != nil {
			return failf("cannot reach the SMTP server %s: %s", addr, short(err))
		}
		defer s.Close()
		auth := sasl.NewXOAUTH2Client(a.mailUser(), token, nil)
		if a.flaw("plain-auth") {
			auth = gosasl.NewPlainClient("", a.mailUser(), token)
		}
		if err := s.Auth(auth); err != nil {
			var se *gosmtp.SMTPError
			if errors.As(err, &se) && se.Code/100 == 5 {
				return &refusal{strings.Join(client.ReplyLines(err), " ")}
			}
			return err
		}
		if err := s.Send(from, to, []byte(msg)); err != nil {
			return failf("the message was not accepted: %s", strings.Join(client.ReplyLines(err), " "))
		}
		return s.Quit()
	})
}

// fetch reads the INBOX's subjects over IMAP.
func (a *adapter) fetch(ctx context.Context) ([]string, error) {
	addr, security, err := a.mailServer("IMAP")
	if err != nil {
		return nil, err
	}
	subjects := []string{}
	err = a.withToken(ctx, func(token string) error {
		s, err := client.DialIMAP(addr, security, a.tls)
		if err != nil {
			return failf("cannot reach the IMAP server %s: %s", addr, short(err))
		}
		defer s.Close()
		if err := s.Authenticate(sasl.NewXOAUTH2Client(a.mailUser(), token, nil)); err != nil {
			var ie *imap.Error
			if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo && ie.Code != imap.ResponseCodeUnavailable {
				return &refusal{"NO " + ie.Text}
			}
			return err
		}
		got, err := s.InboxSubjects()
		if err != nil {
			return err
		}
		subjects = append(subjects[:0], got...)
		return s.Logout().Wait()
	})
	return subjects, err
}

// pop reads the maildrop's subjects over POP3 (AUTH XOAUTH2 in two steps:
// the command, then the response to the empty challenge).
func (a *adapter) pop(ctx context.Context) ([]string, error) {
	addr, security, err := a.mailServer("POP3")
	if err != nil {
		return nil, err
	}
	subjects := []string{}
	err = a.withToken(ctx, func(token string) error {
		s, err := client.DialPOP3(addr, security, a.tls)
		if err != nil {
			return failf("cannot reach the POP3 server %s: %s", addr, short(err))
		}
		defer s.Close()
		if err := s.Auth(twoStep{sasl.NewXOAUTH2Client(a.mailUser(), token, nil)}); err != nil {
			var pe *client.POP3Error
			if errors.As(err, &pe) && !transientMail(err) {
				return &refusal{pe.Line}
			}
			return err
		}
		got, err := s.Subjects()
		if err != nil {
			return err
		}
		subjects = append(subjects[:0], got...)
		return nil
	})
	return subjects, err
}

// twoStep sends a SASL mechanism's initial response after the server's
// empty challenge rather than on the AUTH line, as Exchange's POP3 wants
// (seed 001: "AUTH XOAUTH2", "+", then the response).
type twoStep struct {
	inner interface {
		Start() (string, []byte, error)
		Next([]byte) ([]byte, error)
	}
}

// Start names the mechanism without an initial response.
func (t twoStep) Start() (string, []byte, error) {
	mech, _, err := t.inner.Start()
	return mech, nil, err
}

// Next answers the empty challenge with the initial response, and any
// other challenge as the mechanism does.
func (t twoStep) Next(challenge []byte) ([]byte, error) {
	if len(challenge) == 0 {
		_, ir, err := t.inner.Start()
		return ir, err
	}
	return t.inner.Next(challenge)
}
