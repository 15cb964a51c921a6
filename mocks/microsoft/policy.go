package microsoft

import (
	"context"
	"slices"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

var _ mailauth.PasswordRule = (*Provider)(nil)

// RefusePassword implements mailauth.PasswordRule: why Exchange refuses a
// password sent to SMTP AUTH (AUTH LOGIN, PLAIN) for a mailbox of one of
// the world's tenants, or "" for basic authentication's own refusal (F-05).
// The order, first that applies:
//
//   - SMTP AUTH off for the tenant or the mailbox: F-04's 5.7.139
//     "SmtpClientAuthentication is disabled for the Tenant". [OBS] EX-05
//     cites nodemailer#1484, where AUTH LOGIN with a password got it, and
//     the same text answers a token (EX-05): Exchange's switch for the
//     protocol is looked at before the credential.
//   - Security Defaults on, or a Conditional Access policy that blocks the
//     user: F-27's 5.7.139 "the request did not meet the criteria to be
//     authenticated successfully" (EX-13). [INF] after F-04's: that text is
//     Entra's verdict on the password sign-in, which a protocol switched
//     off never asks for; PROVIDERS.md records no session with both.
//   - Otherwise F-05's "basic authentication is disabled".
//
// IMAP and POP passwords keep their one refusal: PROVIDERS.md records no
// Security Defaults text for them.
func (p *Provider) RefusePassword(_ context.Context, l mailauth.Login) (mailauth.Reason, string) {
	if l.Protocol != "smtp" {
		return "", ""
	}
	for _, r := range p.w.Realms(Name) {
		mailbox, ok := p.w.Account(r, l.User)
		if !ok {
			continue
		}
		t, _ := TenantOf(p.w, r)
		switch {
		case t.Exchange.SMTPAuthDisabled:
			return mailauth.ReasonAuthDisabled, "SMTP AUTH is disabled for tenant " + t.ID + " (SmtpClientAuthenticationDisabled); a password is refused before it is checked"
		case slices.ContainsFunc(t.Exchange.SMTPAuthDisabledFor, equalFold(mailbox.Email)):
			return mailauth.ReasonAuthDisabled, "SMTP AUTH is disabled for mailbox " + mailbox.Email + "; a password is refused before it is checked"
		case t.SecurityDefaults:
			return mailauth.ReasonBlockedByPolicy, "Security Defaults in tenant " + t.ID + " block legacy authentication: " + l.Mechanism + " sends a password; use XOAUTH2"
		case applies(t.BlockedByCA, mailbox.Email):
			return mailauth.ReasonBlockedByPolicy, "a Conditional Access policy in tenant " + t.ID + " blocks " + mailbox.Email + ": " + l.Mechanism + " sends a password"
		}
		return "", ""
	}
	return "", ""
}
