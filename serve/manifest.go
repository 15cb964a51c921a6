package serve

import (
	"net"
	"strconv"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Manifest is what `mailoauth serve` writes once every listener accepts:
// where everything is, and what the world holds (DESIGN.md, "mailoauth
// serve").
type Manifest struct {
	Schema    int                 `json:"schema"`
	CAFile    string              `json:"ca_file"`
	AdminURL  string              `json:"admin_url"`
	Providers map[string]Provider `json:"providers"`
}

// Provider is one provider's part of the manifest.
type Provider struct {
	BaseURL                     string                  `json:"base_url"`
	Issuer                      string                  `json:"issuer"`
	DiscoveryURL                string                  `json:"discovery_url"`
	AuthorizationEndpoint       string                  `json:"authorization_endpoint"`
	TokenEndpoint               string                  `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string                  `json:"device_authorization_endpoint"`
	RevocationEndpoint          string                  `json:"revocation_endpoint"`
	UserinfoEndpoint            string                  `json:"userinfo_endpoint"`
	Mail                        map[string]MailEndpoint `json:"mail"`
	Clients                     []Client                `json:"clients"`
	Users                       []User                  `json:"users"`
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
		uris := c.RedirectURIs
		if uris == nil {
			uris = []string{}
		}
		out = append(out, Client{Name: c.Name, ClientID: c.ID, ClientSecret: c.Secret, RedirectURIs: uris, Type: string(c.Type)})
	}
	return out
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
	return Manifest{
		Schema:   1,
		CAFile:   caFile,
		AdminURL: adminURL,
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
				},
				Clients: clientsOf(m.World, google.Realm),
				Users:   usersOf(m.World, google.Realm),
			},
		},
	}
}
