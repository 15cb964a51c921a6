package steps

import (
	"fmt"
	"strings"
)

// smtpMessageSteps are messages of a given size through the SMTP session,
// and what the world's audit log (GET /api/events) says of the messages
// the SMTP servers accepted.
func (s *scenario) smtpMessageSteps() []stepDef {
	return []stepDef{
		{`^the application sends a (\d+)-byte message from ` + email + ` to ` + email + ` with subject "([^"]*)"$`,
			"sends a message of that many bytes, header included, through the SMTP session", s.sendsSized},
		{`^the world saw a message from ` + email + ` to "([^"]*)" with the subject "([^"]*)"$`,
			"the newest message the SMTP server accepted, in the audit log: MAIL FROM, the RCPT TOs as given (comma-separated), the decoded Subject",
			s.worldSawMessage},
	}
}

// worldSawMessage compares the newest accepted SMTP message of the audit
// log with from, to and subject ("" for a message without one).
func (s *scenario) worldSawMessage(from, to, subject string) error {
	evs := s.server.World.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if e.Protocol != "smtp" || e.Mechanism != "message" {
			continue
		}
		if e.Outcome != "accepted" || e.Seen["from"] != from || e.Seen["to"] != to || e.Seen["subject"] != subject {
			return s.failf("the world saw a message %s, from %q to %q with the subject %q; want from %q to %q with the subject %q",
				e.Outcome, e.Seen["from"], e.Seen["to"], e.Seen["subject"], from, to, subject)
		}
		return nil
	}
	return s.failf("the world saw no SMTP message (%d events)", len(evs))
}

// sendsSized sends a message of size bytes from from to to: its header,
// then lines of "x" up to size.
func (s *scenario) sendsSized(size int, from, to, subject string) error {
	head := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n", from, to, subject)
	n := max(size-len(head), 2)
	line := strings.Repeat("x", 998) + "\r\n"
	body := strings.Repeat(line, n/len(line))
	switch r := n % len(line); r {
	case 0:
	case 1:
		body = "x" + body
	default:
		body += strings.Repeat("x", r-2) + "\r\n"
	}
	s.mail.sendErr = s.mail.smtp.Send(from, []string{to}, []byte(head+body))
	return nil
}
