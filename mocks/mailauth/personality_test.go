package mailauth_test

import (
	"testing"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

func TestRefusal(t *testing.T) {
	t.Parallel()
	failed := mailauth.SMTPReply{Code: 535, Enhanced: [3]int{5, 7, 8}, Text: "failed"}
	basic := mailauth.SMTPReply{Code: 535, Enhanced: [3]int{5, 7, 139}, Text: "basic"}
	busy := mailauth.SMTPReply{Code: 421, Enhanced: [3]int{4, 7, 0}, Text: "own unavailable"}
	malformed := mailauth.SMTPReply{Code: 501, Enhanced: [3]int{5, 5, 2}, Text: "malformed"}
	smtp := mailauth.SMTPPersonality{AuthFailed: failed, Malformed: malformed,
		Refusals: map[mailauth.Reason]mailauth.SMTPReply{mailauth.ReasonBasicAuth: basic}}
	withOwnFault := smtp
	withOwnFault.Refusals = map[mailauth.Reason]mailauth.SMTPReply{mailauth.ReasonUnavailable: busy}

	ifailed := mailauth.IMAPReply{Type: "NO", Code: "AUTHENTICATIONFAILED", Text: "failed"}
	ibasic := mailauth.IMAPReply{Type: "NO", Text: "LOGIN failed."}
	imalformed := mailauth.IMAPReply{Type: "BAD", Text: "malformed"}
	imap := mailauth.IMAPPersonality{AuthFailed: ifailed, Malformed: imalformed,
		Refusals: map[mailauth.Reason]mailauth.IMAPReply{mailauth.ReasonBasicAuth: ibasic}}

	pop3 := mailauth.POP3Personality{AuthFailed: "[AUTH] failed", Malformed: "[AUTH] malformed"}

	for _, c := range []struct {
		reason mailauth.Reason
		smtp   mailauth.SMTPReply
		imap   mailauth.IMAPReply
		pop3   string
	}{
		{mailauth.ReasonExpired, failed, ifailed, "[AUTH] failed"},
		{mailauth.ReasonWrongScope, failed, ifailed, "[AUTH] failed"},
		{mailauth.ReasonBasicAuth, basic, ibasic, "[AUTH] failed"},
		{mailauth.ReasonMechanism, failed, ifailed, "[AUTH] failed"},
		{mailauth.ReasonMalformed, malformed, imalformed, "[AUTH] malformed"},
		{mailauth.ReasonUnavailable,
			mailauth.SMTPReply{Code: 454, Enhanced: [3]int{4, 7, 0}, Text: "Temporary authentication failure"},
			mailauth.IMAPReply{Type: "NO", Code: "UNAVAILABLE", Text: "Temporary authentication failure"},
			"[SYS/TEMP] Temporary authentication failure"},
		{mailauth.ReasonServerError,
			mailauth.SMTPReply{Code: 451, Enhanced: [3]int{4, 3, 0}, Text: "Internal server error"},
			mailauth.IMAPReply{Type: "NO", Code: "SERVERBUG", Text: "Internal server error"},
			"[SYS/TEMP] Internal server error"},
	} {
		if got := smtp.Refusal(c.reason); got != c.smtp {
			t.Errorf("SMTP %s: %+v, want %+v", c.reason, got, c.smtp)
		}
		if got := imap.Refusal(c.reason); got != c.imap {
			t.Errorf("IMAP %s: %+v, want %+v", c.reason, got, c.imap)
		}
		if got := pop3.Refusal(c.reason); got != c.pop3 {
			t.Errorf("POP3 %s: %q, want %q", c.reason, got, c.pop3)
		}
	}
	if got := withOwnFault.Refusal(mailauth.ReasonUnavailable); got != busy {
		t.Errorf("a personality's own reply to a fault goes first: %+v", got)
	}
}
