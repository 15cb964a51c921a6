package trackdechets

import (
	"crypto/sha256"
	"math/big"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// Settings are the platform-wide settings of the fake Trackdéchets.
type Settings struct {
	// StrictClientAuth refuses client credentials sent in the token
	// request's body: only HTTP Basic, as the documentation says (F-18).
	// The real server accepts both.
	StrictClientAuth bool
}

// Application is a Trackdéchets OAuth application's own attributes
// (world.Client.Settings).
type Application struct {
	// Admin is the e-mail address of the account that created the
	// application ("Mes Applications"), shown to users who authorized it.
	Admin string
}

// Strict reports whether w refuses client credentials in the body.
func Strict(w *world.World) bool {
	s, _ := w.RealmSettings(Realm).(Settings)
	return s.StrictClientAuth
}

// SetStrict turns strict client authentication on or off.
func SetStrict(w *world.World, strict bool) {
	w.SetRealm(Realm, Settings{StrictClientAuth: strict})
}

// Schema reads Trackdéchets from a world file: its applications (name, id,
// secret, redirect_uris, admin), its users, and strict_client_auth.
func Schema() world.RealmSchema { return schema{} }

var _ world.EncodingSchema = schema{}

type schema struct{}

// DecodeClient implements world.Schema. Every Trackdéchets application is
// a confidential web application.
func (schema) DecodeClient(n *yaml.Node) (world.Client, error) {
	var f struct {
		world.ClientFields `yaml:",inline"`
		Admin              string `yaml:"admin"`
	}
	if err := world.DecodeStrict(n, &f); err != nil {
		return world.Client{}, err
	}
	return world.Client{Name: f.Name, ID: f.ID, Secret: f.Secret, Secrets: f.Secrets, Type: "web", RedirectURIs: f.RedirectURIs,
		Settings: Application{Admin: f.Admin}}, nil
}

// EncodeClient implements world.EncodingSchema.
func (schema) EncodeClient(c world.Client) map[string]any {
	m := map[string]any{"name": c.Name, "id": c.ID, "redirect_uris": world.Strings(c.RedirectURIs)}
	world.EncodeSecrets(c, m)
	if a, _ := c.Settings.(Application); a.Admin != "" {
		m["admin"] = a.Admin
	}
	return m
}

// EncodeRealm implements world.EncodingSchema.
func (schema) EncodeRealm(settings any) map[string]any {
	s, _ := settings.(Settings)
	return map[string]any{"strict_client_auth": s.StrictClientAuth}
}

// DecodeRealm implements world.RealmSchema: the platform's own settings.
func (schema) DecodeRealm(_ string, keys map[string]yaml.Node) (any, error) {
	var f struct {
		StrictClientAuth bool `yaml:"strict_client_auth"`
	}
	node := &yaml.Node{Kind: yaml.MappingNode}
	for k, v := range keys {
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &v)
	}
	if err := world.DecodeStrict(node, &f); err != nil {
		return nil, err
	}
	return Settings{StrictClientAuth: f.StrictClientAuth}, nil
}

// userID is the opaque id of an account, a cuid as Trackdéchets' are
// ("c" and 24 letters and digits), derived from the address.
func userID(acct world.Account) string {
	if acct.ID != "" {
		return acct.ID
	}
	sum := sha256.Sum256([]byte(strings.ToLower(acct.Email)))
	s := new(big.Int).SetBytes(sum[:16]).Text(36)
	return "c" + (strings.Repeat("0", 24) + s)[len(s):]
}
