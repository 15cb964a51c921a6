package microsoft

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/world"
)

var _ world.Checker = schema{}

// Warnings implements world.Checker: what Exchange Online PowerShell
// accepts in a tenant but that no token can use. New-ServicePrincipal
// takes any GUID for -AppId, and Add-MailboxPermission here names a
// mailbox no account of the world has (the real one would find none,
// the file is likely a typo).
func (schema) Warnings(w *world.World, provider string) []string {
	var out []string
	for _, realm := range w.Realms(provider) {
		t, ok := TenantOf(w, realm)
		if !ok {
			continue
		}
		for _, sp := range t.Exchange.ServicePrincipals {
			reg, ok := w.FindClient(provider, sp.AppID)
			if !ok {
				out = append(out, fmt.Sprintf("%s: exchange: service principal app_id %s is no app registration of the world: no token of it will be accepted", realm, sp.AppID))
				continue
			}
			if app := appOf(reg); app.ObjectID != "" && strings.EqualFold(sp.ObjectID, app.ObjectID) && !strings.EqualFold(sp.ObjectID, app.EnterpriseObjectID) {
				out = append(out, fmt.Sprintf("%s: exchange: service principal of app_id %s has object_id %s, the app registration's own object id; Exchange needs the enterprise application's (%s) (F-02)",
					realm, sp.AppID, sp.ObjectID, firstNonEmpty(app.EnterpriseObjectID, "its object id under Enterprise applications")))
			}
		}
		for _, c := range w.Clients(realm) {
			out = append(out, secretWarnings(w, realm, c)...)
			for _, uri := range appOf(c).Web {
				if u, err := url.Parse(uri); err == nil && u.Scheme == "http" && !loopbackHost(u.Hostname()) {
					out = append(out, fmt.Sprintf("%s: app %q: web redirect URI %s: Entra accepts http only for localhost; use https (F-38)", realm, c.Name, uri))
				}
			}
		}
		for _, mp := range t.Exchange.MailboxPermissions {
			if _, ok := w.FindAccount(provider, mp.Mailbox); !ok {
				out = append(out, fmt.Sprintf("%s: exchange: mailbox permission on %s, which is no account of the world", realm, mp.Mailbox))
			}
		}
	}
	return out
}

// secretWarnings are a registration's secrets that expired (F-09) or
// expire within 30 days of the world's time.
func secretWarnings(w *world.World, realm world.Realm, c world.Client) []string {
	var out []string
	now := w.Clock.Now()
	for _, sec := range c.AllSecrets() {
		name := firstNonEmpty(sec.ID, "without an id")
		switch {
		case sec.Expires.IsZero():
		case !sec.Expires.After(now):
			out = append(out, fmt.Sprintf("%s: app %q: secret %s expired on %s: the token endpoint refuses it (F-09)", realm, c.Name, name, sec.Expires.UTC().Format(time.RFC3339)))
		case sec.Expires.Sub(now) < 30*24*time.Hour:
			out = append(out, fmt.Sprintf("%s: app %q: secret %s expires on %s, within 30 days (F-09)", realm, c.Name, name, sec.Expires.UTC().Format(time.RFC3339)))
		}
	}
	return out
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
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
