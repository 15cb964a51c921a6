package smtp

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// maxTapped bounds what a message's tap keeps: enough for its header.
const maxTapped = 16 << 10

// headerTap passes a message through, keeping its first maxTapped bytes:
// the header, for the audit log's subject.
type headerTap struct {
	r   io.Reader
	buf []byte
}

// Read implements io.Reader.
func (t *headerTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if room := maxTapped - len(t.buf); room > 0 && n > 0 {
		t.buf = append(t.buf, p[:min(n, room)]...)
	}
	return n, err
}

// subject is the message's Subject, its encoded words decoded (RFC 2047),
// or "" if the header has none or does not parse.
func (t *headerTap) subject() string {
	hdr := t.buf
	if i := bytes.Index(hdr, []byte("\n\r\n")); i >= 0 {
		hdr = hdr[:i+3]
	} else if i := bytes.Index(hdr, []byte("\n\n")); i >= 0 {
		hdr = hdr[:i+2]
	} else {
		// The header is longer than what was kept: what there is of it.
		hdr = append(hdr[:len(hdr):len(hdr)], "\r\n\r\n"...)
	}
	m, err := mail.ReadMessage(bytes.NewReader(hdr))
	if err != nil {
		return ""
	}
	raw := m.Header.Get("Subject")
	if s, err := new(mime.WordDecoder).DecodeHeader(raw); err == nil {
		return s
	}
	return raw
}

// recordMessage writes an accepted message to the audit log: its
// envelope as the client gave it and its subject (Event.Seen: from, to,
// subject).
func (ss *session) recordMessage(subject string) {
	ss.s.cfg.World.Record(world.Event{Provider: ss.s.cfg.Provider, Protocol: "smtp", Mechanism: "message",
		User: ss.user, Outcome: "accepted",
		Seen: map[string]string{"from": ss.from, "to": strings.Join(ss.to, ","), "subject": subject}})
}
