package serve

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// maxWorldFile bounds a world file sent to PUT /api/world.
const maxWorldFile = 4 << 20

// routeWorld adds the admin API's world actions: what a provider's console
// and a user's account page change, at run time (DESIGN.md's "per-object
// actions"). Each answers the changed object, and goes into the audit log.
func (a *admin) routeWorld(r *mux.Router) {
	r.HandleFunc("/api/world", a.getWorld).Methods(http.MethodGet)
	r.HandleFunc("/api/world", a.putWorld).Methods(http.MethodPut)
	r.HandleFunc("/api/users", a.addUser).Methods(http.MethodPost)
	r.HandleFunc("/api/users", a.removeUser).Methods(http.MethodDelete)
	r.HandleFunc("/api/clients", a.addClient).Methods(http.MethodPost)
	r.HandleFunc("/api/clients", a.removeClient).Methods(http.MethodDelete)
	r.HandleFunc("/api/clients/secrets", a.addSecret).Methods(http.MethodPost)
	r.HandleFunc("/api/clients/secrets/expire", a.expireSecrets).Methods(http.MethodPost)
	r.HandleFunc("/api/clients/secrets", a.removeSecret).Methods(http.MethodDelete)
	r.HandleFunc("/api/providers/google/testing", a.googleTesting).Methods(http.MethodPost)
	r.HandleFunc("/api/providers/microsoft/apps", a.microsoftApp).Methods(http.MethodPost)
	r.HandleFunc("/api/providers/microsoft/tenants", a.microsoftTenant).Methods(http.MethodPost)
	r.HandleFunc("/api/providers/microsoft/service-principals", a.servicePrincipal(true)).Methods(http.MethodPost)
	r.HandleFunc("/api/providers/microsoft/service-principals", a.servicePrincipal(false)).Methods(http.MethodDelete)
	r.HandleFunc("/api/providers/microsoft/mailbox-permissions", a.mailboxPermission(true)).Methods(http.MethodPost)
	r.HandleFunc("/api/providers/microsoft/mailbox-permissions", a.mailboxPermission(false)).Methods(http.MethodDelete)
}

// form parses a request's form (query and body) within the admin API's
// bounds, answering 400 itself when it cannot.
func form(w http.ResponseWriter, r *http.Request, required ...string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
		return false
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodDelete && mt == "application/x-www-form-urlencoded" {
		// net/http reads no body of a DELETE; curl -X DELETE -d sends one.
		raw, err := io.ReadAll(r.Body)
		body, perr := url.ParseQuery(string(raw))
		if err != nil || perr != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
			return false
		}
		for k, v := range body {
			r.Form[k] = append(r.Form[k], v...)
		}
	}
	var missing []string
	for _, k := range required {
		if r.Form.Get(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		writeJSON(w, http.StatusBadRequest, apiError{strings.Join(missing, ", ") + " required"})
		return false
	}
	return true
}

// done records an admin action and answers it.
func (a *admin) done(w http.ResponseWriter, provider, action, detail string, v any) {
	a.m.World.Record(world.Event{Provider: provider, Protocol: "admin", Mechanism: action, Outcome: "ok", Reason: detail})
	writeJSON(w, http.StatusOK, v)
}

// refuse answers a refused action with 400.
func refuse(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
}

// notFound answers an action on something that does not exist with 404.
func notFound(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusNotFound, apiError{err.Error()})
}

// getWorld is GET /api/world: the running world as a world file, JSON
// (default) or YAML (?format=yaml, or Accept: application/yaml); passwords
// only with ?passwords=true.
func (a *admin) getWorld(w http.ResponseWriter, r *http.Request) {
	passwords, _ := strconv.ParseBool(r.URL.Query().Get("passwords"))
	export := a.m.World.Export(mocks.Schemas(), passwords)
	if r.URL.Query().Get("format") == "yaml" || strings.Contains(r.Header.Get("Accept"), "yaml") {
		out, err := yaml.Marshal(export)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(out)
		return
	}
	writeJSON(w, http.StatusOK, export)
}

// putWorld is PUT /api/world: a whole world file (YAML or JSON) replaces
// the running world, which starts afresh (mocks.Server.LoadWorldFile).
func (a *admin) putWorld(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWorldFile))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{fmt.Sprintf("a world file is at most %d bytes", maxWorldFile)})
		return
	}
	if err := a.m.LoadWorldFile(body); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	a.done(w, "world", "load", "", map[string]string{"status": "loaded"})
}

// realmOf is the realm a request names: its provider, and for Microsoft
// its tenant (the first one when none is named).
func (a *admin) realmOf(r *http.Request) (world.Realm, error) {
	provider := r.Form.Get("provider")
	if a.m.Provider(provider) == nil {
		return world.Realm{}, fmt.Errorf("no such provider: %q", provider)
	}
	realms := a.m.World.Realms(provider)
	tenant := r.Form.Get("tenant")
	for _, realm := range realms {
		if realm.Tenant == tenant || (tenant == "" && provider == microsoft.Name && realm.Tenant != "") {
			return realm, nil
		}
	}
	if tenant != "" {
		return world.Realm{}, fmt.Errorf("%s has no tenant %q", provider, tenant)
	}
	return world.Realm{Provider: provider}, nil
}

