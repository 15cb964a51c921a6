package steps

import (
	"strings"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// exchangeErrorSteps are Entra's Security Defaults (F-27) and the raw
// lines no client library sends: a command line of a given length, for
// Exchange's IMAP command errors (EX-09).
func (s *scenario) exchangeErrorSteps() []stepDef {
	return []stepDef{
		{`^the tenant "([^"]*)" turns Security Defaults on$`,
			"Entra's Security Defaults for the tenant: legacy authentication blocked (EX-13, F-27)", s.securityDefaultsOn},
		{`^the application sends "([^"]*)" with "([^"]*)" repeated (\d+) times on that connection$`,
			"sends one raw line: the first text, then the second as many times as said (a long command line)", s.sendsRepeated},
	}
}

func (s *scenario) securityDefaultsOn(tenant string) error {
	return s.updateTenant(tenant, func(t *microsoft.Tenant) { t.SecurityDefaults = true })
}

// sendsRepeated sends head followed by n times part, on one line.
func (s *scenario) sendsRepeated(head, part string, n int) error {
	return s.sendsOnRaw(head + strings.Repeat(part, n))
}
