package world

import (
	"slices"

	"github.com/mailoauth/mailoauth/mocks/mailstore"
)

// An EncodingSchema also writes a provider's registrations back in its
// world-file shape (Export): each client as its keys, and each realm's
// settings as the keys beside clients and users.
type EncodingSchema interface {
	Schema
	EncodeClient(c Client) map[string]any
	EncodeRealm(settings any) map[string]any
}

// Export returns the world as a world file's content, providers through
// their schemas (each must be an EncodingSchema), ready for YAML or JSON:
// Load reads it back to the same world. Passwords are left out unless
// asked for.
func (w *World) Export(schemas Schemas, passwords bool) map[string]any {
	providers := map[string]any{}
	for name, schema := range schemas {
		enc, ok := schema.(EncodingSchema)
		if !ok {
			continue
		}
		var root map[string]any
		tenants := map[string]any{}
		for _, realm := range w.Realms(name) {
			part := w.exportRealm(enc, realm, passwords)
			if realm.Tenant == "" {
				root = part
			} else {
				tenants[realm.Tenant] = part
			}
		}
		if root == nil {
			root = map[string]any{}
		}
		if len(tenants) > 0 {
			root["tenants"] = tenants
		}
		providers[name] = root
	}
	out := map[string]any{"providers": providers}
	if as := w.ApproveAs(); len(as) > 0 {
		out["approve_as"] = as
	}
	if l := w.MailLimits(); l != mailstore.DefaultLimits {
		out["mail_limits"] = map[string]any{"mailbox_bytes": l.Mailbox, "store_bytes": l.Store}
	}
	return out
}

func (w *World) exportRealm(enc EncodingSchema, realm Realm, passwords bool) map[string]any {
	part := map[string]any{}
	if settings := w.RealmSettings(realm); settings != nil {
		for k, v := range enc.EncodeRealm(settings) {
			part[k] = v
		}
	}
	clients := []map[string]any{}
	for _, c := range w.Clients(realm) {
		m := enc.EncodeClient(c)
		if c.Purpose != "" {
			m["purpose"] = c.Purpose
		}
		clients = append(clients, m)
	}
	users := []map[string]any{}
	for _, a := range w.Accounts(realm) {
		u := map[string]any{"email": a.Email, "name": a.Name}
		if a.ID != "" {
			u["id"] = a.ID
		}
		if passwords {
			u["password"] = a.Password
		}
		users = append(users, u)
	}
	part["clients"], part["users"] = clients, users
	return part
}

// EncodeSecrets writes a client's secrets the shortest way the world file
// allows: "secret" for one plain secret, else "secrets".
func EncodeSecrets(c Client, into map[string]any) {
	all := c.AllSecrets()
	switch {
	case len(all) == 1 && all[0].ID == "" && all[0].Expires.IsZero():
		into["secret"] = all[0].Value
	case len(all) > 0:
		into["secrets"] = EncodeSecretList(c)
	}
}

// EncodeSecretList writes every secret of a client as the world file's
// "secrets": value, and id and expiry when it has them.
func EncodeSecretList(c Client) []map[string]any {
	secrets := []map[string]any{}
	for _, s := range c.AllSecrets() {
		m := map[string]any{"value": s.Value}
		if s.ID != "" {
			m["id"] = s.ID
		}
		if !s.Expires.IsZero() {
			m["expires"] = s.Expires.UTC()
		}
		secrets = append(secrets, m)
	}
	return secrets
}

// Strings returns s for an export: a copy, and [] rather than null.
func Strings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
