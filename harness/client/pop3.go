package client

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"

	gosasl "github.com/emersion/go-sasl"
)

// POP3Session is the application's POP3 connection (RFC 1939, SASL per RFC
// 5034, STLS per RFC 2595). No maintained Go POP3 client library speaks
// SASL, so this one is small and the harness's own; it keeps every line the
// server sent for the assertions.
type POP3Session struct {
	conn net.Conn
	tp   *textproto.Conn
	// Lines are the status lines the server sent, oldest first.
	Lines []string
	// TwoStep makes Auth send "AUTH <mech>" alone, and the initial
	// response after the server's "+ " (RFC 5034 §4, as Exchange wants
	// it, EX-04).
	TwoStep bool
}

// POP3Error is a "-ERR" reply.
type POP3Error struct{ Line string }

// Error implements error: the reply line.
func (e *POP3Error) Error() string { return e.Line }

// DialPOP3 connects to a POP3 server with implicit TLS, or on its plain
// port and STLS (security StartTLS), and reads the greeting.
func DialPOP3(addr string, security Security, tlsConfig *tls.Config) (*POP3Session, error) {
	cfg := withServerName(tlsConfig, addr)
	conn, err := dial(addr, security, cfg)
	if err != nil {
		return nil, err
	}
	s := &POP3Session{conn: conn, tp: textproto.NewConn(conn)}
	if _, err := s.status(); err != nil {
		conn.Close()
		return nil, err
	}
	if security == StartTLS {
		if _, err := s.Cmd("STLS"); err != nil {
			conn.Close()
			return nil, err
		}
		tc := tls.Client(conn, cfg)
		if err := tc.Handshake(); err != nil {
			conn.Close()
			return nil, err
		}
		s.conn, s.tp = tc, textproto.NewConn(tc)
	}
	return s, nil
}

// status reads a status line: "+OK ..." or an error for "-ERR ...".
func (s *POP3Session) status() (string, error) {
	line, err := s.tp.ReadLine()
	if err != nil {
		return "", err
	}
	s.Lines = append(s.Lines, line)
	if strings.HasPrefix(line, "-ERR") {
		return line, &POP3Error{line}
	}
	if !strings.HasPrefix(line, "+") {
		return line, fmt.Errorf("pop3: unexpected reply %q", line)
	}
	return line, nil
}

// Cmd sends a command and reads its status line.
func (s *POP3Session) Cmd(format string, args ...any) (string, error) {
	if err := s.tp.PrintfLine(format, args...); err != nil {
		return "", err
	}
	return s.status()
}

// Auth runs SASL mechanism c with its initial response (RFC 5034): the
// server's challenges go to c, and a refusal comes back as a *POP3Error.
func (s *POP3Session) Auth(c gosasl.Client) error {
	mech, ir, err := c.Start()
	if err != nil {
		return err
	}
	cmd := "AUTH " + mech
	if ir != nil && !s.TwoStep {
		cmd += " " + base64.StdEncoding.EncodeToString(ir)
		if len(ir) == 0 {
			cmd += "="
		}
	}
	line, err := s.Cmd("%s", cmd)
	if err == nil && ir != nil && s.TwoStep {
		if line != "+ " && line != "+" {
			return fmt.Errorf("pop3: %q to AUTH %s, want \"+ \"", line, mech)
		}
		line, err = s.Cmd("%s", base64.StdEncoding.EncodeToString(ir))
	}
	for err == nil && (strings.HasPrefix(line, "+ ") || line == "+") {
		challenge, derr := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimPrefix(line, "+"), " "))
		if derr != nil {
			return derr
		}
		resp, cerr := c.Next(challenge)
		if cerr != nil {
			_, _ = s.Cmd("*")
			return cerr
		}
		line, err = s.Cmd("%s", base64.StdEncoding.EncodeToString(resp))
	}
	return err
}

// Stat returns the number of messages and their total size.
func (s *POP3Session) Stat() (int, int, error) {
	line, err := s.Cmd("STAT")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(line)
	if len(f) < 3 {
		return 0, 0, fmt.Errorf("pop3: STAT %q", line)
	}
	n, err1 := strconv.Atoi(f[1])
	size, err2 := strconv.Atoi(f[2])
	return n, size, errors.Join(err1, err2)
}

// Retr returns message n, dot-stuffing undone.
func (s *POP3Session) Retr(n int) (string, error) {
	if _, err := s.Cmd("RETR %d", n); err != nil {
		return "", err
	}
	lines, err := s.tp.ReadDotLines()
	if err != nil {
		return "", err
	}
	return strings.Join(lines, "\r\n") + "\r\n", nil
}

// Subjects returns the Subject of every message of the maildrop, in
// order.
func (s *POP3Session) Subjects() ([]string, error) {
	n, _, err := s.Stat()
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 1; i <= n; i++ {
		body, err := s.Retr(i)
		if err != nil {
			return nil, err
		}
		r := textproto.NewReader(bufio.NewReader(strings.NewReader(body)))
		h, _ := r.ReadMIMEHeader()
		out = append(out, h.Get("Subject"))
	}
	return out, nil
}

// Close quits (committing deletions) and closes the connection.
func (s *POP3Session) Close() error {
	_, _ = s.Cmd("QUIT")
	return s.conn.Close()
}
