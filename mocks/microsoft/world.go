package microsoft

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// Tenant is a Microsoft Entra tenant's settings in the world: its id, its
// verified domains, what its administrator set, and its Exchange Online
// organization.
type Tenant struct {
	// ID is the tenant id (a GUID), the "tid" of its tokens.
	ID string
	// Domains are its verified domains ("contoso.onmicrosoft.com").
	Domains []string
	// UserConsentDisabled is "Users can consent to apps": off. Delegated
	// permissions then need the administrator's consent (F-10).
	UserConsentDisabled bool
	// Admins are the users who may grant consent for the whole tenant
	// (Global or Cloud Application Administrators).
	Admins []string
	// ConsentedApps are the application ids of other tenants' (multi-tenant)
	// apps the tenant's administrator consented to; an app registered in
	// the tenant itself carries App.AdminConsent instead.
	ConsentedApps []string
	// MFARequired are the users (an address, or "*" for every user of
	// the tenant) who must use multi-factor authentication: per-user MFA,
	// security defaults or a Conditional Access policy. An interactive
	// sign-in passes it; a refresh of a grant signed in without it gets
	// AADSTS50076 (M-11, F-28).
	MFARequired []string
	// BlockedByCA are the users ("*": all) a Conditional Access policy
	// blocks: no token is issued to them, AADSTS53003 (M-11, F-28).
	BlockedByCA []string
	// SecurityDefaults is Entra's Security Defaults for the tenant: legacy
	// authentication is blocked, so a password sent to SMTP AUTH gets
	// Exchange's "request did not meet the criteria" 5.7.139 (EX-13,
	// F-27); a token (XOAUTH2) still opens the mailbox. Its MFA prompt is
	// MFARequired's.
	SecurityDefaults bool
	// SignInFrequency is Conditional Access's sign-in frequency: a grant
	// signed in longer ago is refused at refresh, AADSTS70043 (M-06,
	// F-12). Zero: none.
	SignInFrequency time.Duration
	// Exchange is the tenant's Exchange Online organization.
	Exchange Exchange
}

// applies reports whether a list of users (MFARequired, BlockedByCA)
// names email or everyone.
func applies(list []string, email string) bool {
	return slices.ContainsFunc(list, func(u string) bool { return u == "*" || strings.EqualFold(u, email) })
}

// Exchange is what an Exchange administrator configured (EX-02, EX-05).
type Exchange struct {
	// SMTPAuthDisabled is SmtpClientAuthenticationDisabled for the
	// organization (F-04).
	SMTPAuthDisabled bool
	// SMTPAuthDisabledFor are mailboxes with SMTP AUTH turned off.
	SMTPAuthDisabledFor []string
	// ServicePrincipals are those New-ServicePrincipal registered.
	ServicePrincipals []ServicePrincipal
	// MailboxPermissions are those Add-MailboxPermission granted.
	MailboxPermissions []MailboxPermission
	// IMAPDisabledFor and POPDisabledFor are mailboxes with the protocol
	// off (Set-CASMailbox -ImapEnabled $false, -PopEnabled $false):
	// AUTHENTICATE succeeds and the session opens nothing (EX-08 [INF]).
	IMAPDisabledFor, POPDisabledFor []string
	// SendAs are the permissions Add-RecipientPermission granted (EX-12).
	SendAs []RecipientPermission
}

// RecipientPermission is Add-RecipientPermission -Identity Mailbox
// -Trustee Trustee -AccessRights SendAs: Trustee (a user's address, or a
// service principal's object id) may send as Mailbox.
type RecipientPermission struct {
	Mailbox string `yaml:"mailbox" json:"mailbox"`
	Trustee string `yaml:"trustee" json:"trustee"`
}

// ServicePrincipal is New-ServicePrincipal -AppId -ObjectId: the object id
// must be the enterprise application's, not the app registration's.
type ServicePrincipal struct {
	AppID    string `yaml:"app_id" json:"app_id"`
	ObjectID string `yaml:"object_id" json:"object_id"`
}

// MailboxPermission is Add-MailboxPermission -Identity Mailbox -User User
// -AccessRights FullAccess; User is a service principal's object id or a
// user's address (a delegate of a shared mailbox).
type MailboxPermission struct {
	Mailbox string `yaml:"mailbox" json:"mailbox"`
	User    string `yaml:"user" json:"user"`
}

