package serve

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// The Entra admin center's and Exchange Online PowerShell's switches in
// the admin API.
func init() {
	consoles[microsoft.Name] = func(a *admin, r *mux.Router) {
		r.HandleFunc("/api/providers/microsoft/apps", a.microsoftApp).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/microsoft/tenants", a.microsoftTenant).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/microsoft/service-principals", a.servicePrincipal(true)).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/microsoft/service-principals", a.servicePrincipal(false)).Methods(http.MethodDelete)
		r.HandleFunc("/api/providers/microsoft/mailbox-permissions", a.mailboxPermission(true)).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/microsoft/mailbox-permissions", a.mailboxPermission(false)).Methods(http.MethodDelete)
		r.HandleFunc("/api/providers/microsoft/recipient-permissions", a.recipientPermission(true)).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/microsoft/recipient-permissions", a.recipientPermission(false)).Methods(http.MethodDelete)
		r.HandleFunc("/api/providers/microsoft/cas-mailboxes", a.casMailbox).Methods(http.MethodPost)
	}
}

// microsoftApp is POST /api/providers/microsoft/apps (client_id,
// [admin_consent], [allow_public_client_flows]): an app registration's
// switches in the Entra admin center (F-07, F-10).
func (a *admin) microsoftApp(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "client_id") {
		return
	}
	r.Form.Set("provider", microsoft.Name)
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	app, _ := c.Settings.(microsoft.App)
	consent, public := app.AdminConsent, c.Public
	if err := errors.Join(boolParam(r, "admin_consent", &consent), boolParam(r, "allow_public_client_flows", &public)); err != nil {
		refuse(w, err)
		return
	}
	if err := microsoft.UpdateApp(a.m.World, c.Realm.Tenant, c.ID, func(c *world.Client, app *microsoft.App) {
		app.AdminConsent, c.Public = consent, public
	}); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, microsoft.Name, "app", fmt.Sprintf("%s admin_consent=%t allow_public_client_flows=%t", c.ID, consent, public),
		map[string]bool{"admin_consent": consent, "allow_public_client_flows": public})
}

// microsoftTenant is POST /api/providers/microsoft/tenants (tenant,
// [user_consent_disabled], [security_defaults], [smtp_auth_disabled],
// [smtp_auth_disabled_for]: a comma-separated list of mailboxes, "" for
// none): the tenant's and Exchange's settings (F-04, F-10, F-27).
func (a *admin) microsoftTenant(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "tenant") {
		return
	}
	tenant := r.Form.Get("tenant")
	t, ok := microsoft.TenantOf(a.m.World, world.Realm{Provider: microsoft.Name, Tenant: tenant})
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{"no such tenant: " + tenant})
		return
	}
	consent, smtpOff, defaults := t.UserConsentDisabled, t.Exchange.SMTPAuthDisabled, t.SecurityDefaults
	if err := errors.Join(boolParam(r, "user_consent_disabled", &consent), boolParam(r, "smtp_auth_disabled", &smtpOff),
		boolParam(r, "security_defaults", &defaults)); err != nil {
		refuse(w, err)
		return
	}
	_, setFor := r.Form["smtp_auth_disabled_for"]
	var offFor []string
	for _, m := range strings.Split(r.Form.Get("smtp_auth_disabled_for"), ",") {
		if m = strings.TrimSpace(m); m != "" {
			offFor = append(offFor, m)
		}
	}
	err := microsoft.UpdateTenant(a.m.World, tenant, func(t *microsoft.Tenant) {
		t.UserConsentDisabled, t.Exchange.SMTPAuthDisabled, t.SecurityDefaults = consent, smtpOff, defaults
		if setFor {
			t.Exchange.SMTPAuthDisabledFor = offFor
		}
	})
	if err != nil {
		refuse(w, err)
		return
	}
	t, _ = microsoft.TenantOf(a.m.World, world.Realm{Provider: microsoft.Name, Tenant: tenant})
	a.done(w, microsoft.Name, "tenant", tenant, map[string]any{"user_consent_disabled": t.UserConsentDisabled,
		"security_defaults":  t.SecurityDefaults,
		"smtp_auth_disabled": t.Exchange.SMTPAuthDisabled, "smtp_auth_disabled_for": world.Strings(t.Exchange.SMTPAuthDisabledFor)})
}

// servicePrincipal is POST and DELETE
// /api/providers/microsoft/service-principals (tenant, app_id, object_id):
// Exchange Online's New-ServicePrincipal and Remove-ServicePrincipal (EX-02,
// F-02).
func (a *admin) servicePrincipal(add bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !form(w, r, "tenant", "app_id") {
			return
		}
		sp := microsoft.ServicePrincipal{AppID: r.Form.Get("app_id"), ObjectID: r.Form.Get("object_id")}
		if add && sp.ObjectID == "" {
			writeJSON(w, http.StatusBadRequest, apiError{"object_id required: the enterprise application's object id"})
			return
		}
		a.updateTenant(w, r, "service-principal", func(t *microsoft.Tenant) {
			t.Exchange.ServicePrincipals = slices.DeleteFunc(t.Exchange.ServicePrincipals,
				func(x microsoft.ServicePrincipal) bool { return strings.EqualFold(x.AppID, sp.AppID) })
			if add {
				t.Exchange.ServicePrincipals = append(t.Exchange.ServicePrincipals, sp)
			}
		})
	}
}

