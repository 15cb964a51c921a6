package steps

// mailSeenSteps are what the world's audit log (GET /api/events) says of
// the messages the SMTP servers accepted.
func (s *scenario) mailSeenSteps() []stepDef {
	return []stepDef{
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
