package microsoft

import (
	"fmt"

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
			if _, ok := w.FindClient(provider, sp.AppID); !ok {
				out = append(out, fmt.Sprintf("%s: exchange: service principal app_id %s is no app registration of the world: no token of it will be accepted", realm, sp.AppID))
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
