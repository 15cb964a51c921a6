package serve

import (
	"net"
	"strconv"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/trackdechets"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Manifest is what `mailoauth serve` writes once every listener accepts:
// where everything is, and what the world holds (DESIGN.md, "mailoauth
// serve").
type Manifest struct {
	Schema   int    `json:"schema"`
	CAFile   string `json:"ca_file"`
	AdminURL string `json:"admin_url"`
	// ApproveAs are the users authorization requests without login_hint
	// are approved as (--approve-as); empty: such requests get the pages.
	ApproveAs []string `json:"approve_as"`
	// Clock is the world's time when the manifest was written (GET
	// /api/manifest: now).
	Clock     Clock               `json:"clock"`
	Providers map[string]Provider `json:"providers"`
}

// Clock is the world's time and how far it runs ahead of the real time.
type Clock struct {
	Now           string `json:"now"`
	OffsetSeconds int64  `json:"offset_seconds"`
}

func clockOf(w *world.World) Clock {
	return Clock{Now: w.Clock.Now().UTC().Format(time.RFC3339), OffsetSeconds: int64(w.Clock.Offset() / time.Second)}
}

// Provider is one provider's part of the manifest.
type Provider struct {
	BaseURL                     string `json:"base_url"`
	Issuer                      string `json:"issuer,omitempty"`
	DiscoveryURL                string `json:"discovery_url,omitempty"`
	AuthorizationEndpoint       string `json:"authorization_endpoint"`
	TokenEndpoint               string `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint,omitempty"`
	RevocationEndpoint          string `json:"revocation_endpoint,omitempty"`
	UserinfoEndpoint            string `json:"userinfo_endpoint,omitempty"`
	// APIEndpoint is Trackdéchets' GraphQL API, which its tokens open.
	APIEndpoint string `json:"api_endpoint,omitempty"`
	// TenantID and Authority (https://HOST/{tenant}) are Microsoft's, for
	// its first tenant, whose endpoints the others are; InstanceDiscovery
	// is the URL MSAL libraries may be pointed at.
	TenantID             string   `json:"tenant_id,omitempty"`
	Authority            string   `json:"authority,omitempty"`
	InstanceDiscovery    string   `json:"instance_discovery_url,omitempty"`
	JWKSURI              string   `json:"jwks_uri,omitempty"`
	AdminConsentEndpoint string   `json:"admin_consent_endpoint,omitempty"`
	Tenants              []Tenant `json:"tenants,omitempty"`
	// Mail is absent for a provider without mail servers (Trackdéchets).
	Mail    map[string]MailEndpoint `json:"mail,omitempty"`
	Clients []Client                `json:"clients"`
	Users   []User                  `json:"users"`
}

// Tenant is a Microsoft tenant: its key in the world file, id, verified
// domains and authority; any of the three names it in a path.
type Tenant struct {
	Name      string   `json:"name"`
	TenantID  string   `json:"tenant_id"`
	Domains   []string `json:"domains"`
	Authority string   `json:"authority"`
}

// MailEndpoint is a mail listener. Security is "starttls", "tls" or "none".
type MailEndpoint struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"`
}