// App is an app registration's own attributes (world.Client.Settings).
type App struct {
	// ObjectID is the app registration's object id; EnterpriseObjectID
	// the object id of its enterprise application (service principal) in
	// its tenant, which Exchange's New-ServicePrincipal needs (EX-02).
	ObjectID, EnterpriseObjectID string
	// MultiTenant is a sign-in audience beyond the home tenant
	// (AzureADMultipleOrgs): other tenants' users may sign in.
	MultiTenant bool
	// Platforms are the redirect URIs by platform: web, public (mobile
	// and desktop) and spa.
	Web, PublicRedirects, SPA []string
	// Delegated and Application are the configured API permissions, as
	// full scopes ("https://outlook.office.com/IMAP.AccessAsUser.All",
	// "https://outlook.office365.com/IMAP.AccessAsApp").
	Delegated, Application []string
	// AdminConsent is "Grant admin consent for the tenant" done.
	AdminConsent bool
	// Disabled is the enterprise application's "Enabled for users to
	// sign in?" set to No by its owner: AADSTS7000112 (M-11).
	Disabled bool
}

// Schema reads Microsoft's tenants from a world file: under
// providers.microsoft.tenants, each tenant's id, domains,
// user_consent_disabled and exchange settings, its users (with their
// object id) and its app registrations.
func Schema() world.RealmSchema { return schema{} }

var _ world.EncodingSchema = schema{}

type schema struct{}

type secretFile = world.Secret

// DecodeClient implements world.Schema: an app registration.
func (schema) DecodeClient(n *yaml.Node) (world.Client, error) {
	var f struct {
		Name                   string       `yaml:"name"`
		ID                     string       `yaml:"id"`
		ObjectID               string       `yaml:"object_id"`
		EnterpriseObjectID     string       `yaml:"enterprise_object_id"`
		SignInAudience         string       `yaml:"sign_in_audience"`
		Web                    []string     `yaml:"web"`
		Public                 []string     `yaml:"public"`
		SPA                    []string     `yaml:"spa"`
		AllowPublicClientFlows bool         `yaml:"allow_public_client_flows"`
		Secrets                []secretFile `yaml:"secrets"`
		Permissions            struct {
			Delegated   []string `yaml:"delegated"`
			Application []string `yaml:"application"`
		} `yaml:"permissions"`
		AdminConsent bool `yaml:"admin_consent"`
		Disabled     bool `yaml:"disabled"`
	}
	if err := world.DecodeStrict(n, &f); err != nil {
		return world.Client{}, err
	}
	if !isGUID(f.ID) {
		return world.Client{}, fmt.Errorf("app %q: id %q is not a GUID (the application id)", f.Name, f.ID)
	}
	if err := knownPermissions(f.Permissions.Delegated, false); err != nil {
		return world.Client{}, fmt.Errorf("app %q: %w", f.Name, err)
	}
	if err := knownPermissions(f.Permissions.Application, true); err != nil {
		return world.Client{}, fmt.Errorf("app %q: %w", f.Name, err)
	}
	app := App{ObjectID: f.ObjectID, EnterpriseObjectID: f.EnterpriseObjectID, Web: f.Web, PublicRedirects: f.Public, SPA: f.SPA,
		Delegated: f.Permissions.Delegated, Application: f.Permissions.Application, AdminConsent: f.AdminConsent,
		Disabled: f.Disabled}
	switch f.SignInAudience {
	case "", "AzureADMyOrg":
	case "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount":
		app.MultiTenant = true
	default:
		return world.Client{}, fmt.Errorf("app %q: sign_in_audience %q (AzureADMyOrg, AzureADMultipleOrgs or AzureADandPersonalMicrosoftAccount)", f.Name, f.SignInAudience)
	}
	typ := clientType(f.AllowPublicClientFlows, App{Web: f.Web, SPA: f.SPA})
	return world.Client{Name: f.Name, ID: f.ID, Secrets: f.Secrets, Type: typ,
		RedirectURIs: slices.Concat(f.Web, f.Public, f.SPA), Public: f.AllowPublicClientFlows, Settings: app}, nil
}

