package microsoft

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// exchangeAudiences are the audiences Exchange Online accepts (EX-01,
// M-07): a Graph token is refused (F-01).
var exchangeAudiences = []string{Outlook, Office365, "https://ps.outlook.com", "00000002-0000-0ff1-ce00-000000000000"}

// delegatedPermission and appRole are what each protocol needs (EX-01).
var (
	delegatedPermission = map[string]string{"imap": IMAPAccessAsUser, "pop3": POPAccessAsUser, "smtp": SMTPSend}
	appRole             = map[string]string{"imap": IMAPAccessAsApp, "pop3": POPAccessAsApp, "smtp": SMTPSendAsApp}
)

// CheckMail is Exchange Online's rule for SMTP, IMAP and POP (EX-01,
// EX-02, EX-05): a live token for Exchange's audience; a delegated token
// needs the protocol's permission in scp and the mailbox of its user (or
// one the user has FullAccess to, a shared mailbox); an app token needs
// the protocol's role, a service principal registered with the app id and
// the enterprise application's object id, and a mailbox permission for
// it. SMTP AUTH may be off for the tenant or the mailbox.
func (p *Provider) CheckMail(ctx context.Context, l mailauth.Login) mailauth.Verdict {
	info := p.Introspect(ctx, l.Token)
	v := mailauth.Verdict{Client: info.Client, TokenUser: info.User}
	claims := info.Claims
	str := func(k string) string { s, _ := claims[k].(string); return s }
	if v.TokenUser == "" {
		v.TokenUser = str("upn")
	}
	if v.Reason, v.Detail = inactive(info, p.w.Clock.Now()); v.Reason != "" {
		return v
	}
	if !slices.Contains(exchangeAudiences, str("aud")) {
		v.Reason = mailauth.ReasonWrongAudience
		v.Detail = fmt.Sprintf("token audience %q; Exchange accepts %s", str("aud"), strings.Join(exchangeAudiences, ", "))
		return v
	}
	tenantRealm, tenant, ok := p.tenantByID(str("tid"))
	mailbox, hasMailbox := p.w.Account(tenantRealm, l.User)
	trustee := str("upn")
	switch {
	case !ok:
		v.Reason, v.Detail = mailauth.ReasonNoMailbox, fmt.Sprintf("the token's tenant %q is no tenant of this world", str("tid"))
	case !hasMailbox:
		v.Reason, v.Detail = mailauth.ReasonNoMailbox, fmt.Sprintf("user= %s: no mailbox of that address in tenant %s", l.User, tenant.ID)
	case str("idtyp") == "app":
		v.Reason, v.Detail = p.appRefusal(tenantRealm, tenant, claims, l, mailbox)
		trustee = str("oid")
	default:
		v.Reason, v.Detail = userRefusal(tenant, str("scp"), str("upn"), l, mailbox)
	}
	disabled := map[string][]string{"imap": tenant.Exchange.IMAPDisabledFor, "pop3": tenant.Exchange.POPDisabledFor,
		"smtp": tenant.Exchange.SMTPAuthDisabledFor}[l.Protocol]
	switch {
	case v.Reason != "":
	case l.Protocol == "smtp" && tenant.Exchange.SMTPAuthDisabled:
		// F-04: also returned to OAuth attempts.
		v.Reason = mailauth.ReasonAuthDisabled
		v.Detail = "SMTP AUTH is disabled for tenant " + tenant.ID + " (SmtpClientAuthenticationDisabled)"
	case l.Protocol == "smtp" && slices.ContainsFunc(disabled, equalFold(mailbox.Email)):
		v.Reason = mailauth.ReasonAuthDisabled
		v.Detail = "SMTP AUTH is disabled for mailbox " + mailbox.Email
	case slices.ContainsFunc(disabled, equalFold(mailbox.Email)):
		// Set-CASMailbox -ImapEnabled / -PopEnabled $false (EX-08 [INF]).
		v.Reason = mailauth.ReasonProtocolDisabled
		v.Detail = strings.ToUpper(l.Protocol) + " is disabled for mailbox " + mailbox.Email + " (Set-CASMailbox)"
	}
	v.OK = v.Reason == ""
	if v.OK && l.Protocol == "smtp" {
		v.SendAs = p.sendAs(tenantRealm, trustee)
	}
	return v
}

