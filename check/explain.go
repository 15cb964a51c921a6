package check

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Candidate is one possible cause of a reply that has several, with what
// in the configuration supports it or rules it out.
type Candidate struct {
	ID string `json:"id"`
	// Verdict is "likely", "possible" or "ruled out".
	Verdict  string `json:"verdict"`
	Title    string `json:"title"`
	Evidence string `json:"evidence"`
}

// aadsts finds an Entra error code in a reply.
var aadsts = regexp.MustCompile(`AADSTS(\d+)`)

// aadstsFindings maps the Entra codes section 7 names to their F-id, and
// loop detection's 50196 to M-14.
var aadstsFindings = map[string]string{
	"50196": "M-14",
	"50011": "F-38", "700016": "F-21", "90112": "F-21", "50194": "F-20", "65001": "F-10", "900941": "F-30",
	"28000": "F-29", "28003": "F-29", "70011": "F-29", "1002012": "F-11", "50059": "F-39", "7000218": "F-07",
	"7000215": "F-08", "7000222": "F-09", "700082": "F-12", "70043": "F-12", "50173": "F-12", "50076": "F-28", "53003": "F-28",
}

// msApp is the Microsoft registration of the application's client_id, its
// attributes and its tenant.
type msApp struct {
	reg    world.Client
	app    microsoft.App
	tenant microsoft.Tenant
	found  bool
}

func (ru *runner) msApp() msApp {
	reg, ok := ru.srv.World.FindClient(microsoft.Name, ru.app.ClientID)
	if !ok {
		return msApp{}
	}
	app, _ := reg.Settings.(microsoft.App)
	t, _ := microsoft.TenantOf(ru.srv.World, reg.Realm)
	return msApp{reg: reg, app: app, tenant: t, found: true}
}

// mailRefusal is the latest refusal of a mail server in the audit log.
func (ru *runner) mailRefusal() (world.Event, bool) {
	evs := ru.refusals()
	for i := len(evs) - 1; i >= 0; i-- {
		if slices.Contains(protocols, evs[i].Protocol) {
			return evs[i], true
		}
	}
	return world.Event{}, false
}

