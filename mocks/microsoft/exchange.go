package microsoft

import (
	"context"
	"encoding/base64"
	"fmt"
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
	switch {
	case !ok:
		v.Reason, v.Detail = mailauth.ReasonWrongUser, fmt.Sprintf("the token's tenant %q is no tenant of this world", str("tid"))
	case !hasMailbox:
		v.Reason, v.Detail = mailauth.ReasonWrongUser, fmt.Sprintf("user= %s: no mailbox of that address in tenant %s", l.User, tenant.ID)
	case str("idtyp") == "app":
		v.Reason, v.Detail = p.appRefusal(tenantRealm, tenant, claims, l, mailbox)
	default:
		v.Reason, v.Detail = userRefusal(tenant, str("scp"), str("upn"), l, mailbox)
	}
	if v.Reason == "" && l.Protocol == "smtp" {
		// F-04: also returned to OAuth attempts.
		switch {
		case tenant.Exchange.SMTPAuthDisabled:
			v.Reason = mailauth.ReasonAuthDisabled
			v.Detail = "SMTP AUTH is disabled for tenant " + tenant.ID + " (SmtpClientAuthenticationDisabled)"
		case slices.ContainsFunc(tenant.Exchange.SMTPAuthDisabledFor, equalFold(mailbox.Email)):
			v.Reason = mailauth.ReasonAuthDisabled
			v.Detail = "SMTP AUTH is disabled for mailbox " + mailbox.Email
		}
	}
	v.OK = v.Reason == ""
	return v
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
// sample).
const exchangeHost = "SN2PR00CA0018.namprd00.prod.outlook.com"

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

// unsuccessful is Exchange's refusal of a token (EX-05 [DOC]).
var unsuccessful = mailauth.SMTPReply{Code: 535, Enhanced: [3]int{5, 7, 3}, Text: "Authentication unsuccessful [" + exchangeHost + "]"}

// Personality is how Exchange Online's SMTP (smtp.office365.com) and IMAP
// (outlook.office365.com) servers present themselves and fail.
func Personality() mailauth.Personality {
	stamp := " [" + exchangeHost + " {ts} {id}]"
	return mailauth.Personality{
		SMTP: mailauth.SMTPPersonality{
			Domain: "SN2PR00CA0018.outlook.office365.com",
			// EX-05 [OBS]: "220 <HOST>.outlook.office365.com Microsoft
			// ESMTP MAIL Service ready at <date>".
			Greeting: "SN2PR00CA0018.outlook.office365.com Microsoft ESMTP MAIL Service ready at {date}",
			// EX-05 [OBS]: "250-AUTH LOGIN XOAUTH2": no OAUTHBEARER (F-17).
			Mechanisms: []string{"LOGIN", "XOAUTH2"},
			// EX-05 [DOC]: "235 2.7.0 Authentication successful".
			AuthSucceeded: mailauth.SMTPReply{Code: 235, Enhanced: [3]int{2, 7, 0}, Text: "Authentication successful"},
			AuthFailed:    unsuccessful,
			Refusals: map[mailauth.Reason]mailauth.SMTPReply{
				// EX-05 [OBS]: SMTP AUTH off (F-04) and basic auth (F-05).
				mailauth.ReasonAuthDisabled: {Code: 535, Enhanced: [3]int{5, 7, 139}, Text: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." + stamp},
				mailauth.ReasonBasicAuth:    {Code: 535, Enhanced: [3]int{5, 7, 139}, Text: "Authentication unsuccessful, basic authentication is disabled." + stamp},
			},
			Malformed: unsuccessful,
			// F-17: "504 5.7.4 Unrecognized authentication type".
			UnknownMechanism: mailauth.SMTPReply{Code: 504, Enhanced: [3]int{5, 7, 4}, Text: "Unrecognized authentication type" + stamp},
			// Exchange's own text is not in PROVIDERS.md: RFC 4954 §6's is used.
			AuthRequired: mailauth.SMTPReply{Code: 530, Enhanced: [3]int{5, 7, 0}, Text: "Authentication required"},
			// Exchange's SIZE is not in PROVIDERS.md: 36 MiB [INF].
			MaxMessageBytes: 37748736,
		},
		IMAP: mailauth.IMAPPersonality{
			// EX-03 [OBS].
			Greeting:   "The Microsoft Exchange IMAP4 service is ready. [" + hostID() + "]",
			Mechanisms: []string{"PLAIN", "XOAUTH2"},
			// EX-03 [DOC]: no error challenge, at once "NO AUTHENTICATE failed.".
			AuthFailed: mailauth.IMAPReply{Type: "NO", Text: "AUTHENTICATE failed."},
			Refusals: map[mailauth.Reason]mailauth.IMAPReply{
				// Exchange's answer to LOGIN is not in PROVIDERS.md [INF].
				mailauth.ReasonBasicAuth: {Type: "NO", Text: "LOGIN failed."},
			},
			Malformed: mailauth.IMAPReply{Type: "NO", Text: "AUTHENTICATE failed."},
			// EX-03 [OBS] and EX-07: UIDPLUS, NAMESPACE, MOVE, and
			// LITERAL+ (non-synchronizing literals of any size, RFC 7888).
			Capabilities: []string{"NAMESPACE", "UIDPLUS", "MOVE", "LITERAL+"},
			// EX-03 [OBS]: "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2
			// SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE
			// LITERAL+", without ID and CHILDREN, which the server does
			// not implement: no LITERAL-, ENABLE, UTF8=ACCEPT nor
			// APPENDLIMIT=, which go-imap would add. Once authenticated
			// the same list, with MOVE (EX-07) [INF: Exchange's list
			// after authentication is not recorded].
			ListedBefore:        []string{"IMAP4", "IMAP4rev1", mailauth.AuthState, "SASL-IR", "UIDPLUS", "UNSELECT", "IDLE", "NAMESPACE", "LITERAL+"},
			ListedAfter:         []string{"IMAP4", "IMAP4rev1", "SASL-IR", "UIDPLUS", "MOVE", "UNSELECT", "IDLE", "NAMESPACE", "LITERAL+"},
			AuthSucceeded:       "AUTHENTICATE completed.",
			CapabilityCompleted: "CAPABILITY completed.",
			LogoutBye:           "Microsoft Exchange Server IMAP4 server signing off.",
			LogoutCompleted:     "LOGOUT completed.",
		},
		POP3: mailauth.POP3Personality{
			// EX-07 [OBS]: "+OK The Microsoft Exchange POP3 service is ready. [<base64>]".
			Greeting: "The Microsoft Exchange POP3 service is ready. [" + hostID() + "]",
			// EX-07 [OBS]: CAPA lists "SASL PLAIN XOAUTH2".
			Mechanisms: []string{"PLAIN", "XOAUTH2"},
			// EX-04 [DOC].
			AuthSucceeded: "User successfully authenticated.",
			AuthFailed:    "Authentication failure: unknown user name or bad password.",
			Malformed:     "Authentication failure: unknown user name or bad password.",
		},
	}
}
