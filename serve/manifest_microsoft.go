package serve

import (
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// An app registration's API permissions and admin consent, in the
// manifest.
func init() {
	clientDetails[microsoft.Name] = func(c world.Client, v *Client) {
		app, _ := c.Settings.(microsoft.App)
		consent := app.AdminConsent
		v.Permissions = &registry.Permissions{Delegated: world.Strings(app.Delegated), Application: world.Strings(app.Application)}
		v.AdminConsent = &consent
	}
}
