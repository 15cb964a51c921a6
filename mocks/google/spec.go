package google

import (
	_ "embed"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/world"
)

//go:embed seed.yaml
var seed []byte

// Spec is Google in the provider registry.
func Spec() registry.Provider {
	return registry.Provider{
		Name:   Name,
		Schema: Schema(),
		Seed:   seed,
		New: func(w *world.World, o registry.Options) registry.Instance {
			return New(w, Options{AutoApprove: o.AutoApprove})
		},
		Endpoint: func(base, _ string) oauth2.Endpoint {
			return oauth2.Endpoint{AuthURL: base + AuthPath, TokenURL: base + TokenPath,
				DeviceAuthURL: base + DeviceCodePath, AuthStyle: oauth2.AuthStyleInParams}
		},
		// G-02: a refresh token needs access_type=offline.
		AuthParams: []oauth2.AuthCodeOption{oauth2.AccessTypeOffline},
		Mail:       Personality,
		Ports: map[string]int{"https": 7781, "smtp": 7587, "smtps": 7465, "imaps": 7993, "imap": 7143,
			"pop3s": 7995, "pop3": 7110},
		Describe: func(_ *world.World, in registry.Instance, base string) registry.Section {
			return registry.Section{
				BaseURL:                     base,
				Issuer:                      in.AuthServer().Issuer(""),
				DiscoveryURL:                base + DiscoveryPath,
				AuthorizationEndpoint:       base + AuthPath,
				TokenEndpoint:               base + TokenPath,
				DeviceAuthorizationEndpoint: base + DeviceCodePath,
				RevocationEndpoint:          base + RevokePath,
				UserinfoEndpoint:            base + UserinfoPath,
			}
		},
	}
}
