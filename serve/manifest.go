package serve

import (
	"net"
	"strconv"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/registry"
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

// Provider is one provider's part of the manifest: its endpoints (the
// provider's registry.Provider.Describe), mail listeners, clients and users.
type Provider = registry.Section

// Tenant is a Microsoft tenant: its key in the world file, id, verified
// domains and authority; any of the three names it in a path.
type Tenant = registry.Tenant

// MailEndpoint is a mail listener. Security is "starttls", "tls" or "none".
type MailEndpoint = registry.MailEndpoint

// Client is an OAuth client of the world.
type Client = registry.Client

// User is an account of the world; the password is for the sign-in page.
type User = registry.User

func mailEndpoint(addr, security string) MailEndpoint {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return MailEndpoint{Host: host, Port: n, Security: security}
}

// clientsOf are the provider's clients, realm by realm, with what each
// is for: its tenant, flows, purpose, mailboxes (mocks.Provider.Clients),
// whether it is public, and what the provider's clientDetails add.
func clientsOf(w *world.World, p *mocks.Provider) []Client {
	out := []Client{}
	for _, c := range p.Clients() {
		reg, _ := w.Client(world.Realm{Provider: p.Name, Tenant: c.Tenant}, c.ID)
		v := clientView(reg)
		v.Tenant, v.Purpose, v.Mailboxes, v.Flows = c.Tenant, c.Purpose, c.Mailboxes, p.Flows(c)
		if details := clientDetails[p.Name]; details != nil {
			details(reg, &v)
		}
		out = append(out, v)
	}
	return out
}

// clientDetails add a provider's own facts to its clients in the
// manifest (Microsoft's permissions and admin consent), by provider, each
// declared in its own file.
var clientDetails = map[string]func(world.Client, *Client){}

// clientView is c as the manifest shows it: its first secret.
func clientView(c world.Client) Client {
	secret := ""
	if all := c.AllSecrets(); len(all) > 0 {
		secret = all[0].Value
	}
	return Client{Name: c.Name, ClientID: c.ID, ClientSecret: secret, RedirectURIs: world.Strings(c.RedirectURIs), Type: c.Type,
		Tenant: c.Realm.Tenant, Flows: []string{}, Public: c.Public || !c.HasSecret(), Purpose: c.Purpose}
}

// usersOf are the provider's accounts, realm by realm, with their tenant.
func usersOf(p *mocks.Provider) []User {
	out := []User{}
	for _, u := range p.Users() {
		out = append(out, User{Email: u.Email, Name: u.Name, Password: u.Password, Tenant: u.Tenant})
	}
	return out
}

// manifest describes the running world m.
func manifest(m *mocks.Server, caFile, adminURL string) Manifest {
	man := Manifest{
		Schema:    1,
		CAFile:    caFile,
		AdminURL:  adminURL,
		ApproveAs: append([]string{}, m.World.ApproveAs()...),
		Clock:     clockOf(m.World),
		Providers: map[string]Provider{},
	}
	for _, spec := range registry.All() {
		if p := m.Provider(spec.Name); p != nil {
			man.Providers[spec.Name] = section(m.World, spec, p)
		}
	}
	return man
}

// section is a running provider's part of the manifest: its endpoints, its
// mail listeners, and the clients and users of every realm.
func section(w *world.World, spec registry.Provider, p *mocks.Provider) Provider {
	sec := p.Describe()
	if spec.Mail != nil {
		sec.Mail = map[string]MailEndpoint{
			"smtp":          mailEndpoint(p.Mail.SMTP, "starttls"),
			"smtps":         mailEndpoint(p.Mail.SMTPS, "tls"),
			"imap":          mailEndpoint(p.Mail.IMAPS, "tls"),
			"imap_starttls": mailEndpoint(p.Mail.IMAP, "starttls"),
			"pop3":          mailEndpoint(p.Mail.POP3S, "tls"),
			"pop3_starttls": mailEndpoint(p.Mail.POP3, "starttls"),
		}
		if p.Mail.SMTPS == "" {
			delete(sec.Mail, "smtps") // no implicit-TLS submission (Exchange, EX-11)
		}
	}
	sec.Clients, sec.Users = clientsOf(w, p), usersOf(p)
	return sec
}
