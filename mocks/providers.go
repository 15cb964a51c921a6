package mocks

import (
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/trackdechets"
)

// The built-in providers, in the report's column order. This is the one
// place that names them; everything else iterates the registry.
func init() {
	registry.Register(google.Spec(), microsoft.Spec(), trackdechets.Spec())
}

// Providers are the built-in providers of a world, each nil when it was
// not started (Server.Provider finds any registered provider by name).
type Providers struct {
	// Google is the fake Google (OAuth 2.0 and Gmail's mail servers).
	Google *Provider
	// Microsoft is the fake Microsoft (Entra ID and Exchange Online).
	Microsoft *Provider
	// Trackdechets is the fake Trackdéchets (its OAuth server and GraphQL
	// API; it has no mail servers).
	Trackdechets *Provider
}

func (p *Providers) set(s *Server) {
	p.Google, p.Microsoft, p.Trackdechets = s.providers[google.Name], s.providers[microsoft.Name], s.providers[trackdechets.Name]
}
