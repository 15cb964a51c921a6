package check

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// titles are section 7's misconfigurations (and the other PROVIDERS.md
// entries check names), in a line each.
var titles = map[string]string{
	"F-01":  "a Graph token used for Exchange's mail protocols (Graph-prefixed or bare scope)",
	"F-02":  "client credentials without a usable Exchange service principal or mailbox permission",
	"F-03":  "the token of one account used for another mailbox (user= differs)",
	"F-04":  "SMTP AUTH is disabled for the tenant or the mailbox",
	"F-05":  "a password (basic authentication) where Exchange wants OAuth",
	"F-06":  "Graph and Outlook scopes in one token request",
	"F-07":  "\"Allow public client flows\" is off and the application has no secret",
	"F-08":  "the secret's ID pasted where its value belongs",
	"F-09":  "the client secret expired",
	"F-10":  "no (admin) consent for the mail permission",
	"F-11":  "client credentials with a delegated scope instead of /.default",
	"F-12":  "the refresh token was idle past 90 days, or revoked",
	"F-13":  "a Google token without https://mail.google.com/",
	"F-14":  "a Google consent screen in Testing: refresh tokens die after 7 days",
	"F-15":  "no Google refresh token (no access_type=offline / prompt=consent), or the out-of-band redirect",
	"F-16":  "the access token was not refreshed after its hour",
	"F-17":  "OAUTHBEARER at Exchange, which offers XOAUTH2 only",
	"F-18":  "Trackdéchets: the secret in the body where HTTP Basic is required, or a token \"refreshed\"",
	"F-19":  "the mailbox token was obtained by signing in as another account",
	"F-20":  "a single-tenant app registration used through /common",
	"F-21":  "the client_id is not the Application (client) ID GUID",
	"F-23":  "the From address is not the authenticated mailbox, and there is no SendAs",
	"F-24":  "implicit TLS at Exchange's SMTP (port 465, or SSL/TLS on 587)",
	"F-25":  "AUTH PLAIN / LOGIN, or AUTH before STARTTLS, at Exchange's SMTP",
	"F-26":  "the client went on after a failed or absent AUTH",
	"F-27":  "a password at Exchange's SMTP while Security Defaults or Conditional Access apply",
	"F-28":  "MFA or Conditional Access applies to a silent flow",
	"F-29":  "scopes of two resources, or two /.default, in one token request",
	"F-30":  "the tenant forbids user consent: an administrator must grant it",
	"F-33":  "the consent screen is in Testing and the user is not a test user",
	"F-34":  "the Workspace administrator restricts this app (API controls)",
	"F-37":  "the Google client_id is garbled or of no client",
	"F-38":  "the redirect URI differs from the registration's",
	"F-39":  "client credentials or a single-tenant device code sent to /common or /organizations",
	"F-40":  "Google's device flow asked for https://mail.google.com/",
	"F-41":  "offline_access is missing from the requested scopes",
	"M-14":  "the same token request repeated in a short window: Entra's loop detection (AADSTS50196)",
	"EX-01": "the delegated token lacks the protocol's permission",
	"EX-08": "Exchange refused the token",
	"GM-04": "Gmail refuses passwords (basic authentication)",
}

// addF adds the error finding id for the failing step f.
func (ru *runner) addF(id string, f failure) {
	ev, fix := ru.explainF(id, f)
	ru.r.add(id, Error, titles[id], ev, fix)
}

