package steps

import (
	"github.com/cucumber/godog"

	"github.com/mailoauth/mailoauth/mocks/google"
)

// registerGoogle holds what only Google's console sets.
func (s *scenario) registerGoogle(sc *godog.ScenarioContext) {
	sc.Step(`^the Google "([^"]*)" client's consent screen is in Testing$`, s.inTesting)
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
