package client

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"
)

// Raw is a mail connection driven line by line, for what a mail library
// would never send: a base64 argument that does not decode, a SASL message
// that does not parse, a mechanism in lower case.
type Raw struct {
	// Greeting is the server's greeting, its last line.
	Greeting string

	conn net.Conn
	r    *bufio.Reader
	imap bool
	pop  bool   // POP3 (DialRawPOP3)
	tag  string // the tag of the IMAP command in progress
}

// DialRawPOP3 opens a connection to a POP3 server, with implicit TLS
// unless tlsConfig is nil, and reads its greeting.
func DialRawPOP3(addr string, tlsConfig *tls.Config) (*Raw, error) {
	r, err := DialRaw(addr, tlsConfig, true)
	if err != nil {
		return nil, err
	}
	r.imap, r.pop = false, true
	return r, nil
}

// popMultiLine are the POP3 commands whose +OK starts a multi-line
// reply ended by "." (RFC 1939, RFC 2449); LIST and UIDL only without an
// argument.
var popMultiLine = map[string]bool{"CAPA": true, "RETR": true, "TOP": true, "LIST": true, "UIDL": true}

// readPOP3 reads the reply to the POP3 command line: its status line,
// and the lines to "." of a multi-line one.
func (r *Raw) readPOP3(line string) ([]string, error) {
	lines, err := r.readLines(func(string) bool { return true })
	if err != nil || !strings.HasPrefix(lines[0], "+OK") {
		return lines, err
	}
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	if !popMultiLine[verb] || (verb == "LIST" || verb == "UIDL") && arg != "" {
		return lines, nil
	}
	more, err := r.readLines(func(l string) bool { return l == "." })
	return append(lines, more...), err
}

// rawTimeout bounds every exchange of a Raw connection.
const rawTimeout = 10 * time.Second

// DialRaw opens a connection to a mail server, with implicit TLS unless
// tlsConfig is nil, and reads its greeting; imap says which protocol's
// replies to expect.
func DialRaw(addr string, tlsConfig *tls.Config, imap bool) (*Raw, error) {
	d := &net.Dialer{Timeout: rawTimeout}
	var conn net.Conn
	var err error
	if tlsConfig != nil {
		conn, err = tls.DialWithDialer(d, "tcp", addr, tlsConfig)
	} else {
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	r := &Raw{conn: conn, r: bufio.NewReader(conn), imap: imap}
	var lines []string
	if imap {
		lines, err = r.readLines(func(string) bool { return true })
	} else {
		lines, err = r.readSMTP()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	r.Greeting = lines[len(lines)-1]
	return r, nil
}

// Send writes line and returns the server's reply: an SMTP reply's lines;
// for IMAP, every line up to the tagged status of the command or a
// continuation request ("+ ...").
func (r *Raw) Send(line string) ([]string, error) {
	_ = r.conn.SetDeadline(time.Now().Add(rawTimeout))
	if _, err := fmt.Fprintf(r.conn, "%s\r\n", line); err != nil {
		return nil, err
	}
	if r.pop {
		return r.readPOP3(line)
	}
	if !r.imap {
		return r.readSMTP()
	}
	if tag, _, ok := strings.Cut(line, " "); ok && r.tag == "" {
		r.tag = tag
	}
	lines, err := r.readLines(func(l string) bool { return strings.HasPrefix(l, "+") || strings.HasPrefix(l, r.tag+" ") })
	if err == nil && !strings.HasPrefix(lines[len(lines)-1], "+") {
		r.tag = ""
	}
	return lines, err
}

// readSMTP reads one SMTP reply: lines until one whose fourth byte is not
// "-".
func (r *Raw) readSMTP() ([]string, error) {
	return r.readLines(func(l string) bool { return len(l) < 4 || l[3] != '-' })
}

func (r *Raw) readLines(last func(string) bool) ([]string, error) {
	_ = r.conn.SetDeadline(time.Now().Add(rawTimeout))
	var lines []string
	for {
		l, err := r.r.ReadString('\n')
		if err != nil {
			if len(lines) > 0 || l != "" {
				return append(lines, strings.TrimRight(l, "\r\n")), fmt.Errorf("after %q: %w", l, err)
			}
			return nil, err
		}
		l = strings.TrimRight(l, "\r\n")
		lines = append(lines, l)
		if last(l) {
			return lines, nil
		}
	}
}

// StartTLS asks for TLS on a plain connection (SMTP: after EHLO) and
// goes on over it.
func (r *Raw) StartTLS(tlsConfig *tls.Config) error {
	cmd := "STARTTLS"
	switch {
	case r.imap:
		cmd = "s0 STARTTLS"
	case r.pop:
		cmd = "STLS"
	}
	lines, err := r.Send(cmd)
	if err != nil {
		return err
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "220 ") && !strings.HasPrefix(last, "s0 OK") && !strings.HasPrefix(last, "+OK") {
		return fmt.Errorf("STARTTLS refused: %q", last)
	}
	cfg := tlsConfig.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(r.conn.RemoteAddr().String())
	}
	tc := tls.Client(r.conn, cfg)
	if err := tc.Handshake(); err != nil {
		return err
	}
	r.conn, r.r = tc, bufio.NewReader(tc)
	return nil
}

// Close closes the connection.
func (r *Raw) Close() error { return r.conn.Close() }

// Closed reports whether the server closed the connection after its last
// reply: the next read ends the stream with nothing read. A server that
// keeps it open and silent holds the read to the exchange's bound; what
// it sent instead is returned.
func (r *Raw) Closed() (bool, string) {
	_ = r.conn.SetDeadline(time.Now().Add(rawTimeout))
	l, err := r.r.ReadString('\n')
	return err != nil && l == "", l
}

// IMAP reports whether the connection speaks IMAP.
func (r *Raw) IMAP() bool { return r.imap }

// ReadLine reads the server's next line, unasked.
func (r *Raw) ReadLine() (string, error) {
	lines, err := r.readLines(func(string) bool { return true })
	if len(lines) == 0 {
		return "", err
	}
	return lines[0], err
}
