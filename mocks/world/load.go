package world

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/mailstore"
	"gopkg.in/yaml.v3"
)

// File is the YAML form of a world: for each provider, its clients and
// users, and for a provider with tenants, the same per tenant.
//
//	providers:
//	  google:
//	    clients:
//	      - {name: web, id: 1234-web.apps.googleusercontent.com, secret: GOCSPX-x, type: web,
//	         redirect_uris: ["http://localhost:3017/"]}
//	    users:
//	      - {email: alice@gmail.test, name: Alice, password: alice-pw}
type File struct {
	// ApproveAs are the users authorization requests are approved as
	// without pages (World.SetApproveAs).
	ApproveAs []string `yaml:"approve_as"`
	// MailLimits bound the mail store (World.SetMailLimits); absent:
	// mailstore.DefaultLimits.
	MailLimits *MailLimitsFile         `yaml:"mail_limits"`
	Providers  map[string]ProviderFile `yaml:"providers"`
}

// MailLimitsFile is mail_limits in a world file: each address's quota and
// the store's size, in bytes.
type MailLimitsFile struct {
	MailboxBytes int64 `yaml:"mailbox_bytes"`
	StoreBytes   int64 `yaml:"store_bytes"`
}

// ProviderFile is one provider's part of a File (or one tenant's).
type ProviderFile struct {
	// Clients are decoded by the provider's Schema, which knows its keys.
	Clients []yaml.Node             `yaml:"clients"`
	Users   []Account               `yaml:"users"`
	Tenants map[string]ProviderFile `yaml:"tenants"`
	// Settings are the other keys of a tenant, for a RealmSchema.
	Settings map[string]yaml.Node `yaml:",inline"`
}

// A RealmSchema also reads the settings of each tenant: the keys of a
// tenant besides clients and users, from which it returns the value
// World.SetRealm keeps; and the provider's own settings, if it has any
// keys besides clients, users and tenants (tenant ""). A provider whose
// schema is not one has no such keys.
type RealmSchema interface {
	Schema
	DecodeRealm(tenant string, keys map[string]yaml.Node) (any, error)
}

// A Schema reads one provider's registrations from a world file: the
// common keys of a Client and the provider's own attributes, which it
// checks and keeps in Client.Settings. Unknown keys are errors.
type Schema interface {
	DecodeClient(n *yaml.Node) (Client, error)
}

// Schemas maps a provider's name to its Schema.
type Schemas map[string]Schema

// ClientFields are the keys a client has in a world file at every provider
// whose registrations are plain OAuth clients (Google, Trackdéchets), for
// a schema's DecodeClient to inline beside its own.
type ClientFields struct {
	Name         string   `yaml:"name"`
	ID           string   `yaml:"id"`
	Secret       string   `yaml:"secret"`
	Secrets      []Secret `yaml:"secrets"`
	RedirectURIs []string `yaml:"redirect_uris"`
}

// LoadFile reads a world from a YAML file.
func LoadFile(path string, schemas Schemas) (*World, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w, err := Load(f, schemas)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// MaxFileBytes bounds a world file: a longer one is refused, never read in
// part.
const MaxFileBytes = 4 << 20

// Load reads a world from YAML, each provider's clients through its
// schema. Unknown keys and unknown providers are errors, so a typo in a
// world file is reported instead of silently ignored; what a real console
// accepts but that cannot work is a warning (World.Warnings).
func Load(r io.Reader, schemas Schemas) (*World, error) {
	doc, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	if len(doc) > MaxFileBytes {
		return nil, fmt.Errorf("world: the world file is larger than %d bytes (4 MiB), the limit", MaxFileBytes)
	}
	var node yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(doc)).Decode(&node); err != nil && err != io.EOF {
		return nil, fmt.Errorf("world: %w", err)
	}
	return LoadNode(&node, schemas)
}

// LoadNode reads a world from a YAML document already parsed (Load's
// second half), so that a file holding a world among other keys (check's
// input) is read with each key's own line and column.
func LoadNode(node *yaml.Node, schemas Schemas) (*World, error) {
	var f File
	if err := DecodeStrict(node, &f); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	w := New()
	w.SetApproveAs(f.ApproveAs)
	if l := f.MailLimits; l != nil {
		if l.MailboxBytes <= 0 || l.StoreBytes <= 0 {
			return nil, fmt.Errorf("world: mail_limits: mailbox_bytes and store_bytes must both be positive")
		}
		w.SetMailLimits(mailstore.Limits{Mailbox: l.MailboxBytes, Store: l.StoreBytes})
	}
	names := make([]string, 0, len(f.Providers))
	for name := range f.Providers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, provider := range names {
		schema, ok := schemas[provider]
		if !ok {
			return nil, fmt.Errorf("world: unknown provider %q (known: %s)", provider, strings.Join(schemaNames(schemas), ", "))
		}
		if err := w.load(schema, Realm{Provider: provider}, f.Providers[provider]); err != nil {
			return nil, err
		}
	}
	w.check(schemas, names)
	return w, nil
}

func (w *World) load(schema Schema, realm Realm, p ProviderFile) error {
	if rs, ok := schema.(RealmSchema); ok && (realm.Tenant != "" || len(p.Settings) > 0) {
		settings, err := rs.DecodeRealm(realm.Tenant, p.Settings)
		if err != nil {
			return fmt.Errorf("world: %s: %w", realm, err)
		}
		w.SetRealm(realm, settings)
	} else if len(p.Settings) > 0 {
		for k := range p.Settings {
			return fmt.Errorf("world: %s: unknown key %q", realm, k)
		}
	}
	for i := range p.Clients {
		purpose, err := takePurpose(&p.Clients[i])
		if err != nil {
			return fmt.Errorf("world: %s client %d: %w", realm, i+1, err)
		}
		c, err := schema.DecodeClient(&p.Clients[i])
		if err != nil {
			return fmt.Errorf("world: %s client %d: %w", realm, i+1, err)
		}
		c.Purpose = purpose
		if err := w.AddClient(realm, c); err != nil {
			return err
		}
	}
	for _, a := range p.Users {
		if err := w.AddAccount(realm, a); err != nil {
			return err
		}
	}
	for tenant, t := range p.Tenants {
		if realm.Tenant != "" {
			return fmt.Errorf("world: %s: tenants do not nest", realm)
		}
		if err := w.load(schema, Realm{Provider: realm.Provider, Tenant: tenant}, t); err != nil {
			return err
		}
	}
	return nil
}

// takePurpose removes a client's purpose key, which every provider's
// clients have and no schema reads, and returns its value.
func takePurpose(n *yaml.Node) (string, error) {
	if n.Kind != yaml.MappingNode {
		return "", nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "purpose" {
			continue
		}
		v := n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("purpose is a string")
		}
		n.Content = append(n.Content[:i:i], n.Content[i+2:]...)
		return v.Value, nil
	}
	return "", nil
}

func schemaNames(s Schemas) []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