// sendAs is what a login whose token names trustee (a user's address, a
// service principal's object id) may send as, besides the mailbox it
// opened: the trustee's own address and the mailboxes
// Add-RecipientPermission gave it SendAs on (EX-12), as the tenant has
// them when the message comes.
func (p *Provider) sendAs(realm world.Realm, trustee string) func(from string) bool {
	return func(from string) bool {
		if strings.EqualFold(from, trustee) {
			return true
		}
		t, _ := TenantOf(p.w, realm)
		return slices.ContainsFunc(t.Exchange.SendAs, func(r RecipientPermission) bool {
			return strings.EqualFold(r.Mailbox, from) && strings.EqualFold(r.Trustee, trustee)
		})
	}
}

// inactive is the reason and detail of a token that is not active, or
// "" for an active one.
func inactive(info authserver.TokenInfo, now time.Time) (mailauth.Reason, string) {
	switch {
	case info.Reason == authserver.TokenExpired:
		return mailauth.ReasonExpired, fmt.Sprintf("token expired at %s (world time now %s)",
			info.Expiry.Format(time.RFC3339), now.Format(time.RFC3339))
	case info.Reason == authserver.TokenRevoked:
		return mailauth.ReasonRevoked, "the token's grant was revoked"
	case !info.Active:
		return mailauth.ReasonUnknownToken, "the token was not issued by this world's Microsoft identity platform"
	}
	return "", ""
}

// userRefusal is the reason a delegated token does not open mailbox, or
// "", and what was expected and found.
func userRefusal(t Tenant, scp, upn string, l mailauth.Login, mailbox world.Account) (mailauth.Reason, string) {
	if need := delegatedPermission[l.Protocol]; !slices.ContainsFunc(strings.Fields(scp), equalFold(need)) {
		return mailauth.ReasonWrongScope, fmt.Sprintf("%s needs the delegated permission %s; the token's scp: %q",
			strings.ToUpper(l.Protocol), need, scp)
	}
	if strings.EqualFold(upn, mailbox.Email) {
		return "", ""
	}
	// EX-01: a shared mailbox opens with the token of a user who has
	// FullAccess to it (F-03 else).
	if slices.ContainsFunc(t.Exchange.MailboxPermissions, func(m MailboxPermission) bool {
		return strings.EqualFold(m.Mailbox, mailbox.Email) && strings.EqualFold(m.User, upn)
	}) {
		return "", ""
	}
	return mailauth.ReasonWrongUser, fmt.Sprintf("user= %s, but the token is %s's, who has no FullAccess to %s",
		l.User, upn, mailbox.Email)
}

// appRefusal is the reason an app token does not open mailbox, or ""
// (F-02), and what was expected and found.
func (p *Provider) appRefusal(realm world.Realm, t Tenant, claims map[string]any, l mailauth.Login, mailbox world.Account) (mailauth.Reason, string) {
	roles, _ := claims["roles"].([]any)
	has := false
	for _, r := range roles {
		if s, _ := r.(string); strings.EqualFold(s, appRole[l.Protocol]) {
			has = true
		}
	}
	if !has {
		if rs, ok := claims["roles"].([]string); ok {
			has = slices.ContainsFunc(rs, equalFold(appRole[l.Protocol]))
		}
	}
	if !has {
		return mailauth.ReasonWrongScope, fmt.Sprintf("%s needs the application permission %s; the token's roles: %v",
			strings.ToUpper(l.Protocol), appRole[l.Protocol], claims["roles"])
	}
	appID, _ := claims["appid"].(string)
	oid, _ := claims["oid"].(string)
	// EX-02: registered with the app id and the enterprise application's
	// object id; the app registration's object id does not work.
	if !slices.ContainsFunc(t.Exchange.ServicePrincipals, func(sp ServicePrincipal) bool {
		return strings.EqualFold(sp.AppID, appID) && strings.EqualFold(sp.ObjectID, oid)
	}) {
		return mailauth.ReasonNoServicePrincipal, p.servicePrincipalDetail(realm, t, appID, oid)
	}
	if !slices.ContainsFunc(t.Exchange.MailboxPermissions, func(m MailboxPermission) bool {
		return strings.EqualFold(m.Mailbox, mailbox.Email) && strings.EqualFold(m.User, oid)
	}) {
		return mailauth.ReasonNoMailboxPermission, fmt.Sprintf("service principal %s of app %s has no FullAccess to mailbox %s (Add-MailboxPermission)",
			oid, appID, mailbox.Email)
	}
	return "", ""
}

