package steps

import (
	"fmt"
	"time"

	"github.com/cucumber/godog"
	"github.com/mailoauth/mailoauth/mocks"
)

func (s *scenario) registerWorld(sc *godog.ScenarioContext) {
	sc.Step(`^(\d+) (second|seconds|minute|minutes|hour|hours|day|days|year|years) pass(?:es)?$`, s.timePasses)
	sc.Step(`^`+email+` changes their password$`, s.changesPassword)
	sc.Step(`^`+email+` removes the application's access in their account$`, s.removesAccess)
	sc.Step(`^the provider's "([a-z]+)" (?:endpoint|server) fails with "([a-z_]+)"(?: (once|twice|until cleared))?$`, s.fails)
	sc.Step(`^the faults are cleared$`, s.faultsCleared)
	sc.Step(`^the application's client secret expires$`, s.secretExpires)
	sc.Step(`^the application's registration is deleted$`, s.registrationDeleted)
	sc.Step(`^`+email+`'s account is deleted$`, s.accountDeleted)
}

// changesPassword is the user changing their password at the provider.
func (s *scenario) changesPassword(user string) error {
	for _, realm := range s.server.World.Realms(s.providerName) {
		if _, ok := s.server.World.Account(realm, user); ok {
			return s.server.World.ChangePassword(realm, user, "new-"+s.password(user))
		}
	}
	return fmt.Errorf("no %s user %s", s.providerName, user)
}

// removesAccess is the user removing the application from their
// account's list of applications with access, a world action.
func (s *scenario) removesAccess(user string) error {
	s.provider().RevokeAccess(user, s.app.reg.ID)
	return nil
}

// fails arms a fault at one of the scenario's provider's points: once by
// default, twice, or until cleared.
func (s *scenario) fails(point, kind, times string) error {
	count := map[string]int{"": 1, "once": 1, "twice": 2, "until cleared": 0}[times]
	target := s.providerName + "." + point
	if kind == mocks.FaultDelay {
		_, err := s.server.ArmDelay(target, 10*time.Millisecond, count)
		return err
	}
	_, err := s.server.ArmFault(target, kind, count)
	return err
}

func (s *scenario) faultsCleared() error {
	s.server.ClearFaults()
	return nil
}

// secretExpires is the application's client secret reaching its expiry
// date while the application runs (F-09).
func (s *scenario) secretExpires() error {
	_, err := s.server.World.ExpireSecrets(s.app.reg.Realm, s.app.reg.ID, "")
	return err
}

// registrationDeleted is the application's registration deleted in the
// provider's console: what was issued to it ends.
func (s *scenario) registrationDeleted() error {
	return s.server.RemoveClient(s.providerName, s.app.reg.ID)
}

// accountDeleted is the user's account deleted at the provider.
func (s *scenario) accountDeleted(user string) error {
	return s.server.RemoveUser(s.providerName, user)
}

// timePasses moves the world's clock. The application lives in the same
// world, so the expiry x/oauth2 computed for its token moves with it, and
// so do the timestamps of MSAL's token cache.
func (s *scenario) timePasses(n int, unit string) error {
	var d time.Duration
	switch unit {
	case "second", "seconds":
		d = time.Duration(n) * time.Second
	case "minute", "minutes":
		d = time.Duration(n) * time.Minute
	case "hour", "hours":
		d = time.Duration(n) * time.Hour
	case "day", "days":
		d = time.Duration(n) * 24 * time.Hour
	case "year", "years":
		d = time.Duration(n) * 365 * 24 * time.Hour
	default:
		return fmt.Errorf("unknown unit %q", unit)
	}
	s.server.World.Clock.Advance(d)
	if s.tokens.current != nil && !s.tokens.current.Expiry.IsZero() {
		s.tokens.current.Expiry = s.tokens.current.Expiry.Add(-d)
	}
	if s.msal.app != nil {
		s.msal.app.Age(d)
	}
	return nil
}
