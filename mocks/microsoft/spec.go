package microsoft

import (
	_ "embed"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// AppScope is the scope of an application's token for Exchange Online's
// mail servers (EX-02: client credentials ask for the resource's .default).
const AppScope = "https://outlook.office365.com/.default"

//go:embed seed.yaml
var seed []byte

// Spec is Microsoft (Entra ID and Exchange Online) in the provider
// registry.
func Spec() registry.Provider {
	return registry.Provider{
		Name:   Name,
		Schema: Schema(),
		Seed:   seed,
		New: func(w *world.World, o registry.Options) registry.Instance {
			return New(w, Options{AutoApprove: o.AutoApprove})
		},
		Endpoint: func(base, realm string) oauth2.Endpoint {
			if realm == "" {
				realm = Organizations
			}
			base += "/" + realm
			return oauth2.Endpoint{AuthURL: base + AuthorizePath, TokenURL: base + TokenPath,
				DeviceAuthURL: base + DeviceCodePath, AuthStyle: oauth2.AuthStyleInParams}
		},
		// M-03: a refresh token needs the offline_access scope, not a
		// parameter.
		OfflineScopes: []string{"offline_access"},
		AppScope:      AppScope,
		Mail:          Personality,
		Ports: map[string]int{"https": 7782, "smtp": 7588, "imaps": 7994, "imap": 7144,
			"pop3s": 7996, "pop3": 7111},
		Describe:  describe,
		Mailboxes: mailboxes,
	}
}

// describe is Microsoft's part of the manifest: the first
// organization's endpoints, and every tenant's id, domains and authority,
// the consumers tenant of personal accounts last.
func describe(w *world.World, in registry.Instance, base string) registry.Section {
	s := registry.Section{BaseURL: base, InstanceDiscovery: base + InstancePath + "?api-version=1.1"}
	realms := w.Realms(Name)
	slices.SortStableFunc(realms, func(a, b world.Realm) int {
		switch {
		case personalRealm(a) == personalRealm(b):
			return 0
		case personalRealm(a):
			return 1
		}
		return -1
	})
	for _, realm := range realms {
		t, ok := TenantOf(w, realm)
		if !ok {
			continue
		}
		domains := t.Domains
		if domains == nil {
			domains = []string{}
		}
		authority := base + "/" + t.ID
		s.Tenants = append(s.Tenants, registry.Tenant{Name: realm.Tenant, TenantID: t.ID, Domains: domains, Authority: authority})
		if s.TenantID != "" {
			continue
		}
		s.TenantID, s.Authority = t.ID, authority
		s.Issuer = in.AuthServer().Issuer(realm.Tenant)
		s.DiscoveryURL = authority + DiscoveryPath
		s.JWKSURI = authority + KeysPath
		s.AdminConsentEndpoint = authority + AdminConsentV2Path
		s.AuthorizationEndpoint = authority + AuthorizePath
		s.TokenEndpoint = authority + TokenPath
		s.DeviceAuthorizationEndpoint = authority + DeviceCodePath
	}
	return s
}

// mailboxes are the mailboxes an application token of c opens over
// IMAP and POP (EX-02): those whose FullAccess permission names the
// object id Exchange registered for c's app id as a service principal.
func mailboxes(w *world.World, c world.Client) []string {
	t, ok := TenantOf(w, c.Realm)
	if !ok {
		return nil
	}
	var out []string
	for _, sp := range t.Exchange.ServicePrincipals {
		if sp.AppID != c.ID {
			continue
		}
		for _, mp := range t.Exchange.MailboxPermissions {
			if strings.EqualFold(mp.User, sp.ObjectID) && !slices.Contains(out, mp.Mailbox) {
				out = append(out, mp.Mailbox)
			}
		}
	}
	return out
}