// servicePrincipalDetail says why no service principal of tenant t
// matches an app token of appID and oid: none for the app, or one with
// another object id (the app registration's, F-02).
func (p *Provider) servicePrincipalDetail(realm world.Realm, t Tenant, appID, oid string) string {
	i := slices.IndexFunc(t.Exchange.ServicePrincipals, func(sp ServicePrincipal) bool { return strings.EqualFold(sp.AppID, appID) })
	if i < 0 {
		return fmt.Sprintf("no service principal for app %s in tenant %s (New-ServicePrincipal -AppId %s -ObjectId %s)", appID, t.ID, appID, oid)
	}
	registered := t.Exchange.ServicePrincipals[i].ObjectID
	whose := ""
	if reg, ok := p.w.Client(realm, appID); ok && strings.EqualFold(appOf(reg).ObjectID, registered) {
		whose = " (the app registration's)"
	}
	return fmt.Sprintf("service principal registered with object id %s%s; Exchange needs the enterprise application's %s", registered, whose, oid)
}

func equalFold(a string) func(string) bool {
	return func(b string) bool { return strings.EqualFold(a, b) }
}

// tenantByID finds a tenant by its id.
func (p *Provider) tenantByID(tid string) (world.Realm, Tenant, bool) {
	for _, r := range p.w.Realms(Name) {
		if t, ok := TenantOf(p.w, r); ok && t.ID == tid && tid != "" {
			return r, t, true
		}
	}
	return world.Realm{}, Tenant{}, false
}

// exchangeHost is the front-end server the replies name (EX-05's doc
// sample), and stampHost the same in the stamp's 2023+ upper case
// (EX-13).
const (
	exchangeHost = "SN2PR00CA0018.namprd00.prod.outlook.com"
	stampHost    = "SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM"
	smtpDomain   = "SN2PR00CA0018.outlook.office365.com"
)