// mailboxPermission is POST and DELETE
// /api/providers/microsoft/mailbox-permissions (tenant, mailbox, user: a
// service principal's object id or a user's address): Exchange Online's
// Add-MailboxPermission and Remove-MailboxPermission (EX-01, F-02).
func (a *admin) mailboxPermission(add bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !form(w, r, "tenant", "mailbox", "user") {
			return
		}
		p := microsoft.MailboxPermission{Mailbox: r.Form.Get("mailbox"), User: r.Form.Get("user")}
		a.updateTenant(w, r, "mailbox-permission", func(t *microsoft.Tenant) {
			t.Exchange.MailboxPermissions = slices.DeleteFunc(t.Exchange.MailboxPermissions, func(x microsoft.MailboxPermission) bool {
				return strings.EqualFold(x.Mailbox, p.Mailbox) && strings.EqualFold(x.User, p.User)
			})
			if add {
				t.Exchange.MailboxPermissions = append(t.Exchange.MailboxPermissions, p)
			}
		})
	}
}

// updateTenant applies change to the request's tenant and answers its
// Exchange settings.
func (a *admin) updateTenant(w http.ResponseWriter, r *http.Request, action string, change func(*microsoft.Tenant)) {
	tenant := r.Form.Get("tenant")
	realm := world.Realm{Provider: microsoft.Name, Tenant: tenant}
	if _, ok := microsoft.TenantOf(a.m.World, realm); !ok {
		writeJSON(w, http.StatusNotFound, apiError{"no such tenant: " + tenant})
		return
	}
	if err := microsoft.UpdateTenant(a.m.World, tenant, change); err != nil {
		refuse(w, err)
		return
	}
	t, _ := microsoft.TenantOf(a.m.World, realm)
	verb := map[bool]string{true: "add-", false: "remove-"}[r.Method == http.MethodPost]
	a.done(w, microsoft.Name, verb+action, tenant, mocks.Schemas()[microsoft.Name].(world.EncodingSchema).EncodeRealm(t)["exchange"])
}

// recipientPermission is POST and DELETE
// /api/providers/microsoft/recipient-permissions (tenant, mailbox,
// trustee: a user's address or a service principal's object id): Exchange
// Online's Add-RecipientPermission -AccessRights SendAs and
// Remove-RecipientPermission (EX-12, F-23).
func (a *admin) recipientPermission(add bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !form(w, r, "tenant", "mailbox", "trustee") {
			return
		}
		p := microsoft.RecipientPermission{Mailbox: r.Form.Get("mailbox"), Trustee: r.Form.Get("trustee")}
		a.updateTenant(w, r, "recipient-permission", func(t *microsoft.Tenant) {
			t.Exchange.SendAs = slices.DeleteFunc(t.Exchange.SendAs, func(x microsoft.RecipientPermission) bool {
				return strings.EqualFold(x.Mailbox, p.Mailbox) && strings.EqualFold(x.Trustee, p.Trustee)
			})
			if add {
				t.Exchange.SendAs = append(t.Exchange.SendAs, p)
			}
		})
	}
}

// casMailbox is POST /api/providers/microsoft/cas-mailboxes (tenant,
// mailbox, [imap_enabled], [pop_enabled]): Exchange Online's
// Set-CASMailbox -ImapEnabled / -PopEnabled (EX-08).
func (a *admin) casMailbox(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "tenant", "mailbox") {
		return
	}
	mailbox := r.Form.Get("mailbox")
	t, ok := microsoft.TenantOf(a.m.World, world.Realm{Provider: microsoft.Name, Tenant: r.Form.Get("tenant")})
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{"no such tenant: " + r.Form.Get("tenant")})
		return
	}
	has := func(list []string) bool {
		return slices.ContainsFunc(list, func(m string) bool { return strings.EqualFold(m, mailbox) })
	}
	imap, pop := !has(t.Exchange.IMAPDisabledFor), !has(t.Exchange.POPDisabledFor)
	if err := errors.Join(boolParam(r, "imap_enabled", &imap), boolParam(r, "pop_enabled", &pop)); err != nil {
		refuse(w, err)
		return
	}
	set := func(list []string, enabled bool) []string {
		list = slices.DeleteFunc(list, func(m string) bool { return strings.EqualFold(m, mailbox) })
		if !enabled {
			list = append(list, mailbox)
		}
		return list
	}
	a.updateTenant(w, r, "cas-mailbox", func(t *microsoft.Tenant) {
		t.Exchange.IMAPDisabledFor = set(t.Exchange.IMAPDisabledFor, imap)
		t.Exchange.POPDisabledFor = set(t.Exchange.POPDisabledFor, pop)
	})
}