// knownPermissions refuses a permission the Entra admin center would not
// offer (a typo such as IMAP.AccesAsApp): each must be one of its
// resource's delegated or application permissions, as Entra names them.
func knownPermissions(perms []string, application bool) error {
	kind := "delegated"
	if application {
		kind = "application"
	}
	for _, p := range perms {
		ref := splitScope(p)
		res, ok := lookupResource(ref.resource)
		if !ok {
			return fmt.Errorf("%s permission %q: no API %q (Exchange Online is %s, Microsoft Graph %s)", kind, p, ref.resource, Office365, Graph)
		}
		list := res.delegated
		if application {
			list = res.application
		}
		if !permitted(list, ref.permission) {
			api := map[string]string{Outlook: "Office 365 Exchange Online", Graph: "Microsoft Graph"}[res.id]
			return fmt.Errorf("%s permission %q: %s has no such %s permission%s (it has %s)", kind, p, api, kind, nearest(ref.permission, list), strings.Join(list, ", "))
		}
	}
	return nil
}

// EncodeClient implements world.EncodingSchema: an app registration.
func (schema) EncodeClient(c world.Client) map[string]any {
	a := appOf(c)
	audience := "AzureADMyOrg"
	if a.MultiTenant {
		audience = "AzureADMultipleOrgs"
	}
	m := map[string]any{"name": c.Name, "id": c.ID, "sign_in_audience": audience,
		"web": world.Strings(a.Web), "public": world.Strings(a.PublicRedirects), "spa": world.Strings(a.SPA),
		"allow_public_client_flows": c.Public, "admin_consent": a.AdminConsent, "disabled": a.Disabled,
		"permissions": map[string]any{"delegated": world.Strings(a.Delegated), "application": world.Strings(a.Application)}}
	if a.ObjectID != "" {
		m["object_id"] = a.ObjectID
	}
	if a.EnterpriseObjectID != "" {
		m["enterprise_object_id"] = a.EnterpriseObjectID
	}
	if c.HasSecret() {
		m["secrets"] = world.EncodeSecretList(c)
	}
	return m
}

// EncodeRealm implements world.EncodingSchema: a tenant's settings.
func (schema) EncodeRealm(settings any) map[string]any {
	t, _ := settings.(Tenant)
	sps, perms := []map[string]any{}, []map[string]any{}
	for _, sp := range t.Exchange.ServicePrincipals {
		sps = append(sps, map[string]any{"app_id": sp.AppID, "object_id": sp.ObjectID})
	}
	for _, p := range t.Exchange.MailboxPermissions {
		perms = append(perms, map[string]any{"mailbox": p.Mailbox, "user": p.User})
	}
	sendAs := []map[string]any{}
	for _, p := range t.Exchange.SendAs {
		sendAs = append(sendAs, map[string]any{"mailbox": p.Mailbox, "trustee": p.Trustee})
	}
	return map[string]any{"id": t.ID, "domains": world.Strings(t.Domains), "user_consent_disabled": t.UserConsentDisabled,
		"admins": world.Strings(t.Admins), "consented_apps": world.Strings(t.ConsentedApps),
		"mfa_required": world.Strings(t.MFARequired), "conditional_access_block": world.Strings(t.BlockedByCA),
		"security_defaults": t.SecurityDefaults,
		"sign_in_frequency": t.SignInFrequency.String(),
		"exchange": map[string]any{"smtp_auth_disabled": t.Exchange.SMTPAuthDisabled,
			"smtp_auth_disabled_for": world.Strings(t.Exchange.SMTPAuthDisabledFor),
			"service_principals":     sps, "mailbox_permissions": perms,
			"imap_disabled_for": world.Strings(t.Exchange.IMAPDisabledFor),
			"pop_disabled_for":  world.Strings(t.Exchange.POPDisabledFor), "send_as": sendAs}}
}

// clientType is an app registration's world.Client type: "public" when it
// allows public client flows, "spa" with only SPA redirect URIs, else
// "web".
func clientType(public bool, app App) string {
	switch {
	case public:
		return "public"
	case len(app.SPA) > 0 && len(app.Web) == 0:
		return "spa"
	}
	return "web"
}