// hostID is the bracketed id of Exchange's IMAP greeting: the server's
// name in UTF-16LE, base64 (EX-03).
func hostID() string {
	u := utf16.Encode([]rune(exchangeHost))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// ticksID is the 16 upper-case hex digits of Exchange's stamps and
// greeting: a .NET DateTime.Ticks value 0 to 2 days before now (EX-13
// [INF]). It names a connection and guards nothing, so math/rand makes it.
func ticksID() string {
	at := time.Now().Add(-time.Duration(rand.Int64N(int64(48 * time.Hour))))
	return fmt.Sprintf("%016X", at.UnixNano()/100+unixEpochTicks)
}

// unixEpochTicks is 1970-01-01 in .NET ticks (100 ns since 0001-01-01).
const unixEpochTicks = 621355968000000000

// stamp is the end of Exchange's SMTP refusals: "[HOST.REGION.PROD.OUTLOOK.COM
// <ISO ms>Z <16 HEX>]" (EX-13).
const stamp = " [" + stampHost + " {ts} {id}]"

// unsuccessful is Exchange's refusal of a token (EX-05, EX-13).
var unsuccessful = mailauth.SMTPReply{Code: 535, Enhanced: [3]int{5, 7, 3}, Text: "Authentication unsuccessful" + stamp}

// unrecognized is Exchange's answer to AUTH with a mechanism it does not
// offer and to AUTH before STARTTLS (EX-11, EX-13, F-17, F-25).
var unrecognized = mailauth.SMTPReply{Code: 504, Enhanced: [3]int{5, 7, 4}, Text: "Unrecognized authentication type" + stamp}

// Personality is how Exchange Online's SMTP (smtp.office365.com), IMAP
// and POP (outlook.office365.com) servers present themselves and fail.
func Personality() mailauth.Personality {
	return mailauth.Personality{
		SMTP: mailauth.SMTPPersonality{
			Domain: smtpDomain,
			// EX-11 [OBS]: "220 <HOST>.outlook.office365.com Microsoft
			// ESMTP MAIL Service ready at <date> [<16 HEX>]".
			Greeting: smtpDomain + " Microsoft ESMTP MAIL Service ready at {date} [{id}]",
			ConnID:   ticksID,
			// EX-11 [OBS]: the EHLO lines before and after STARTTLS:
			// STARTTLS, then "AUTH LOGIN XOAUTH2" (no OAUTHBEARER, F-17) in
			// its place; no LIMITS.
			Hello:           smtpDomain + " Hello [{ip}]",
			Extensions:      []string{"SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", mailauth.AuthState, "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"},
			MaxMessageBytes: 157286400,
			// No implicit TLS: port 465 times out (EX-11, F-24).
			NoImplicitTLS: true,
			Mechanisms:    []string{"LOGIN", "XOAUTH2"},
			// EX-05 [DOC], EX-11 [OBS]: the success lines.
			AuthSucceeded: mailauth.SMTPReply{Code: 235, Enhanced: [3]int{2, 7, 0}, Text: "Authentication successful"},
			StartTLS:      mailauth.SMTPReply{Code: 220, Enhanced: [3]int{2, 0, 0}, Text: "SMTP server ready"},
			SenderOK:      mailauth.SMTPReply{Code: 250, Enhanced: [3]int{2, 1, 0}, Text: "Sender OK"},
			RecipientOK:   mailauth.SMTPReply{Code: 250, Enhanced: [3]int{2, 1, 5}, Text: "Recipient OK"},
			StartData:     mailauth.SMTPReply{Code: 354, Text: "Start mail input; end with <CRLF>.<CRLF>"},
			Queued:        mailauth.SMTPReply{Code: 250, Enhanced: [3]int{2, 0, 0}, Text: "OK {msgid} [Hostname=" + stampHost + "]"},
			Closing:       mailauth.SMTPReply{Code: 221, Enhanced: [3]int{2, 0, 0}, Text: "Service closing transmission channel"},
			// EX-11 [OBS]: "500 5.3.3 Unrecognized command '<word>' [stamp]".
			UnknownCommand: mailauth.SMTPReply{Code: 500, Enhanced: [3]int{5, 3, 3}, Text: "Unrecognized command '{command}'" + stamp},
			AuthFailed:     unsuccessful,
			Refusals: map[mailauth.Reason]mailauth.SMTPReply{
				// EX-05, EX-13 [OBS]: SMTP AUTH off (F-04) and basic auth (F-05).
				mailauth.ReasonAuthDisabled: {Code: 535, Enhanced: [3]int{5, 7, 139}, Text: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." + stamp},
				mailauth.ReasonBasicAuth:    {Code: 535, Enhanced: [3]int{5, 7, 139}, Text: "Authentication unsuccessful, basic authentication is disabled." + stamp},
				// EX-13 [OBS], F-27: a password under Security Defaults or
				// Conditional Access (RefusePassword: which text wins).
				mailauth.ReasonBlockedByPolicy: {Code: 535, Enhanced: [3]int{5, 7, 139}, Text: "Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator." + stamp},
			},
			Malformed: unsuccessful,
			// F-17, F-25: 504 5.7.4 to OAUTHBEARER, PLAIN, and AUTH before
			// STARTTLS (not go-smtp's 523 5.7.10).
			UnknownMechanism: unrecognized,
			AuthWithoutTLS:   unrecognized,
			// EX-12 [OBS], F-26: MAIL FROM without a successful AUTH.
			AuthRequired: mailauth.SMTPReply{Code: 530, Enhanced: [3]int{5, 7, 57}, Text: "Client not authenticated to send mail." + stamp},
			// EX-12 [OBS], F-23: after DATA.
			SendAsDenied: mailauth.SMTPReply{Code: 554, Enhanced: [3]int{5, 2, 252}, Text: "SendAsDenied; {user} not allowed to send as {from}; " +
				"STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception " +
				"with message [BeginDiagnosticData]Cannot submit message. 0.35250:0A00C084, 1.36674:0A000000, 1.61250:00000000, 1.45378:02000000 [Hostname=" + stampHost + "]"},
			// EX-12 [OBS]+[DOC]: more than 3 sessions of one mailbox.
			MaxSessionsPerMailbox: 3,
			SenderThrottled:       senderThrottled,
		},
		IMAP: mailauth.IMAPPersonality{
			// EX-03 [OBS].
			Greeting:   "The Microsoft Exchange IMAP4 service is ready. [" + hostID() + "]",
			Mechanisms: []string{"PLAIN", "XOAUTH2"},
			// EX-03 [DOC], EX-08 reply A: no error challenge, at once
			// "NO AUTHENTICATE failed.".
			AuthFailed: mailauth.IMAPReply{Type: "NO", Text: "AUTHENTICATE failed."},
			Refusals: map[mailauth.Reason]mailauth.IMAPReply{
				// Exchange's answer to LOGIN is not in PROVIDERS.md [INF].
				mailauth.ReasonBasicAuth: {Type: "NO", Text: "LOGIN failed."},
			},
			Malformed: mailauth.IMAPReply{Type: "NO", Text: "AUTHENTICATE failed."},
			// EX-08 reply B: a delegated token of a user for a mailbox the
			// user cannot open, and a mailbox with IMAP off [INF].
			Unconnected:  []mailauth.Reason{mailauth.ReasonWrongUser, mailauth.ReasonProtocolDisabled},
			NotConnected: mailauth.IMAPReply{Type: "BAD", Text: "User is authenticated but not connected."},
			Hangup:       "Connection closed. 14",
			// EX-09 [OBS]: a throttled session, NO then BAD and BYE.
			Throttled:    mailauth.IMAPReply{Type: "NO", Text: "Request is throttled. Suggested Backoff Time: 299609 milliseconds"},
			ThrottledBye: mailauth.IMAPReply{Type: "BAD", Text: "Request is throttled. Suggested Backoff Time: 89117 milliseconds"},
			// EX-09 [OBS]: command errors; the state's condition is [INF].
			// Exchange's bound on a command is NOT FOUND; EX-09 records a
			// 40,000-character UID SEARCH that got "Command Error. 10", so
			// it is below that, where go-imap's own (51,200 bytes) is not:
			// 32 KiB [INF], four times the 8,000 octets RFC 2683 §3.2.1.5
			// asks a server to take.
			InvalidState:   mailauth.IMAPReply{Type: "BAD", Text: "Command received in Invalid state."},
			ArgumentError:  mailauth.IMAPReply{Type: "BAD", Text: "Command Argument Error. 11"},
			CommandTooLong: mailauth.IMAPReply{Type: "BAD", Text: "Command Error. 10"},
			MaxCommand:     32 << 10,
			// EX-03 [OBS] and EX-07: UIDPLUS, NAMESPACE, MOVE, and
			// LITERAL+ (non-synchronizing literals of any size, RFC 7888).
			Capabilities: []string{"NAMESPACE", "UIDPLUS", "MOVE", "LITERAL+"},
			// EX-03 [OBS]: "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2
			// SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE
			// LITERAL+", without ID and CHILDREN, which the server does
			// not implement: no LITERAL-, ENABLE, UTF8=ACCEPT nor
			// APPENDLIMIT=, which go-imap would add. Once authenticated
			// EX-03's list with MOVE and still AUTH=PLAIN AUTH=XOAUTH2,
			// without those it does not implement (ID, CLIENTACCESSRULES,
			// CLIENTNETWORKPRESENCELOCATION, BACKENDAUTHENTICATE,
			// CHILDREN).
			ListedBefore:        []string{"IMAP4", "IMAP4rev1", mailauth.AuthState, "SASL-IR", "UIDPLUS", "UNSELECT", "IDLE", "NAMESPACE", "LITERAL+"},
			ListedAfter:         []string{"IMAP4", "IMAP4rev1", "AUTH=PLAIN", "AUTH=XOAUTH2", "SASL-IR", "UIDPLUS", "MOVE", "UNSELECT", "IDLE", "NAMESPACE", "LITERAL+"},
			AuthSucceeded:       "AUTHENTICATE completed.",
			CapabilityCompleted: "CAPABILITY completed.",
			LogoutBye:           "Microsoft Exchange Server IMAP4 server signing off.",
			LogoutCompleted:     "LOGOUT completed.",
		},
		POP3: mailauth.POP3Personality{
			// EX-07 [OBS]: "+OK The Microsoft Exchange POP3 service is ready. [<base64>]".
			Greeting: "The Microsoft Exchange POP3 service is ready. [" + hostID() + "]",
			// EX-04, EX-07 [OBS]: CAPA lists "SASL PLAIN XOAUTH2".
			Mechanisms: []string{"PLAIN", "XOAUTH2"},
			// EX-04 [OBS]: "+OK", TOP, UIDL, SASL PLAIN XOAUTH2, USER, in
			// that order (STLS, on the plain port, where the SASL line goes).
			Capabilities: []string{"TOP", "UIDL", mailauth.AuthState, "USER"},
			// EX-04 [DOC].
			AuthSucceeded: "User successfully authenticated.",
			AuthFailed:    "Authentication failure: unknown user name or bad password.",
			Malformed:     "Authentication failure: unknown user name or bad password.",
			// EX-04 [OBS], EX-10, F-22: two steps only.
			TwoStepOnly:    true,
			OneLineRefused: "Protocol error. Connection is closed. 10",
			// EX-04 [OBS]: "Logon failure", not "Authentication failure".
			PasswordRefused: "Logon failure: unknown user name or bad password.",
		},
	}
}

// senderThrottled is Exchange's answer, at the end of DATA, to a mailbox
// with more than 3 SMTP sessions (EX-12 [OBS]).
var senderThrottled = mailauth.SMTPReply{Code: 432, Enhanced: [3]int{4, 3, 2}, Text: "STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=" + stampHost + "]"}