// Client is an OAuth client of the world.
type Client struct {
	Name         string   `json:"name"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	Type         string   `json:"type"`
}

// User is an account of the world; the password is for the sign-in page.
type User struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

func mailEndpoint(addr, security string) MailEndpoint {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return MailEndpoint{Host: host, Port: n, Security: security}
}

func clientsOf(w *world.World, provider world.Realm) []Client {
	out := []Client{}
	for _, c := range w.Clients(provider) {
		out = append(out, clientView(c))
	}
	return out
}

// clientView is c as the manifest shows it: its first secret.
func clientView(c world.Client) Client {
	secret := ""
	if all := c.AllSecrets(); len(all) > 0 {
		secret = all[0].Value
	}
	return Client{Name: c.Name, ClientID: c.ID, ClientSecret: secret, RedirectURIs: world.Strings(c.RedirectURIs), Type: c.Type}
}

func usersOf(w *world.World, provider world.Realm) []User {
	out := []User{}
	for _, a := range w.Accounts(provider) {
		out = append(out, User{Email: a.Email, Name: a.Name, Password: a.Password})
	}
	return out
}

// manifest describes the running world m.
func manifest(m *mocks.Server, caFile, adminURL string) Manifest {
	g := m.Google
	man := Manifest{
		Schema:    1,
		CAFile:    caFile,
		AdminURL:  adminURL,
		ApproveAs: append([]string{}, m.World.ApproveAs()...),
		Clock:     clockOf(m.World),
		Providers: map[string]Provider{
			google.Name: {
				BaseURL:                     g.URL,
				Issuer:                      g.Issuer(""),
				DiscoveryURL:                g.URL + google.DiscoveryPath,
				AuthorizationEndpoint:       g.URL + google.AuthPath,
				TokenEndpoint:               g.URL + google.TokenPath,
				DeviceAuthorizationEndpoint: g.URL + google.DeviceCodePath,
				RevocationEndpoint:          g.URL + google.RevokePath,
				UserinfoEndpoint:            g.URL + google.UserinfoPath,
				Mail: map[string]MailEndpoint{
					"smtp":          mailEndpoint(g.Mail.SMTP, "starttls"),
					"smtps":         mailEndpoint(g.Mail.SMTPS, "tls"),
					"imap":          mailEndpoint(g.Mail.IMAPS, "tls"),
					"imap_starttls": mailEndpoint(g.Mail.IMAP, "starttls"),
					"pop3":          mailEndpoint(g.Mail.POP3S, "tls"),
					"pop3_starttls": mailEndpoint(g.Mail.POP3, "starttls"),
				},
				Clients: clientsOf(m.World, google.Realm),
				Users:   usersOf(m.World, google.Realm),
			},
		},
	}
	if ms := m.Microsoft; ms != nil {
		man.Providers[microsoft.Name] = microsoftManifest(m.World, ms)
	}
	if td := m.Trackdechets; td != nil {
		man.Providers[trackdechets.Name] = Provider{
			BaseURL:               td.URL,
			AuthorizationEndpoint: td.URL + trackdechets.DialogPath,
			TokenEndpoint:         td.URL + trackdechets.TokenPath,
			APIEndpoint:           td.URL + trackdechets.APIPath,
			Clients:               clientsOf(m.World, trackdechets.Realm),
			Users:                 usersOf(m.World, trackdechets.Realm),
		}
	}
	return man
}

// microsoftManifest is Microsoft's part: the first tenant's endpoints, every
// tenant's id, domains and authority, the mail listeners, and the app
// registrations and users of every tenant.
func microsoftManifest(w *world.World, ms *mocks.Provider) Provider {
	p := Provider{BaseURL: ms.URL, InstanceDiscovery: ms.URL + microsoft.InstancePath + "?api-version=1.1",
		Mail: map[string]MailEndpoint{
			"smtp":          mailEndpoint(ms.Mail.SMTP, "starttls"),
			"smtps":         mailEndpoint(ms.Mail.SMTPS, "tls"),
			"imap":          mailEndpoint(ms.Mail.IMAPS, "tls"),
			"imap_starttls": mailEndpoint(ms.Mail.IMAP, "starttls"),
			"pop3":          mailEndpoint(ms.Mail.POP3S, "tls"),
			"pop3_starttls": mailEndpoint(ms.Mail.POP3, "starttls"),
		}, Clients: []Client{}, Users: []User{}}
	for _, realm := range w.Realms(microsoft.Name) {
		p.Clients = append(p.Clients, clientsOf(w, realm)...)
		p.Users = append(p.Users, usersOf(w, realm)...)
		t, ok := microsoft.TenantOf(w, realm)
		if !ok {
			continue
		}
		domains := t.Domains
		if domains == nil {
			domains = []string{}
		}
		p.Tenants = append(p.Tenants, Tenant{Name: realm.Tenant, TenantID: t.ID, Domains: domains, Authority: ms.URL + "/" + t.ID})
		if p.TenantID != "" {
			continue
		}
		p.TenantID, p.Authority = t.ID, ms.URL+"/"+t.ID
		p.Issuer = ms.Issuer(realm.Tenant)
		p.DiscoveryURL = p.Authority + microsoft.DiscoveryPath
		p.JWKSURI = p.Authority + microsoft.KeysPath
		p.AdminConsentEndpoint = p.Authority + microsoft.AdminConsentV2Path
		e := ms.TenantEndpoint(t.ID)
		p.AuthorizationEndpoint, p.TokenEndpoint, p.DeviceAuthorizationEndpoint = e.AuthURL, e.TokenURL, e.DeviceAuthURL
	}
	return p
}