// DecodeRealm implements world.RealmSchema: a tenant's settings.
func (schema) DecodeRealm(tenant string, keys map[string]yaml.Node) (any, error) {
	if tenant == "" {
		return nil, fmt.Errorf("microsoft: unknown keys beside clients, users and tenants; a tenant's settings go under tenants")
	}
	var f struct {
		ID                  string        `yaml:"id"`
		Domains             []string      `yaml:"domains"`
		UserConsentDisabled bool          `yaml:"user_consent_disabled"`
		Admins              []string      `yaml:"admins"`
		ConsentedApps       []string      `yaml:"consented_apps"`
		MFARequired         []string      `yaml:"mfa_required"`
		BlockedByCA         []string      `yaml:"conditional_access_block"`
		SecurityDefaults    bool          `yaml:"security_defaults"`
		SignInFrequency     time.Duration `yaml:"sign_in_frequency"`
		Exchange            struct {
			SMTPAuthDisabled    bool                  `yaml:"smtp_auth_disabled"`
			SMTPAuthDisabledFor []string              `yaml:"smtp_auth_disabled_for"`
			ServicePrincipals   []ServicePrincipal    `yaml:"service_principals"`
			MailboxPermissions  []MailboxPermission   `yaml:"mailbox_permissions"`
			IMAPDisabledFor     []string              `yaml:"imap_disabled_for"`
			POPDisabledFor      []string              `yaml:"pop_disabled_for"`
			SendAs              []RecipientPermission `yaml:"send_as"`
		} `yaml:"exchange"`
	}
	node := &yaml.Node{Kind: yaml.MappingNode}
	for k, v := range keys {
		v := v
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &v)
	}
	if err := world.DecodeStrict(node, &f); err != nil {
		return nil, err
	}
	if !isGUID(f.ID) {
		return nil, fmt.Errorf("tenant %q: id %q is not a GUID", tenant, f.ID)
	}
	return Tenant{ID: strings.ToLower(f.ID), Domains: f.Domains, UserConsentDisabled: f.UserConsentDisabled,
		Admins: f.Admins, ConsentedApps: f.ConsentedApps, MFARequired: f.MFARequired, BlockedByCA: f.BlockedByCA,
		SecurityDefaults: f.SecurityDefaults,
		SignInFrequency:  f.SignInFrequency,
		Exchange:         Exchange(f.Exchange)}, nil
}

// isGUID reports whether s is 8-4-4-4-12 hex digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// AdminConsented reports whether tenant's administrator consented to the
// app registration reg: "Grant admin consent" on an app of the tenant,
// the admin consent endpoint for another tenant's multi-tenant app.
func AdminConsented(w *world.World, tenant world.Realm, reg world.Client) bool {
	if reg.Realm == tenant {
		return appOf(reg).AdminConsent
	}
	t, _ := TenantOf(w, tenant)
	return slices.ContainsFunc(t.ConsentedApps, func(id string) bool { return strings.EqualFold(id, reg.ID) })
}

// appOf returns the app registration attributes of c.
func appOf(c world.Client) App {
	app, _ := c.Settings.(App)
	return app
}

// TenantOf returns the settings of realm.
func TenantOf(w *world.World, realm world.Realm) (Tenant, bool) {
	t, ok := w.RealmSettings(realm).(Tenant)
	return t, ok
}

// UpdateTenant changes a tenant's settings, as its administrator does in
// the Entra admin center or Exchange Online PowerShell.
func UpdateTenant(w *world.World, tenant string, change func(*Tenant)) error {
	return w.UpdateRealm(world.Realm{Provider: Name, Tenant: tenant}, func(s any) any {
		t, _ := s.(Tenant)
		t.Domains = slices.Clone(t.Domains)
		t.Admins = slices.Clone(t.Admins)
		t.ConsentedApps = slices.Clone(t.ConsentedApps)
		t.MFARequired, t.BlockedByCA = slices.Clone(t.MFARequired), slices.Clone(t.BlockedByCA)
		t.Exchange.SMTPAuthDisabledFor = slices.Clone(t.Exchange.SMTPAuthDisabledFor)
		t.Exchange.ServicePrincipals = slices.Clone(t.Exchange.ServicePrincipals)
		t.Exchange.MailboxPermissions = slices.Clone(t.Exchange.MailboxPermissions)
		t.Exchange.IMAPDisabledFor = slices.Clone(t.Exchange.IMAPDisabledFor)
		t.Exchange.POPDisabledFor = slices.Clone(t.Exchange.POPDisabledFor)
		t.Exchange.SendAs = slices.Clone(t.Exchange.SendAs)
		change(&t)
		return t
	})
}

// UpdateApp changes an app registration, as its owner does in the Entra
// admin center: permissions and admin consent in App, "Allow public
// client flows" as Client.Public, secrets as Client.Secrets.
func UpdateApp(w *world.World, tenant, appID string, change func(*world.Client, *App)) error {
	return w.UpdateClient(world.Realm{Provider: Name, Tenant: tenant}, appID, func(c *world.Client) {
		app := appOf(*c)
		app.Delegated = slices.Clone(app.Delegated)
		app.Application = slices.Clone(app.Application)
		change(c, &app)
		c.Type = clientType(c.Public, app)
		c.Settings = app
	})
}