// explainF is the evidence and the fix of finding id.
func (ru *runner) explainF(id string, f failure) (evidence, fix string) {
	a, m := ru.app, ru.app.Mail
	reply := "the " + f.step + " step got: " + cut(f.reply, 300)
	ms := ru.msApp()
	tenant := ms.reg.Realm.Tenant
	if ms.tenant.ID != "" {
		tenant = firstNonEmpty(first(ms.tenant.Domains), ms.tenant.ID)
	}
	switch id {
	case "F-01":
		return fmt.Sprintf("scopes %q; the token's aud is %q; %s", ru.scopes(), strings.Join(audiences(ru.token), " "), reply),
			"in the application's scope setting, type the Exchange scope " + scopeFor(m.Protocol) + " offline_access (client credentials: https://outlook.office365.com/.default); a bare " + permissionName(m.Protocol) + " or https://graph.microsoft.com/… is Graph's"
	case "F-02":
		why := ru.servicePrincipalProblem()
		ent := firstNonEmpty(ms.app.EnterpriseObjectID, "<Enterprise applications > the app > Object ID>")
		fix = fmt.Sprintf("in Exchange Online PowerShell: New-ServicePrincipal -AppId %s -ObjectId %s (the object id under Entra admin center > Enterprise applications, not App registrations), then Add-MailboxPermission -Identity %s -User %s -AccessRights FullAccess", a.ClientID, ent, m.User, ent)
		if ms.app.ObjectID != "" {
			fix += fmt.Sprintf("; the app registration's own object id %s is the wrong one", ms.app.ObjectID)
		}
		return firstNonEmpty(why, "an app-only token refused") + "; " + reply, fix
	case "F-03":
		user, claim := tokenUser(ru.token)
		return fmt.Sprintf("the token's %s is %s and the SASL user= is %s; %s", firstNonEmpty(claim, "user"), firstNonEmpty(user, a.User), m.User, reply),
			"make mail.user the account that signed in (" + firstNonEmpty(user, a.User) + "), or sign in as " + m.User + "; to use another mailbox, grant the signed-in user FullAccess (Add-MailboxPermission -Identity " + m.User + " -User " + firstNonEmpty(user, a.User) + " -AccessRights FullAccess)"
	case "F-04":
		return reply, "in Exchange Online PowerShell: Set-TransportConfig -SmtpClientAuthenticationDisabled $false (the tenant), or Set-CASMailbox -Identity " + m.User + " -SmtpClientAuthenticationDisabled $false (the mailbox); Microsoft 365 admin center > Users > the user > Mail > Manage email apps > Authenticated SMTP"
	case "F-05":
		return "mechanism " + m.Mechanism + " with a password; " + reply, "set the mechanism to XOAUTH2 and send an OAuth access token for " + scopeFor(m.Protocol) + " instead of the password"
	case "F-06":
		return fmt.Sprintf("scopes %q hold Graph and Outlook scopes; %s", ru.scopes(), reply), "request Exchange's scopes only (" + scopeFor(firstNonEmpty(protoOf(m), "smtp")) + " offline_access); ask for Graph's in a second token request"
	case "F-07":
		return fmt.Sprintf("client %s has no secret and \"Allow public client flows\" is %s; %s", a.ClientID, yesNo(ms.reg.Public), reply),
			"Entra admin center > App registrations > the app > Authentication > Advanced settings > Allow public client flows: Yes (or give the application a client secret)"
	case "F-08":
		return fmt.Sprintf("client_secret %s is the secret's ID (Certificates & secrets lists it under Secret ID); %s", redact(a.ClientSecret), reply),
			"Entra admin center > App registrations > the app > Certificates & secrets: copy the Value column (shown once, when created; make a new secret if it is hidden), not the Secret ID"
	case "F-09":
		exp := ""
		for _, s := range ms.reg.AllSecrets() {
			if s.Value == a.ClientSecret && !s.Expires.IsZero() {
				exp = " expired on " + s.Expires.UTC().Format(time.RFC3339)
			}
		}
		return "the secret " + redact(a.ClientSecret) + exp + "; " + reply, "Entra admin center > App registrations > the app > Certificates & secrets > New client secret; paste its Value into the application before the old one is removed"
	case "F-10":
		return fmt.Sprintf("the app's permissions were not consented for %s; %s", tenant, reply), "Entra admin center > App registrations > the app > API permissions > Grant admin consent for " + firstNonEmpty(tenant, "the tenant") + " (Office 365 Exchange Online's permission for the protocol)"
	case "F-11":
		return fmt.Sprintf("client credentials with scopes %q; %s", ru.scopes(), reply), "request scope=https://outlook.office365.com/.default with client credentials; the application permissions (IMAP.AccessAsApp, SMTP.SendAsApp) come from API permissions and admin consent"
	case "F-12":
		return fmt.Sprintf("the application refreshed %s after signing in; %s", duration(a.RefreshAfter), reply), "sign the user in again (a refresh token idle 90 days, or revoked, is dead); refresh at least every few days so it stays alive"
	case "F-13":
		return fmt.Sprintf("scopes %q lack https://mail.google.com/; %s", ru.scopes(), reply), "request the scope https://mail.google.com/ (gmail.send, gmail.readonly and gmail.modify do not open SMTP, IMAP or POP); add it under Google Auth Platform > Data access"
	case "F-14":
		return fmt.Sprintf("client %s's consent screen is in Testing and the application refreshed %s after signing in; %s", a.ClientID, duration(a.RefreshAfter), reply), "Google Auth Platform > Audience > Publishing status: Publish app (In production); a Testing app's refresh tokens expire 7 days after consent"
	case "F-15":
		if strings.Contains(a.RedirectURI, "oob") {
			return "redirect_uri " + a.RedirectURI + "; " + reply, "use a loopback redirect URI (http://127.0.0.1:PORT/ or http://localhost:PORT/) with a Desktop app client (G-10); the out-of-band flow is blocked"
		}
		return fmt.Sprintf("authorization endpoint %s, no access_type=offline: the token response had no refresh_token; %s", a.AuthorizationEndpoint, reply),
			"add access_type=offline (and prompt=consent, for a user who consented before) to the authorization request: https://accounts.google.com/o/oauth2/v2/auth?prompt=consent&access_type=offline"
	case "F-16":
		return reply, "refresh the access token before it expires (expires_in, one hour) with the refresh token, and retry the login with the new one"
	case "F-17":
		return "mechanism OAUTHBEARER; " + reply, "set the mechanism to XOAUTH2: Exchange Online advertises AUTH XOAUTH2 only (EX-06)"
	case "F-18":
		if f.step == "refresh" {
			return "Trackdéchets tokens do not expire and no refresh token exists; " + reply, "keep the access token; Trackdéchets has no refresh grant (T-04); sign in again only when it is revoked"
		}
		return "token_endpoint_auth_method " + firstNonEmpty(a.TokenEndpointAuthMethod, "default") + "; " + reply, "set token_endpoint_auth_method to client_secret_basic: send client_id:client_secret in the Authorization: Basic header, as the Trackdéchets documentation says"
	case "F-19":
		return fmt.Sprintf("signed in as %s, logs in to the mailbox %s; %s", a.User, m.User, reply),
			"sign in as " + m.User + " (grant admin consent first if users cannot consent), or give " + a.User + " FullAccess: Add-MailboxPermission -Identity " + m.User + " -User " + a.User + " -AccessRights FullAccess"
	case "F-20":
		return fmt.Sprintf("app %s is single-tenant (AzureADMyOrg) and the endpoint is %s; %s", a.ClientID, firstNonEmpty(a.AuthorizationEndpoint, a.TokenEndpoint), reply),
			"use the tenant's endpoints: https://login.microsoftonline.com/" + firstNonEmpty(ms.tenant.ID, "<tenant id>") + "/oauth2/v2.0/…, or make the app multi-tenant (Authentication > Supported account types)"
	case "F-21":
		return fmt.Sprintf("client_id %q; %s", a.ClientID, reply), "paste the Application (client) ID GUID from Entra admin center > App registrations > the app > Overview"
	case "F-23":
		return fmt.Sprintf("MAIL FROM %s while logged in as %s; %s", firstNonEmpty(m.From, m.User), m.User, reply),
			"send as " + m.User + " (mail.from), or grant SendAs: Add-RecipientPermission -Identity " + firstNonEmpty(m.From, m.User) + " -Trustee " + m.User + " -AccessRights SendAs"
	case "F-24":
		return fmt.Sprintf("%s:%d with security %s; %s", m.Host, m.Port, m.Security, reply), "use smtp.office365.com port 587 with STARTTLS (security: starttls)"
	case "F-25":
		return fmt.Sprintf("mechanism %s, security %s; %s", m.Mechanism, m.Security, reply), "STARTTLS first (security: starttls on 587), then AUTH XOAUTH2 with an OAuth token"
	case "F-26":
		return "no AUTH before MAIL FROM (mechanism " + m.Mechanism + "); " + reply, "authenticate first (mechanism XOAUTH2); when AUTH fails, report its reply instead of going on to MAIL FROM"
	case "F-27":
		why := "Security Defaults or a Conditional Access policy block the password sign-in"
		if ms.tenant.SecurityDefaults {
			why = "tenant " + firstNonEmpty(tenant, ms.tenant.ID) + " has Security Defaults on"
		}
		return "mechanism " + m.Mechanism + " with a password; " + why + "; " + reply,
			"set the mechanism to XOAUTH2 and send an OAuth access token for " + scopeFor(m.Protocol) + " instead of the password (Security Defaults block every password at SMTP AUTH); with Security Defaults off, exclude the account from the Conditional Access policy that blocks legacy authentication"
	case "F-28":
		return reply, "use the interactive authorization code flow or the device code flow; exclude a service account from the policy"
	case "F-29":
		return fmt.Sprintf("scopes %q; %s", ru.scopes(), reply), "one resource per token request: Exchange's scopes (" + scopeFor(firstNonEmpty(protoOf(m), "smtp")) + ") in one, Graph's in another; client credentials take one <resource>/.default"
	case "F-30":
		return fmt.Sprintf("tenant %s forbids user consent and %s is not an administrator; %s", tenant, a.User, reply),
			"an administrator grants consent: Entra admin center > App registrations > the app > API permissions > Grant admin consent for " + firstNonEmpty(tenant, "the tenant") + " (or https://login.microsoftonline.com/" + firstNonEmpty(ms.tenant.ID, "<tenant>") + "/adminconsent?client_id=" + a.ClientID + ")"
	case "F-33":
		return fmt.Sprintf("%s signs in to a client in Testing; %s", a.User, reply),
			"Google Cloud console > APIs & Services > OAuth consent screen > Test users: add " + a.User + " (or publish the app: In production)"
	case "F-34":
		return fmt.Sprintf("%s's Workspace blocks client %s; %s", a.User, a.ClientID, reply),
			"the Workspace administrator: Admin console > Security > Access and data control > API controls > Manage third-party app access: mark " + a.ClientID + " Trusted"
	case "F-37":
		return fmt.Sprintf("client_id %q; %s", a.ClientID, reply), "copy the full <number>-<hash>.apps.googleusercontent.com id of an existing client from Google Cloud console > APIs & Services > Credentials"
	case "F-38":
		return fmt.Sprintf("the application sends redirect_uri %s; the registration has %s; %s", a.RedirectURI, strings.Join(ms.reg.RedirectURIs, ", "), reply),
			"Entra admin center > App registrations > the app > Authentication: add exactly " + a.RedirectURI + " under the platform the application is (Web for a confidential app, Mobile and desktop for a public one)"
	case "F-39":
		return fmt.Sprintf("token endpoint %s; %s", a.TokenEndpoint, reply), "put the tenant in the authority: https://login.microsoftonline.com/" + firstNonEmpty(ms.tenant.ID, first(ms.tenant.Domains), "<tenant id>") + "/oauth2/v2.0/token"
	case "F-40":
		return fmt.Sprintf("device flow with scopes %q; %s", ru.scopes(), reply), "use the authorization code flow with a loopback redirect (G-10): Google's device flow does not allow https://mail.google.com/ (G-12)"
	case "F-41":
		return fmt.Sprintf("scopes %q lack offline_access: the token response had no refresh_token; %s", ru.scopes(), reply), "add offline_access to the requested scopes (" + scopeFor(firstNonEmpty(protoOf(m), "smtp")) + " offline_access)"
	case "M-14":
		return reply, "cache the tokens: reuse the access token until it expires and refresh once then, not per message or connection; do not retry a refused request in a loop; the refusal clears after about 2 minutes without token requests"
	case "EX-01":
		return fmt.Sprintf("scp %q; %s", claimString(ru.token, "scp"), reply), "add the delegated permission " + delegatedPermission[protoOf(m)] + " of Office 365 Exchange Online (API permissions) and request " + scopeFor(protoOf(m))
	case "GM-04":
		return "mechanism " + m.Mechanism + " with a password; " + reply, "use XOAUTH2 with an access token of the scope https://mail.google.com/"
	}
	return reply, "compare the candidates below with the configuration; the first is what the fake's audit log names"
}

