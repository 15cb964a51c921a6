package check

import (
	"fmt"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"slices"
	"strings"
	"time"
)

// judgeJWT adds the findings Exchange Online's rule gives a token's
// claims (EX-01, M-07): audience, permission for the protocol, user,
// expiry, version.
func judgeJWT(r *Report, c map[string]any, opt Options) {
	if iss := claimString(c, "iss"); strings.HasPrefix(iss, "https://accounts.google.com") {
		r.add("GM-01", Error, "a Google ID token, not an access token",
			fmt.Sprintf("iss %q, aud %q", iss, strings.Join(audiences(c), " ")),
			"send the access token of the same token response (access_token, ya29.…) with the scope https://mail.google.com/, not its id_token")
		return
	}
	judgeAudience(r, c, opt)
	app := claimString(c, "idtyp") == "app" || (claimString(c, "scp") == "" && len(roles(c)) > 0)
	if app {
		judgeRoles(r, c, opt)
	} else {
		judgeScopes(r, c, opt)
		judgeUser(r, c, opt)
	}
	judgeTime(r, c, opt)
	if ver := claimString(c, "ver"); ver != "" && ver != "1.0" {
		r.add("M-07", Warning, "a v"+ver+" token: Exchange Online's tokens are v1.0",
			fmt.Sprintf("ver %q, iss %q", ver, claimString(c, "iss")),
			"Entra issues tokens for Exchange's resource as v1.0 even from the v2.0 endpoint; a v2.0 token was issued for another resource (Graph or an app's own API): request the scope under https://outlook.office.com/ (delegated) or https://outlook.office365.com/.default (app)")
	}
	if claimString(c, "tid") == "" {
		r.add("M-07", Warning, "no tid claim", "the token names no tenant",
			"Exchange finds the mailbox's organisation by tid; get the token from login.microsoftonline.com/<tenant>/ rather than a hand-made or third-party token")
	}
	kind := "delegated (scp)"
	if app {
		kind = "application (roles)"
	}
	if idtyp := claimString(c, "idtyp"); idtyp != "" {
		kind += ", idtyp " + idtyp
	}
	r.note("a %s token of app %s, tenant %s; no signature was checked",
		kind, firstNonEmpty(claimString(c, "appid"), claimString(c, "azp"), "?"), firstNonEmpty(claimString(c, "tid"), "?"))
	if app {
		r.note("an app token also needs, in Exchange, a service principal registered with the enterprise application's object id and a mailbox permission (F-02): a token cannot show them")
	}
}

// judgeAudience: Exchange accepts only its own audiences; Graph's is
// the classic mistake (F-01).
func judgeAudience(r *Report, c map[string]any, opt Options) {
	auds := audiences(c)
	if slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(exchangeAudiences, a) }) {
		return
	}
	want := "https://outlook.office.com (delegated) or https://outlook.office365.com / https://ps.outlook.com (app)"
	fix := "request the scope under Exchange's resource: " + scopeFor(opt.For) + " (delegated), https://outlook.office365.com/.default (app); a bare " + permissionName(opt.For) + " or https://graph.microsoft.com/… is Graph's and gives a Graph token"
	evidence := fmt.Sprintf("aud %q; Exchange Online wants %s", strings.Join(auds, " "), want)
	switch {
	case len(auds) == 0:
		r.add("M-07", Error, "no aud claim: Exchange Online refuses the token", "the token has no aud; Exchange Online wants "+want, fix)
	case slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(graphAudiences, a) }):
		r.add("F-01", Error, "a Microsoft Graph token: Exchange Online's SMTP, IMAP and POP refuse it ("+refusal(opt.For)+")", evidence, fix)
	default:
		r.add("F-01", Error, "not a token for Exchange Online: the audience is another resource ("+refusal(opt.For)+")", evidence, fix)
	}
}

// judgeScopes: a delegated token needs the protocol's permission in scp.
func judgeScopes(r *Report, c map[string]any, opt Options) {
	scp := strings.Fields(claimString(c, "scp"))
	has := func(p string) bool {
		return slices.ContainsFunc(scp, func(s string) bool { return strings.EqualFold(s, p) })
	}
	var missing []string
	for _, proto := range forOrAll(opt.For) {
		if !has(delegatedPermission[proto]) {
			missing = append(missing, delegatedPermission[proto])
		}
	}
	if opt.For == "" && len(missing) < len(protocols) {
		return // one mail permission is enough when the protocol is not said
	}
	if len(missing) == 0 {
		return
	}
	lacks := strings.Join(missing, ", ")
	if opt.For == "" {
		lacks = "a mail permission (one of " + lacks + ")"
	}
	r.add("EX-01", Error, "the delegated token lacks "+lacks+" ("+refusal(opt.For)+")",
		fmt.Sprintf("scp %q", claimString(c, "scp")),
		"add the delegated permission of Office 365 Exchange Online to the app registration (API permissions), and request "+scopeFor(opt.For)+" with offline_access")
}

