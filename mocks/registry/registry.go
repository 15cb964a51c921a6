// Package registry is the list of the fake world's providers. Each
// provider is one Provider value (its name, world schema, HTTP side,
// endpoints, mail servers and manifest section); mocks, serve, the
// scenario steps and the reports iterate the list instead of naming
// providers, so adding one is adding a value here (see
// docs/architecture.md, "Adding a provider").
package registry

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Provider is everything the rest of mailoauth knows of one provider.
type Provider struct {
	// Name is the provider's key: in world files, scenario tags
	// (@google), fault targets (google.token), listener names
	// (google.https) and the manifest.
	Name string
	// Schema reads and writes the provider's part of a world file.
	Schema world.Schema
	// Seed is the provider's part of the default world: YAML of the
	// shape of providers.NAME in a world file.
	Seed []byte
	// New builds the provider's HTTP side over the world.
	New func(w *world.World, o Options) Instance
	// Endpoint is where an x/oauth2 client finds the provider served at
	// baseURL, for a realm (a Microsoft tenant segment; "" for the
	// provider's default).
	Endpoint func(baseURL, realm string) oauth2.Endpoint
	// AuthParams are what an application adds to its authorization
	// request to get a refresh token (Google's access_type=offline, G-02).
	AuthParams []oauth2.AuthCodeOption
	// OfflineScopes are the scopes an application adds to get a refresh
	// token (Microsoft's offline_access, M-03); AuthParams are the
	// parameters it adds for that.
	OfflineScopes []string
	// AppScope is the scope of a client-credentials token for mail
	// (Microsoft's https://outlook.office365.com/.default); "" when the
	// provider has no such grant for mail.
	AppScope string
	// Mail is the personality of the provider's SMTP, IMAP and POP3
	// servers, whose rule is the Instance's CheckMail; nil: no mail
	// servers.
	Mail func() mailauth.Personality
	// Ports are `mailoauth serve --ports default`'s fixed ports, by
	// listener ("https", "smtp", "smtps", "imap", "imaps", "pop3", "pop3s").
	Ports map[string]int
	// Describe is the provider's endpoints in the manifest; the mail
	// listeners, clients and users are added by serve.
	Describe func(w *world.World, in Instance, baseURL string) Section
	// Mailboxes are the mailboxes an application token of client c may
	// open (Exchange's service principal and mailbox permissions, EX-02);
	// nil: the provider has no such tokens.
	Mailboxes func(w *world.World, c world.Client) []string
}

// Options tune a provider's HTTP side.
type Options struct {
	// AutoApprove approves an authorization request without pages, as the
	// user its login_hint names or the world's approve-as user.
	AutoApprove bool
}

// Instance is a provider built over a world.
type Instance interface {
	// Handler serves the provider's HTTPS endpoints.
	Handler() http.Handler
	// SetBaseURL tells the provider where it is served.
	SetBaseURL(url string)
	// AuthServer is the provider's authorization server.
	AuthServer() *authserver.Server
}

// Section is a provider's part of serve's manifest (DESIGN.md,
// "mailoauth serve").
type Section struct {
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

// Tenant is a realm with a directory (a Microsoft tenant): its key in the
// world file, id, verified domains and authority; any of the three names
// it in a path.
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

// Client is an OAuth client of the world as the manifest shows it: its
// credentials, and what it is for.
type Client struct {
	Name         string   `json:"name"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	Type         string   `json:"type"`
	// Tenant is the realm it is registered in (a Microsoft tenant's key
	// in the world file); absent for a provider without tenants.
	Tenant string `json:"tenant,omitempty"`
	// Flows are the flows it can go through: "authorization_code",
	// "device_code", "client_credentials".
	Flows []string `json:"flows"`
	// Public is a client that may authenticate with its id alone;
	// otherwise it is confidential.
	Public bool `json:"public"`
	// Purpose says what it is for, in a sentence.
	Purpose string `json:"purpose"`
	// Permissions are its configured API permissions and AdminConsent
	// whether the tenant's administrator granted them (Microsoft); absent
	// where the provider has no such thing.
	Permissions  *Permissions `json:"permissions,omitempty"`
	AdminConsent *bool        `json:"admin_consent,omitempty"`
	// Mailboxes are the mailboxes its application token may open
	// (Exchange's service principal and mailbox permissions, EX-02);
	// absent: none.
	Mailboxes []string `json:"mailboxes,omitempty"`
}

// Permissions are an app registration's API permissions, as full scopes:
// delegated (on behalf of a user) and application (app-only roles).
type Permissions struct {
	Delegated   []string `json:"delegated"`
	Application []string `json:"application"`
}

// User is an account of the world; the password is for the sign-in page.
type User struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
	// Tenant is the realm of the account; absent for a provider without
	// tenants.
	Tenant string `json:"tenant,omitempty"`
}

var (
	mu   sync.RWMutex
	list []Provider
)

// Register adds providers to the list, after those already there (the
// report's column order). A name registered twice, or a provider without
// a name, schema, constructor or endpoint, panics: registration is a
// program's set-up, like database/sql's drivers.
func Register(ps ...Provider) {
	mu.Lock()
	defer mu.Unlock()
	for _, p := range ps {
		switch {
		case p.Name == "" || p.Schema == nil || p.New == nil || p.Endpoint == nil || p.Describe == nil:
			panic(fmt.Sprintf("registry: provider %q lacks a name, schema, constructor, endpoint or manifest section", p.Name))
		case slices.ContainsFunc(list, func(q Provider) bool { return q.Name == p.Name }):
			panic(fmt.Sprintf("registry: provider %q registered twice", p.Name))
		}
		list = append(list, p)
	}
}

// All returns the registered providers, in registration order.
func All() []Provider {
	mu.RLock()
	defer mu.RUnlock()
	return slices.Clone(list)
}

// Names returns the registered providers' names, in registration order.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, len(list))
	for i, p := range list {
		names[i] = p.Name
	}
	return names
}

// Lookup returns the provider of that name.
func Lookup(name string) (Provider, bool) {
	mu.RLock()
	defer mu.RUnlock()
	i := slices.IndexFunc(list, func(p Provider) bool { return p.Name == name })
	if i < 0 {
		return Provider{}, false
	}
	return list[i], true
}

// DefaultWorld is the world file made of every registered provider's
// Seed.
func DefaultWorld() []byte {
	mu.RLock()
	defer mu.RUnlock()
	var b strings.Builder
	b.WriteString("providers:\n")
	for _, p := range list {
		if len(p.Seed) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", p.Name)
		for _, line := range strings.SplitAfter(string(p.Seed), "\n") {
			if strings.TrimSpace(line) != "" {
				b.WriteString("    ")
			}
			b.WriteString(line)
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// Schemas returns the world-file schemas of every registered provider.
func Schemas() world.Schemas {
	mu.RLock()
	defer mu.RUnlock()
	s := world.Schemas{}
	for _, p := range list {
		s[p.Name] = p.Schema
	}
	return s
}