// protoOf is the mail protocol, or "".
func protoOf(m *Mail) string {
	if m == nil {
		return ""
	}
	return m.Protocol
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// warnings add what works now and will fail: a Testing app's 7-day
// refresh tokens (F-14), a secret expiring within 30 days (F-09), no
// refresh token (F-41, F-15).
func (ru *runner) warnings() {
	a := ru.app
	if ru.fail != nil && slices.Contains([]string{"F-14", "F-41", "F-15"}, ru.r.Findings[0].ID) {
		// The error says it already.
		return
	}
	if a.Provider == "google" && ru.googleTesting() && a.Flow != "client_credentials" {
		ru.r.add("F-14", Warning, titles["F-14"], "client "+a.ClientID+" has its consent screen in Testing (testing: true)",
			"Google Auth Platform > Audience > Publishing status: Publish app; until then the user signs in again every 7 days")
	}
	if a.Provider == "microsoft" && a.ClientSecret != "" {
		ms := ru.msApp()
		for _, s := range ms.reg.AllSecrets() {
			if s.Value == a.ClientSecret && !s.Expires.IsZero() && s.Expires.After(ru.srv.Now()) && s.Expires.Sub(ru.srv.Now()) < 30*24*time.Hour {
				ru.r.add("F-09", Warning, "the client secret expires within 30 days", "secret "+firstNonEmpty(s.ID, redact(s.Value))+" expires on "+s.Expires.UTC().Format(time.RFC3339),
					"Entra admin center > App registrations > the app > Certificates & secrets > New client secret; put its Value in the application before "+s.Expires.UTC().Format("2006-01-02"))
			}
		}
	}
	if ru.tok != nil && ru.tok.RefreshToken == "" && !ru.refreshed && a.Flow != "client_credentials" {
		switch a.Provider {
		case "microsoft":
			ru.r.add("F-41", Warning, titles["F-41"], fmt.Sprintf("scopes %q: the token response had no refresh_token", ru.scopes()),
				"add offline_access to the scopes; without it the user signs in again every hour (F-16)")
		case "google":
			ru.r.add("F-15", Warning, "no Google refresh token", "the token response had no refresh_token (authorization endpoint "+a.AuthorizationEndpoint+")",
				"add access_type=offline and prompt=consent to the authorization request; without a refresh token the user signs in again every hour (F-16)")
		}
	}
}

// duration is d as refresh_after is written: days when whole ("91d"),
// else Go's form ("1h1m0s").
func duration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