// judgeRoles: an app token needs the protocol's AccessAsApp role, given
// by admin consent (F-10).
func judgeRoles(r *Report, c map[string]any, opt Options) {
	rs := roles(c)
	var missing []string
	for _, proto := range forOrAll(opt.For) {
		if !slices.Contains(rs, appRole[proto]) {
			missing = append(missing, appRole[proto])
		}
	}
	if (opt.For == "" && len(missing) < len(protocols)) || len(missing) == 0 {
		return
	}
	lacks := "the role " + strings.Join(missing, ", ")
	if opt.For == "" {
		lacks = "a mail role (one of " + strings.Join(missing, ", ") + ")"
	}
	r.add("F-10", Error, "the app token lacks "+lacks+" ("+refusal(opt.For)+")",
		fmt.Sprintf("roles %q, idtyp %q", rs, claimString(c, "idtyp")),
		"add the application permission of Office 365 Exchange Online (API permissions > APIs my organization uses), then Grant admin consent; the token request stays scope=https://outlook.office365.com/.default")
}

// judgeUser: the mailbox in user= must be the token's user, or one it
// has FullAccess to (F-03, F-19 at IMAP).
func judgeUser(r *Report, c map[string]any, opt Options) {
	user, claim := tokenUser(c)
	if opt.User == "" || user == "" || strings.EqualFold(user, opt.User) {
		if user == "" {
			r.add("M-07", Warning, "the token names no user (no upn, unique_name or preferred_username)",
				"a delegated token without a user claim", "sign in as the mailbox's user with the authorization code or device code flow")
		}
		return
	}
	id, seen := "F-03", "SMTP 535 5.7.3 Authentication unsuccessful"
	if opt.For == "imap" {
		id, seen = "F-19", "IMAP OK AUTHENTICATE completed. then BAD User is authenticated but not connected. at SELECT"
	}
	r.add(id, Error, "the token is "+user+"'s, the mailbox is "+opt.User+" ("+seen+")",
		fmt.Sprintf("%s %q, user= %q", claim, user, opt.User),
		"sign in as "+opt.User+" to get its own token (an admin consents first if users may not); or, for a shared mailbox, Add-MailboxPermission -Identity "+opt.User+" -User "+user+" -AccessRights FullAccess")
}

// judgeTime: expiry against opt.Now (F-16), and a token not yet valid.
func judgeTime(r *Report, c map[string]any, opt Options) {
	exp, ok := numericDate(c["exp"])
	if !ok {
		r.add("M-07", Warning, "no exp claim", "the token has no readable exp", "use a token from the token endpoint: Entra's carry exp")
		return
	}
	now := opt.Now
	switch left := exp.Sub(now); {
	case left <= 0:
		r.add("F-16", Error, "the token expired "+(-left).Round(time.Second).String()+" ago",
			fmt.Sprintf("exp %s, now %s", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)),
			"refresh the access token (grant_type=refresh_token) before each connection, or when expires_in says; access tokens live about an hour")
	case left < 5*time.Minute:
		r.add("F-16", Warning, "the token expires in "+left.Round(time.Second).String(),
			fmt.Sprintf("exp %s, now %s", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)),
			"refresh it before connecting")
	}
	if nbf, ok := numericDate(c["nbf"]); ok && nbf.After(now.Add(5*time.Minute)) {
		r.add("M-07", Error, "the token is not valid yet",
			fmt.Sprintf("nbf %s, now %s", nbf.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)),
			"check the clock of the machine that asked for the token, or of this one")
	}
}

// forOrAll is the protocols a judgement covers.
func forOrAll(p string) []string {
	if p == "" {
		return protocols
	}
	return []string{p}
}

// scopeFor is the delegated scope a protocol needs, or all three.
func scopeFor(p string) string {
	var out []string
	for _, proto := range forOrAll(p) {
		out = append(out, microsoft.Outlook+"/"+delegatedPermission[proto])
	}
	return strings.Join(out, " or ")
}

// permissionName is the delegated permission's bare name.
func permissionName(p string) string {
	if p == "" {
		return "IMAP.AccessAsUser.All"
	}
	return delegatedPermission[p]
}

// refusal is what Exchange answers a refused token on the protocol.
func refusal(p string) string {
	switch p {
	case "smtp":
		return "SMTP 535 5.7.3 Authentication unsuccessful"
	case "imap":
		return "IMAP NO AUTHENTICATE failed."
	case "pop3":
		return "POP -ERR Authentication failure: unknown user name or bad password."
	}
	return "IMAP NO AUTHENTICATE failed., SMTP 535 5.7.3"
}

// firstNonEmpty is the first of ss that is not "".
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
