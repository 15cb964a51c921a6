package steps

import (
	"fmt"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
)

// worldSteps change the world around the application: its clock, the
// user's account, the application's registration, the provider's faults.
func (s *scenario) worldSteps() []stepDef {
	return []stepDef{
		{`^(\d+) (second|seconds|minute|minutes|hour|hours|day|days|year|years) pass(?:es)?$`,
			"moves the world's clock, and the expiry of the tokens the application and MSAL hold", s.timePasses},
		{`^` + email + ` changes their password$`, "the user changes their password at the provider", s.changesPassword},
		{`^` + email + ` removes the application's access in their account$`,
			"the user removes the application from their account's applications with access", s.removesAccess},
		{`^the provider's "([a-z]+)" (?:endpoint|server) fails with "([a-z_]+)"(?: (once|twice|until cleared))?$`,
			"arms a fault of that kind at one of the provider's fault points, once unless said otherwise", s.fails},
		{`^the faults are cleared$`, "disarms every fault", s.faultsCleared},
		{`^the application's client secret expires$`, "the application's client secret reaches its expiry date (F-09)", s.secretExpires},
		{`^the application's registration is deleted$`, "the application's registration is deleted in the provider's console", s.registrationDeleted},
		{`^` + email + `'s account is deleted$`, "the user's account is deleted at the provider", s.accountDeleted},
	}
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
