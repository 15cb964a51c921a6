package trackdechets

import (
	_ "embed"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/world"
)

//go:embed seed.yaml
var seed []byte

// Spec is Trackdéchets in the provider registry: an OAuth server and a
// GraphQL API, no mail servers.
func Spec() registry.Provider {
	return registry.Provider{
		Name:   Name,
		Schema: Schema(),
		Seed:   seed,
		New: func(w *world.World, o registry.Options) registry.Instance {
			return New(w, Options{AutoApprove: o.AutoApprove})
		},
		// T-04: the documentation asks for HTTP Basic client authentication.
		Endpoint: func(base, _ string) oauth2.Endpoint {
			return oauth2.Endpoint{AuthURL: base + DialogPath, TokenURL: base + TokenPath, AuthStyle: oauth2.AuthStyleInHeader}
		},
		Ports: map[string]int{"https": 7783},
		Describe: func(_ *world.World, _ registry.Instance, base string) registry.Section {
			return registry.Section{BaseURL: base, AuthorizationEndpoint: base + DialogPath,
				TokenEndpoint: base + TokenPath, APIEndpoint: base + APIPath}
		},
	}
}
