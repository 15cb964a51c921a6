package authserver

import (
	"slices"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// Flows are the flows client c can go through, among the grants the
// profile allows it: "authorization_code" when it has a redirect URI,
// "device_code", and "client_credentials" when it holds a secret (a
// client with only its id cannot prove itself as an application).
func (s *Server) Flows(c world.Client) []string {
	var grants []string
	if s.profile.GrantTypes != nil {
		grants = s.profile.GrantTypes(c)
	}
	flows := []string{}
	if slices.Contains(grants, "authorization_code") && len(c.RedirectURIs) > 0 {
		flows = append(flows, "authorization_code")
	}
	if slices.Contains(grants, DeviceGrantType) {
		flows = append(flows, "device_code")
	}
	if slices.Contains(grants, "client_credentials") && c.HasSecret() {
		flows = append(flows, "client_credentials")
	}
	return flows
}