// audit is an event as evidence: its reason, and its detail when it has
// one.
func audit(e world.Event) string {
	s := "the audit log says " + e.Protocol + " " + e.Mechanism + " refused: " + e.Reason
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// diagnose adds the finding that explains the first failing step, then
// the warnings of a configuration that works now and will fail.
func (ru *runner) diagnose() {
	if f := ru.fail; f != nil {
		before := len(ru.r.Findings)
		ru.explain(*f)
		if len(ru.r.Findings) == before {
			ru.r.add("check", Error, "the "+f.step+" step failed", "reply: "+cut(f.reply, 300), "read the reply: it is the provider's own words; PROVIDERS.md section 7 lists what customers get wrong")
		}
	}
	ru.warnings()
}

// scopes is the requested scopes as typed.
func (ru *runner) scopes() string { return strings.Join(ru.app.Scopes, " ") }

func (ru *runner) explain(f failure) {
	a := ru.app
	switch f.step {
	case "start":
		ru.r.add("check", Error, "providers: has no "+a.Provider, f.reply, "add the "+a.Provider+" part the customer set up (a world file's providers: keys) to the input")
		return
	case "authorize", "token", "device authorization", "user", "refresh":
		if ru.explainOAuth(f) {
			return
		}
	case "connect":
		ru.explainConnect(f)
		return
	case "authenticate", "SELECT", "STAT", "MAIL FROM", "RCPT TO", "DATA":
		ru.explainMail(f)
		return
	case "api":
		ru.r.add("T-05", Error, "the Trackdéchets API refused the token", "reply: "+cut(f.reply, 200),
			"send the access token of the token response as Authorization: Bearer TOKEN to "+firstNonEmpty(a.APIEndpoint, "https://api.trackdechets.beta.gouv.fr/"))
		return
	}
}

// explainOAuth names an error of the OAuth steps; false when none fits.
func (ru *runner) explainOAuth(f failure) bool {
	a := ru.app
	if f.code == "host" {
		id := map[string]string{"microsoft": "M-01", "google": "G-01", "trackdechets": "T-01"}[a.Provider]
		ru.r.add(id, Error, "the "+f.step+" URL is not the provider's", f.reply, "copy the endpoint from the provider's documentation: "+endpointHint(a.Provider))
		return true
	}
	if m := aadsts.FindStringSubmatch(f.reply); m != nil {
		id, ok := aadstsFindings[m[1]]
		if m[1] == "28000" || m[1] == "28003" || m[1] == "70011" {
			if mixesGraphAndOutlook(a.Scopes) {
				id = "F-06"
			}
		}
		if m[1] == "65001" && ru.msApp().tenant.UserConsentDisabled {
			id = "F-30"
		}
		if slices.Contains([]string{"1002012", "70011", "28000", "28003"}, m[1]) && ru.defaults() > 1 {
			id = "F-29" // two /.default: Entra's 70011, or a refusal of what is not one resource's /.default
		}
		if ok {
			ru.addF(id, f)
			return true
		}
	}
	switch {
	case strings.Contains(f.reply, "Need admin approval"):
		ru.addF("F-30", f)
	case f.step == "refresh" && f.code == "no_refresh_token":
		ru.addF(map[string]string{"microsoft": "F-41", "google": "F-15", "trackdechets": "F-18"}[a.Provider], f)
	case a.Provider == "google" && strings.Contains(f.reply, "admin_policy_enforced"):
		ru.addF("F-34", f)
	case a.Provider == "google" && (strings.Contains(f.reply, "Error 403: access_denied") || strings.Contains(f.reply, "has not completed the Google verification process")):
		ru.addF("F-33", f)
	case a.Provider == "google" && f.step == "device authorization" && f.code == "invalid_scope":
		ru.addF("F-40", f)
	case a.Provider == "google" && f.step == "refresh" && f.code == "invalid_grant" && ru.googleTesting():
		ru.addF("F-14", f)
	case a.Provider == "google" && strings.HasPrefix(a.RedirectURI, "urn:ietf:wg:oauth:2.0:oob"):
		ru.addF("F-15", f)
	case a.Provider == "google" && (strings.Contains(f.reply, "invalid_client") || strings.Contains(f.reply, "OAuth client was not found")):
		ru.addF("F-37", f)
	case a.Provider == "google" && strings.Contains(f.reply, "redirect_uri_mismatch"):
		ru.r.add("G-14", Error, "the redirect URI is not one of the client's", "the application sends redirect_uri "+a.RedirectURI+"; "+cut(f.reply, 200),
			"in Google Cloud console, APIs & Services > Credentials > the OAuth client > Authorized redirect URIs: add exactly "+a.RedirectURI+" (a Desktop app client takes any loopback port, G-10)")
	case a.Provider == "trackdechets" && f.step == "token" && (f.status == 401 || f.code == "invalid_client"):
		ru.addF("F-18", f)
	case a.Provider == "trackdechets" && strings.Contains(f.reply, "Invalid redirect uri"):
		ru.r.add("T-02", Error, "the redirect URI is not one of the application's", "the application sends redirect_uri "+a.RedirectURI+"; "+cut(f.reply, 200),
			"in Trackdéchets, Mon Compte > Développeurs > Mes Applications: set the redirect URI to exactly "+a.RedirectURI)
	case a.Provider == "trackdechets" && strings.Contains(f.reply, "Invalid client id"):
		ru.r.add("T-02", Error, "the client id is not an application of Trackdéchets", "client_id "+a.ClientID+"; "+cut(f.reply, 200),
			"copy the application's client id from Mon Compte > Développeurs > Mes Applications")
	default:
		return false
	}
	return true
}

// endpointHint is a provider's endpoints as its documentation gives them.
func endpointHint(provider string) string {
	switch provider {
	case "microsoft":
		return "https://login.microsoftonline.com/<tenant id or domain>/oauth2/v2.0/authorize, …/token, …/devicecode"
	case "google":
		return "https://accounts.google.com/o/oauth2/v2/auth, https://oauth2.googleapis.com/token, https://oauth2.googleapis.com/device/code"
	}
	return "https://app.trackdechets.beta.gouv.fr/oauth2/authorize/dialog, https://api.trackdechets.beta.gouv.fr/oauth2/token, https://api.trackdechets.beta.gouv.fr/"
}

// mixesGraphAndOutlook reports whether scopes name both Graph (bare or
// prefixed) and Exchange.
func mixesGraphAndOutlook(scopes []string) bool {
	graph, outlook := false, false
	for _, s := range scopes {
		switch {
		case strings.HasPrefix(s, microsoft.Outlook), strings.HasPrefix(s, microsoft.Office365):
			outlook = true
		case strings.HasPrefix(s, microsoft.Graph), !strings.Contains(s, "/") && !slices.Contains([]string{"openid", "profile", "email", "offline_access"}, s):
			graph = true
		}
	}
	return graph && outlook
}

// googleTesting reports whether the application's Google client is in
// the Testing publishing status.
func (ru *runner) googleTesting() bool {
	c, ok := ru.srv.World.FindClient(google.Name, ru.app.ClientID)
	s, _ := c.Settings.(google.ClientSettings)
	return ok && s.Testing
}

func (ru *runner) explainConnect(f failure) {
	m := ru.app.Mail
	host := strings.ToLower(m.Host)
	h, known := mailHosts[host]
	l, served := h.ports[m.Port]
	switch {
	case strings.Contains(f.reply, "providers: has no"):
		ru.r.add("check", Error, "the mail host is another provider's", f.reply, "use "+mailHostHint(ru.app.Provider, m.Protocol)+", or add the other provider to providers:")
	case known && served && l.protocol != m.Protocol:
		ru.r.add(map[string]string{"smtp": "EX-05", "imap": "EX-03", "pop3": "EX-04"}[m.Protocol], Error,
			fmt.Sprintf("%s:%d is the %s port, and the application speaks %s", m.Host, m.Port, strings.ToUpper(l.protocol), strings.ToUpper(m.Protocol)), f.reply, mailHostHint(h.provider, m.Protocol))
	case !known:
		ru.r.add(map[string]string{"google": "GM-04", "microsoft": "EX-05"}[firstNonEmpty(ru.app.Provider, "microsoft")], Error, "the mail host is not the provider's", f.reply, mailHostHint(ru.app.Provider, m.Protocol))
	case h.provider == "microsoft" && m.Protocol == "smtp" && (m.Port == 465 || m.Security == "tls"):
		ru.addF("F-24", f)
	case strings.Contains(f.reply, "does not listen"):
		ru.r.add(map[string]string{"google": "GM-04", "microsoft": "EX-05"}[h.provider], Error, "nothing answers on "+m.Host+":"+fmt.Sprint(m.Port), f.reply, mailHostHint(h.provider, m.Protocol))
	default:
		ru.r.add(map[string]string{"smtp": "EX-05", "imap": "EX-03", "pop3": "EX-04"}[m.Protocol], Error, "the connection's security does not match the port ("+m.Security+" on "+fmt.Sprint(m.Port)+")", f.reply, mailHostHint(h.provider, m.Protocol))
	}
}

// mailHostHint is the mail servers a provider documents.
func mailHostHint(provider, protocol string) string {
	if provider == "google" {
		return map[string]string{"smtp": "smtp.gmail.com port 587 with STARTTLS, or 465 with TLS (GM-04)", "imap": "imap.gmail.com port 993 with TLS (GM-05)", "pop3": "pop.gmail.com port 995 with TLS (GM-06)"}[protocol]
	}
	return map[string]string{"smtp": "smtp.office365.com port 587 with STARTTLS (EX-05)", "imap": "outlook.office365.com port 993 with TLS (EX-03)", "pop3": "outlook.office365.com port 995 with TLS (EX-04)"}[protocol]
}

func (ru *runner) explainMail(f failure) {
	m := ru.app.Mail
	ev, hasEv := ru.mailRefusal()
	reason := ""
	if hasEv {
		reason = ev.Reason
	}
	prov := ru.app.Provider
	switch {
	case strings.Contains(f.reply, "5.7.57") || (f.step == "MAIL FROM" && f.code == "530"):
		ru.addF("F-26", f)
		return
	case strings.Contains(f.reply, "SendAs") || strings.Contains(f.reply, "5.2.252"):
		ru.addF("F-23", f)
		return
	case m.Security == "none" && f.step == "authenticate" && m.Protocol == "smtp":
		if prov == "microsoft" {
			ru.addF("F-25", f)
		} else {
			ru.r.add("GM-04", Error, "AUTH before STARTTLS", fmt.Sprintf("security none on %s:%d; %s", m.Host, m.Port, f.reply), mailHostHint(prov, m.Protocol))
		}
		return
	case prov == "microsoft" && m.Mechanism == "OAUTHBEARER" && f.step == "authenticate":
		ru.addF("F-17", f)
		return
	case prov == "microsoft" && m.Protocol == "smtp" && m.Mechanism == "PLAIN" && f.step == "authenticate":
		ru.addF("F-25", f) // Exchange offers LOGIN and XOAUTH2, not PLAIN
		return
	case strings.Contains(f.reply, "5.7.4") || reason == "mechanism":
		if prov == "microsoft" {
			ru.addF("F-25", f)
			return
		}
	case prov == "microsoft" && (reason == "blocked_by_policy" || strings.Contains(f.reply, "did not meet the criteria")):
		// F-27 before F-05: the same password, refused by the tenant's policy.
		ru.addF("F-27", f)
		return
	case reason == "basic_auth" || ((m.Mechanism == "PLAIN" || m.Mechanism == "LOGIN") && f.step == "authenticate"):
		ru.addF(map[string]string{"microsoft": "F-05", "google": "GM-04"}[prov], f)
		return
	case reason == "auth_disabled" || strings.Contains(f.reply, "SmtpClientAuthentication"):
		ru.addF("F-04", f)
		return
	case reason == "malformed":
		ru.r.add("GM-02", Error, "the server could not parse the SASL message", f.reply, xoauth2Fix)
		return
	}
	id := map[string]string{"wrong_audience": "F-01", "no_service_principal": "F-02", "no_mailbox_permission": "F-02", "expired": "F-16"}[reason]
	switch {
	case reason == "wrong_scope" && prov == "google":
		id = "F-13"
	case reason == "wrong_scope" && ru.isApp():
		id = "F-10"
	case reason == "wrong_scope" && ru.tokenAudGraph():
		id = "F-01"
	case reason == "wrong_scope":
		id = "EX-01"
	case reason == "wrong_user" || strings.Contains(f.reply, "not connected"):
		id = "F-03"
		if ru.isApp() {
			id = "F-02"
		} else if !strings.EqualFold(ru.app.User, m.User) && (m.Protocol == "imap" || m.Protocol == "pop3") {
			id = "F-19"
		}
	case id == "" && prov == "google":
		id = "F-13"
	case id == "":
		id = "EX-08"
	}
	ru.addF(id, f)
	if prov == "microsoft" {
		cs := ru.candidates(reason)
		// The finding's own cause leads its likely peers.
		if i := slices.IndexFunc(cs, func(c Candidate) bool { return c.ID == id && c.Verdict == "likely" }); i > 0 {
			own := cs[i]
			cs = slices.Insert(slices.Delete(cs, i, i+1), 0, own)
		}
		ru.r.Findings[len(ru.r.Findings)-1].Candidates = cs
	}
	if hasEv {
		last := &ru.r.Findings[len(ru.r.Findings)-1]
		last.Evidence += "; " + audit(ev)
	}
}

// isApp reports whether the application uses an app-only token.
func (ru *runner) isApp() bool { return ru.app.Flow == "client_credentials" }

// tokenAudGraph reports whether the token's audience is Graph's.
func (ru *runner) tokenAudGraph() bool {
	return slices.ContainsFunc(audiences(ru.token), func(a string) bool { return slices.Contains(graphAudiences, a) })
}

// candidates are the causes of Exchange's ambiguous refusals (NO
// AUTHENTICATE failed., 535 5.7.3, BAD … not connected., POP's -ERR
// Authentication failure), ranked: the one the audit log names, then
// those the configuration supports, then those it rules out.
func (ru *runner) candidates(reason string) []Candidate {
	named := map[string]string{"wrong_audience": "F-01", "no_service_principal": "F-02", "no_mailbox_permission": "F-02",
		"wrong_user": "F-03", "expired": "F-16", "wrong_scope": "EX-01"}[reason]
	var out []Candidate
	for _, id := range []string{"F-01", "F-02", "F-03", "F-19", "F-16", "EX-01", "F-10", "F-04"} {
		c := ru.candidate(id)
		if c.ID == "" {
			continue
		}
		if id == named || (named == "F-03" && id == "F-19" && c.Verdict == "likely") || (named == "EX-01" && id == "F-10" && ru.isApp()) {
			c.Verdict = "likely"
			c.Evidence += "; the fake's audit log names it (" + reason + ")"
		}
		out = append(out, c)
	}
	rank := map[string]int{"likely": 0, "possible": 1, "ruled out": 2}
	slices.SortStableFunc(out, func(a, b Candidate) int { return rank[a.Verdict] - rank[b.Verdict] })
	return out
}

// candidate judges one cause against the configuration and the token.
func (ru *runner) candidate(id string) Candidate {
	m := ru.app.Mail
	c := Candidate{ID: id, Title: titles[id]}
	verdict := func(likely bool, yes, no string) Candidate {
		if likely {
			c.Verdict, c.Evidence = "likely", yes
		} else {
			c.Verdict, c.Evidence = "ruled out", no
		}
		return c
	}
	aud := strings.Join(audiences(ru.token), " ")
	switch id {
	case "F-01":
		return verdict(ru.tokenAudGraph(), "the token's aud is "+aud+" (Graph)", "the token's aud is "+firstNonEmpty(aud, "absent")+", Exchange's")
	case "F-02":
		if !ru.isApp() {
			return verdict(false, "", "a delegated token; F-02 is the app-only token's")
		}
		why := ru.servicePrincipalProblem()
		return verdict(why != "", why, "Exchange has a service principal of app "+ru.app.ClientID+" with the enterprise object id, and FullAccess on "+m.User)
	case "F-03", "F-19":
		if ru.isApp() {
			return Candidate{}
		}
		user, claim := tokenUser(ru.token)
		if user == "" {
			user, claim = ru.app.User, "application.user"
		}
		differs := !strings.EqualFold(user, m.User)
		if id == "F-19" {
			return verdict(differs && !strings.EqualFold(ru.app.User, m.User), "signed in as "+ru.app.User+", logs in to "+m.User, "signed in as the mailbox's own user "+m.User)
		}
		return verdict(differs, fmt.Sprintf("the token's %s is %s, user= is %s", claim, user, m.User), fmt.Sprintf("the token's %s is %s, as user=", claim, user))
	case "F-16":
		exp, ok := numericDate(ru.token["exp"])
		now := ru.srv.Now()
		if !ok {
			return verdict(false, "", "the token has no exp to judge")
		}
		return verdict(!exp.After(now), "exp "+exp.UTC().Format(time.RFC3339)+" is before the attempt ("+now.UTC().Format(time.RFC3339)+")", "exp "+exp.UTC().Format(time.RFC3339)+" is after the attempt")
	case "EX-01":
		if ru.isApp() {
			return Candidate{}
		}
		need := delegatedPermission[m.Protocol]
		scp := claimString(ru.token, "scp")
		has := slices.ContainsFunc(strings.Fields(scp), func(s string) bool { return strings.EqualFold(s, need) })
		return verdict(!has, "scp "+fmt.Sprintf("%q", scp)+" lacks "+need, "scp holds "+need)
	case "F-10":
		if !ru.isApp() {
			return Candidate{}
		}
		need := appRole[m.Protocol]
		return verdict(!slices.Contains(roles(ru.token), need), fmt.Sprintf("roles %q lack %s", roles(ru.token), need), "roles hold "+need)
	case "F-04":
		if m.Protocol != "smtp" {
			return Candidate{}
		}
		t := ru.msApp().tenant
		off := t.Exchange.SMTPAuthDisabled || slices.ContainsFunc(t.Exchange.SMTPAuthDisabledFor, func(s string) bool { return strings.EqualFold(s, m.User) })
		return verdict(off, "SMTP AUTH is disabled for the tenant or the mailbox", "SMTP AUTH is enabled for the tenant and "+m.User)
	}
	return Candidate{}
}

// servicePrincipalProblem says what is wrong with the Exchange service
// principal of the application for the mailbox, or "".
func (ru *runner) servicePrincipalProblem() string {
	ms := ru.msApp()
	if !ms.found {
		return ""
	}
	var sp *microsoft.ServicePrincipal
	for i, s := range ms.tenant.Exchange.ServicePrincipals {
		if strings.EqualFold(s.AppID, ms.reg.ID) {
			sp = &ms.tenant.Exchange.ServicePrincipals[i]
		}
	}
	ent := firstNonEmpty(ms.app.EnterpriseObjectID, "<the enterprise application's object id>")
	switch {
	case sp == nil:
		return fmt.Sprintf("Exchange has no service principal of app %s (New-ServicePrincipal was not run)", ms.reg.ID)
	case ms.app.ObjectID != "" && strings.EqualFold(sp.ObjectID, ms.app.ObjectID):
		return fmt.Sprintf("the service principal was registered with the app registration's object id %s; Exchange needs the enterprise application's object id %s", sp.ObjectID, ent)
	case ms.app.EnterpriseObjectID != "" && !strings.EqualFold(sp.ObjectID, ms.app.EnterpriseObjectID):
		return fmt.Sprintf("the service principal has object id %s, not the enterprise application's %s", sp.ObjectID, ent)
	}
	mbx := ru.app.Mail.User
	if !slices.ContainsFunc(ms.tenant.Exchange.MailboxPermissions, func(p microsoft.MailboxPermission) bool {
		return strings.EqualFold(p.Mailbox, mbx) && strings.EqualFold(p.User, sp.ObjectID)
	}) {
		return fmt.Sprintf("the service principal %s has no FullAccess on %s (Add-MailboxPermission was not run for it)", sp.ObjectID, mbx)
	}
	return ""
}

// defaults counts the /.default scopes requested.
func (ru *runner) defaults() int {
	n := 0
	for _, s := range ru.app.Scopes {
		if strings.HasSuffix(s, "/.default") {
			n++
		}
	}
	return n
}
