package steps

import (
	"strings"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// exchangeSteps are what an Exchange Online administrator sets for the
// mail servers: SendAs (Add-RecipientPermission, EX-12) and the protocols
// of a mailbox (Set-CASMailbox, EX-08).
func (s *scenario) exchangeSteps() []stepDef {
	return []stepDef{
		{`^the tenant "([^"]*)" grants ` + email + ` SendAs on ` + email + `$`,
			"Add-RecipientPermission -Identity <mailbox> -Trustee <user> -AccessRights SendAs (EX-12)", s.grantSendAs},
		{`^the "([^"]*)" app has SendAs on ` + email + `$`,
			"Add-RecipientPermission for the app's service principal on that mailbox (EX-12)", s.appSendAs},
		{`^the tenant "([^"]*)" turns (IMAP|POP) off for ` + email + `$`,
			"Set-CASMailbox -ImapEnabled $false or -PopEnabled $false for that mailbox (EX-08)", s.casOff},
	}
}

func (s *scenario) grantSendAs(tenant, trustee, mailbox string) error {
	return s.updateTenant(tenant, func(t *microsoft.Tenant) {
		t.Exchange.SendAs = append(t.Exchange.SendAs, microsoft.RecipientPermission{Mailbox: mailbox, Trustee: trustee})
	})
}

// appSendAs gives the app's enterprise application (its service
// principal's object id) SendAs on mailbox.
func (s *scenario) appSendAs(name, mailbox string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	app, _ := reg.Settings.(microsoft.App)
	return microsoft.UpdateTenant(s.server.World, reg.Realm.Tenant, func(t *microsoft.Tenant) {
		t.Exchange.SendAs = append(t.Exchange.SendAs, microsoft.RecipientPermission{Mailbox: mailbox, Trustee: app.EnterpriseObjectID})
	})
}

func (s *scenario) casOff(tenant, protocol, mailbox string) error {
	return s.updateTenant(tenant, func(t *microsoft.Tenant) {
		if strings.EqualFold(protocol, "IMAP") {
			t.Exchange.IMAPDisabledFor = append(t.Exchange.IMAPDisabledFor, mailbox)
		} else {
			t.Exchange.POPDisabledFor = append(t.Exchange.POPDisabledFor, mailbox)
		}
	})
}
