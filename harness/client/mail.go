package client

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Security is how a mail client protects its connection: "tls" (implicit,
// ports 465 and 993), "starttls" (587 and 143) or "none".
type Security string

// The securities of DESIGN.md's manifest.
const (
	ImplicitTLS Security = "tls"
	StartTLS    Security = "starttls"
	NoTLS       Security = "none"
)

// wire records what a server sends in clear text: everything on an
// implicit-TLS connection (it sits above TLS), the greeting and the first
// EHLO or CAPABILITY on a STARTTLS one (it sits below TLS, and stops when
// TLS starts).
type wire struct {
	net.Conn
	mu   sync.Mutex
	buf  bytes.Buffer // what the server sent
	sent bytes.Buffer // what the client sent
	off  bool
	more chan struct{} // closed and replaced at each read that recorded bytes
}

// Write implements net.Conn.
func (w *wire) Write(p []byte) (int, error) {
	w.mu.Lock()
	if !w.off && w.sent.Len() < 64<<10 {
		w.sent.Write(p)
	}
	w.mu.Unlock()
	return w.Conn.Write(p)
}

// Read implements net.Conn.
func (w *wire) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	w.mu.Lock()
	if !w.off && w.buf.Len() < 64<<10 && n > 0 {
		w.buf.Write(p[:n])
		if w.more != nil {
			close(w.more)
			w.more = nil
		}
	}
	w.mu.Unlock()
	return n, err
}

// lineWith returns the first recorded server line that starts with prefix,
// waiting for it up to timeout: a library may report a command done
// before its own tagged line was read (go-imap's client answers a second
// CAPABILITY with the first one's result).
func (w *wire) lineWith(prefix string, timeout time.Duration) (string, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		for _, l := range splitLines(w.buf.Bytes()) {
			if strings.HasPrefix(l, prefix) {
				w.mu.Unlock()
				return l, true
			}
		}
		if w.more == nil {
			w.more = make(chan struct{})
		}
		more := w.more
		w.mu.Unlock()
		select {
		case <-more:
		case <-deadline.C:
			return "", false
		}
	}
}

func (w *wire) stop() {
	w.mu.Lock()
	w.off = true
	w.mu.Unlock()
}

// lines returns the recorded server lines.
func (w *wire) lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return splitLines(w.buf.Bytes())
}

// sentLines returns the recorded client lines.
func (w *wire) sentLines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return splitLines(w.sent.Bytes())
}

func splitLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// withServerName returns cfg with ServerName set to addr's host, as a mail
// client that was given "host:port" does.
func withServerName(cfg *tls.Config, addr string) *tls.Config {
	c := cfg.Clone()
	if c == nil {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName, _, _ = net.SplitHostPort(addr)
	}
	return c
}

