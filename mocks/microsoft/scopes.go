package microsoft

import (
	"slices"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/authserver"
)

// Resources (APIs) the mock knows, by the identifier their scopes start with.
const (
	// Outlook is Exchange Online's resource for delegated mail scopes
	// (EX-01): a token for it has aud https://outlook.office.com.
	Outlook = "https://outlook.office.com"
	// Office365 is Exchange Online's identifier for app-only tokens
	// (scope https://outlook.office365.com/.default, EX-01) and the 2020
	// documentation's delegated scopes.
	Office365 = "https://outlook.office365.com"
	// Graph is Microsoft Graph: a bare scope ("SMTP.Send") is Graph's.
	Graph = "https://graph.microsoft.com"
)

// Exchange's permissions (EX-01).
const (
	IMAPAccessAsUser = "IMAP.AccessAsUser.All"
	POPAccessAsUser  = "POP.AccessAsUser.All"
	SMTPSend         = "SMTP.Send"
	IMAPAccessAsApp  = "IMAP.AccessAsApp"
	POPAccessAsApp   = "POP.AccessAsApp"
	SMTPSendAsApp    = "SMTP.SendAsApp"
)

// resource is an API: its delegated permissions (scp) and application
// permissions (roles).
type resource struct {
	id                     string
	delegated, application []string
}

// exchange is "Office 365 Exchange Online"; both identifiers name it.
var exchange = resource{id: Outlook,
	delegated:   []string{IMAPAccessAsUser, POPAccessAsUser, SMTPSend, "EWS.AccessAsUser.All", "Mail.Read", "Mail.Send"},
	application: []string{IMAPAccessAsApp, POPAccessAsApp, SMTPSendAsApp, "full_access_as_app"}}

// graph is Microsoft Graph; its mail protocol permissions exist but give
// Graph tokens, which Exchange refuses (F-01).
var graph = resource{id: Graph,
	delegated: []string{"User.Read", "Mail.Read", "Mail.ReadWrite", "Mail.Send", IMAPAccessAsUser, POPAccessAsUser, SMTPSend,
		"offline_access", "openid", "profile", "email"},
	application: []string{"Mail.Read", "Mail.Send", "User.Read.All"}}

// scopeRef is one requested scope split into its resource and permission.
type scopeRef struct {
	resource   string // the identifier as requested (Outlook, Office365, Graph)
	permission string // "SMTP.Send", ".default"
}

// full is the scope's full name, as token responses list it.
func (s scopeRef) full() string { return s.resource + "/" + s.permission }

// lookupResource finds the API of an identifier.
func lookupResource(id string) (resource, bool) {
	switch strings.TrimSuffix(strings.ToLower(id), "/") {
	case Outlook, Office365, "https://ps.outlook.com", "00000002-0000-0ff1-ce00-000000000000":
		return exchange, true
	case Graph, "00000003-0000-0000-c000-000000000000":
		return graph, true
	}
	return resource{}, false
}

// splitScope parses a requested scope: "https://outlook.office.com/SMTP.Send",
// or a bare permission, which is Graph's.
func splitScope(scope string) scopeRef {
	if i := strings.LastIndexByte(scope, '/'); i > 0 && strings.Contains(scope, "://") || strings.Count(scope, "-") == 4 && i > 0 {
		return scopeRef{resource: strings.TrimSuffix(scope[:i], "/"), permission: scope[i+1:]}
	}
	return scopeRef{resource: Graph, permission: scope}
}

// permitted reports whether a resource defines a delegated permission,
// case-insensitively, as Entra compares them.
func permitted(list []string, permission string) bool {
	return slices.ContainsFunc(list, func(p string) bool { return strings.EqualFold(p, permission) })
}

// scopeFormatText is AADSTS70011's variant (c) (M-06): a scope that names
// no resource, such as a bare "/.default".
const scopeFormatText = "The provided value for the input parameter 'scope' is not valid. The scope format is invalid. " +
	"Scope must be in a valid URI form <https://example/scope> or a valid Guid <guid/scope>."

// scopeFormatDetail marks the refusal of scopeFormatRefusal, which
// /authorize shows on the sign-in page rather than redirecting (M-15).
const scopeFormatDetail = "scope format"

// badScopeFormat reports whether a scope names no resource: it starts with
// "/" ("/.default").
func badScopeFormat(scopes []string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool { return strings.HasPrefix(s, "/") })
}

// scopeFormatRefusal is 70011 variant (c).
func scopeFormatRefusal() *authserver.Failure {
	f := refusalText(70011, scopeFormatText)
	f.Detail = scopeFormatDetail
	return f
}
