package steps

import (
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Google's console: a desktop client registers nothing and its redirect
// listener uses 127.0.0.1 on any port (G-10).
func init() {
	consoles[google.Name] = console{loopback: func(reg world.Client) string {
		if reg.Type == google.Desktop {
			return "127.0.0.1"
		}
		return "localhost"
	}}
}

// googleSteps are what only Google's console sets.
func (s *scenario) googleSteps() []stepDef {
	return []stepDef{
		{`^the "([^"]*)" client's secret is changed to "([^"]*)" in the console$`,
			"a new client secret set in the console; the application is given it too", s.secretChanged},
		{`^the Google "([^"]*)" client's consent screen is in Testing$`,
			"the client's consent screen's publishing status is Testing (G-08)", s.inTesting},
	}
}

// inTesting sets the publishing status of the client's consent screen, as
// in Google's console (G-08).
func (s *scenario) inTesting(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	return google.SetTesting(s.server.World, reg.ID, true)
}

// secretChanged is a new client secret set in the console; the
// application is given it too.
func (s *scenario) secretChanged(name, secret string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	if err := s.server.World.UpdateClient(reg.Realm, reg.ID, func(c *world.Client) {
		c.Secret, c.Secrets = secret, nil
	}); err != nil {
		return err
	}
	if s.app.oauth != nil && s.app.reg.ID == reg.ID {
		s.app.oauth.Config.ClientSecret = secret
	}
	return nil
}