// addUser is POST /api/users (provider, [tenant], email, name, password):
// a new account, or new details for an existing one.
func (a *admin) addUser(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "email", "password") {
		return
	}
	realm, err := a.realmOf(r)
	if err != nil {
		notFound(w, err)
		return
	}
	acct := world.Account{Email: r.Form.Get("email"), Name: r.Form.Get("name"), ID: r.Form.Get("id"), Password: r.Form.Get("password")}
	if err := a.m.World.AddAccount(realm, acct); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, realm.Provider, "add-user", acct.Email, map[string]string{"email": acct.Email, "name": acct.Name, "realm": realm.String()})
}

// removeUser is DELETE /api/users (provider, email): the account and
// everything it granted end.
func (a *admin) removeUser(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "email") {
		return
	}
	if err := a.m.RemoveUser(r.Form.Get("provider"), r.Form.Get("email")); err != nil {
		notFound(w, err)
		return
	}
	a.done(w, r.Form.Get("provider"), "remove-user", r.Form.Get("email"), map[string]string{"status": "removed"})
}

// addClient is POST /api/clients?provider=P[&tenant=T]: the body is one
// client in the provider's world-file shape (YAML or JSON), registered
// (or replacing the one of its id).
func (a *admin) addClient(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{"a client is at most 64 KB"})
		return
	}
	r.Form = r.URL.Query()
	realm, err := a.realmOf(r)
	if err != nil {
		notFound(w, err)
		return
	}
	var node yaml.Node
	if err := yaml.Unmarshal(body, &node); err != nil || len(node.Content) == 0 {
		writeJSON(w, http.StatusBadRequest, apiError{"the body is one client as YAML or JSON, in the world file's keys"})
		return
	}
	c, err := mocks.Schemas()[realm.Provider].DecodeClient(node.Content[0])
	if err == nil {
		err = a.m.World.AddClient(realm, c)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	c, _ = a.m.World.Client(realm, c.ID)
	a.done(w, realm.Provider, "add-client", c.ID, clientView(c))
}

// removeClient is DELETE /api/clients (provider, client_id): the
// registration and every code and token issued to it end.
func (a *admin) removeClient(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id") {
		return
	}
	if err := a.m.RemoveClient(r.Form.Get("provider"), r.Form.Get("client_id")); err != nil {
		notFound(w, err)
		return
	}
	a.done(w, r.Form.Get("provider"), "remove-client", r.Form.Get("client_id"), map[string]string{"status": "removed"})
}

// client finds the client a request names (provider, client_id).
func (a *admin) client(w http.ResponseWriter, r *http.Request) (world.Client, bool) {
	c, ok := a.m.World.FindClient(r.Form.Get("provider"), r.Form.Get("client_id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{"no such client: " + r.Form.Get("provider") + " " + r.Form.Get("client_id")})
	}
	return c, ok
}

// addSecret is POST /api/clients/secrets (provider, client_id, [value],
// [id], [expires] RFC 3339): a new secret beside the others (a rotation);
// without a value, one is made.
func (a *admin) addSecret(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id") {
		return
	}
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	s := world.Secret{ID: r.Form.Get("id"), Value: r.Form.Get("value")}
	if s.Value == "" {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		s.Value = base64.RawURLEncoding.EncodeToString(b)
	}
	if e := r.Form.Get("expires"); e != "" {
		t, err := time.Parse(time.RFC3339, e)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"expires must be an RFC 3339 instant"})
			return
		}
		s.Expires = t
	}
	if err := a.m.World.AddSecret(c.Realm, c.ID, s); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, c.Realm.Provider, "add-secret", c.ID, s)
}

// expireSecrets is POST /api/clients/secrets/expire (provider, client_id,
// [secret]: its id or value; none: all): the secret stops working now.
func (a *admin) expireSecrets(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id") {
		return
	}
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	n, err := a.m.World.ExpireSecrets(c.Realm, c.ID, r.Form.Get("secret"))
	if err != nil {
		refuse(w, err)
		return
	}
	a.done(w, c.Realm.Provider, "expire-secret", c.ID, map[string]int{"expired": n})
}

// removeSecret is DELETE /api/clients/secrets (provider, client_id,
// secret: its id or value).
func (a *admin) removeSecret(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id", "secret") {
		return
	}
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	if err := a.m.World.RemoveSecret(c.Realm, c.ID, r.Form.Get("secret")); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, c.Realm.Provider, "remove-secret", c.ID, map[string]string{"status": "removed"})
}

// boolParam reads an optional boolean parameter into *to.
func boolParam(r *http.Request, name string, to *bool) error {
	v := r.Form.Get(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%s must be true or false", name)
	}
	*to = b
	return nil
}

// googleTesting is POST /api/providers/google/testing (client_id,
// testing): the client's consent screen in Testing or in production (G-08).
func (a *admin) googleTesting(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "client_id", "testing") {
		return
	}
	var testing bool
	if err := boolParam(r, "testing", &testing); err != nil {
		refuse(w, err)
		return
	}
	if err := google.SetTesting(a.m.World, r.Form.Get("client_id"), testing); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, google.Name, "testing", r.Form.Get("client_id")+"="+strconv.FormatBool(testing), map[string]bool{"testing": testing})
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
// [user_consent_disabled], [smtp_auth_disabled], [smtp_auth_disabled_for]:
// a comma-separated list of mailboxes, "" for none): the tenant's and
// Exchange's settings (F-04, F-10).
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
	consent, smtpOff := t.UserConsentDisabled, t.Exchange.SMTPAuthDisabled
	if err := errors.Join(boolParam(r, "user_consent_disabled", &consent), boolParam(r, "smtp_auth_disabled", &smtpOff)); err != nil {
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
		t.UserConsentDisabled, t.Exchange.SMTPAuthDisabled = consent, smtpOff
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