func dial(addr string, security Security, tlsConfig *tls.Config) (*wire, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	var (
		conn net.Conn
		err  error
	)
	if security == ImplicitTLS {
		conn, err = tls.DialWithDialer(d, "tcp", addr, tlsConfig)
	} else {
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	return &wire{Conn: conn}, nil
}

// SMTPSession is an application's connection to a submission server, on
// go-smtp's client.
type SMTPSession struct {
	*gosmtp.Client
	wire *wire
	// PreTLS are the server's lines before TLS started (greeting and EHLO
	// reply on a STARTTLS connection), or everything for implicit TLS.
	PreTLS []string
}

// DialSMTP connects to addr and says EHLO; with StartTLS it upgrades the
// connection first, as a submission client on port 587 does.
func DialSMTP(addr string, security Security, tlsConfig *tls.Config) (*SMTPSession, error) {
	tlsConfig = withServerName(tlsConfig, addr)
	w, err := dial(addr, security, tlsConfig)
	if err != nil {
		return nil, err
	}
	s := &SMTPSession{wire: w}
	if security == StartTLS {
		// go-smtp says EHLO, then STARTTLS: the wire keeps both replies.
		c, err := gosmtp.NewClientStartTLS(&stopOnTLS{wire: w}, tlsConfig)
		if err != nil {
			w.Close()
			return nil, err
		}
		s.Client = c
	} else {
		s.Client = gosmtp.NewClient(w)
	}
	if err := s.Hello("app.mailoauth.test"); err != nil && !strings.Contains(err.Error(), "already") {
		s.Close()
		return nil, err
	}
	s.PreTLS = w.lines()
	return s, nil
}

// stopOnTLS stops the wire's recording when the client writes STARTTLS:
// what follows is ciphertext.
type stopOnTLS struct {
	*wire
	stopped bool // STARTTLS went out: the rest is not looked at
}

// maxCommandWrite bounds the writes looked at for STARTTLS: go-smtp
// writes a command line in one write, and a message's DATA in large ones
// no command is in.
const maxCommandWrite = 512

// Write implements net.Conn.
func (s *stopOnTLS) Write(p []byte) (int, error) {
	if !s.stopped && len(p) <= maxCommandWrite && bytes.Contains(bytes.ToUpper(p), []byte("STARTTLS\r\n")) {
		s.stopped = true
		defer s.wire.stop()
	}
	return s.wire.Conn.Write(p)
}

// Lines returns the server's lines recorded so far (see wire).
func (s *SMTPSession) Lines() []string { return s.wire.lines() }

// Greeting returns the server's 220 line.
func (s *SMTPSession) Greeting() string {
	if len(s.PreTLS) == 0 {
		return ""
	}
	return s.PreTLS[0]
}

// Send sends a message in one transaction.
func (s *SMTPSession) Send(from string, to []string, msg []byte) error {
	return s.SendMail(from, to, bytes.NewReader(msg))
}

// ReplyLines renders an SMTP error as the lines the server sent
// ("535-5.7.8 ...", "535 5.7.8 ..."); other errors as their text.
func ReplyLines(err error) []string {
	var se *gosmtp.SMTPError
	if !errors.As(err, &se) {
		if err == nil {
			return nil
		}
		return []string{err.Error()}
	}
	enh := ""
	if se.EnhancedCode != (gosmtp.EnhancedCode{}) && se.EnhancedCode != gosmtp.NoEnhancedCode {
		enh = fmt.Sprintf("%d.%d.%d ", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
	}
	parts := strings.Split(se.Message, "\n")
	out := make([]string, len(parts))
	for i, p := range parts {
		sep := "-"
		if i == len(parts)-1 {
			sep = " "
		}
		out[i] = fmt.Sprintf("%d%s%s%s", se.Code, sep, enh, p)
	}
	return out
}

// IMAPSession is an application's connection to an IMAP server, on go-imap
// v2's client.
type IMAPSession struct {
	*imapclient.Client
	wire *wire
}

// DialIMAP connects to addr; with StartTLS it upgrades the connection first.
func DialIMAP(addr string, security Security, tlsConfig *tls.Config) (*IMAPSession, error) {
	tlsConfig = withServerName(tlsConfig, addr)
	w, err := dial(addr, security, tlsConfig)
	if err != nil {
		return nil, err
	}
	opts := &imapclient.Options{TLSConfig: tlsConfig}
	s := &IMAPSession{wire: w}
	if security == StartTLS {
		c, err := imapclient.NewStartTLS(&stopOnTLS{wire: w}, opts)
		if err != nil {
			w.Close()
			return nil, err
		}
		s.Client = c
	} else {
		s.Client = imapclient.New(w, opts)
	}
	if err := s.WaitGreeting(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Greeting returns the server's greeting line.
func (s *IMAPSession) Greeting() string {
	lines := s.wire.lines()
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

// StatusOf returns the tagged status line that answered the client's last
// command named command ("AUTHENTICATE"), its tag removed ("OK Success"),
// as read off the wire; "" if none was recorded (on a STARTTLS
// connection, nothing is after TLS starts).
func (s *IMAPSession) StatusOf(command string) string {
	sent := s.wire.sentLines()
	tag := ""
	for i := len(sent) - 1; i >= 0 && tag == ""; i-- {
		if f := strings.Fields(sent[i]); len(f) > 1 && strings.EqualFold(f[1], command) {
			tag = f[0]
		}
	}
	if tag == "" {
		return ""
	}
	if l, ok := s.wire.lineWith(tag+" ", 5*time.Second); ok {
		return strings.TrimPrefix(l, tag+" ")
	}
	return ""
}

// Authenticate authenticates with c, and returns the server's refusal as
// an *imap.Error.
func (s *IMAPSession) Authenticate(c gosasl.Client) error {
	return s.Client.Authenticate(c)
}

// Append stores msg in mailbox with APPEND, as go-imap's client sends it
// (a synchronizing literal past 4,096 bytes, LITERAL+ or not).
func (s *IMAPSession) Append(mailbox string, msg []byte) error {
	cmd := s.Client.Append(mailbox, int64(len(msg)), nil)
	if _, err := cmd.Write(msg); err != nil {
		_ = cmd.Close()
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

// InboxSubjects selects INBOX and returns the subjects of its messages.
func (s *IMAPSession) InboxSubjects() ([]string, error) {
	data, err := s.Select("INBOX", nil).Wait()
	if err != nil {
		return nil, err
	}
	if data.NumMessages == 0 {
		return nil, nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	msgs, err := s.Fetch(all, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range msgs {
		if m.Envelope != nil {
			out = append(out, m.Envelope.Subject)
		}
	}
	return out, nil
}
