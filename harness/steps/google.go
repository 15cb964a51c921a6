package steps

import (
	"context"
	"net/url"
	"slices"
	"strings"

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
		{`^the Google "([^"]*)" client's consent screen is in Testing with the test users? "([^"]*)"$`,
			"the consent screen is in Testing and lists those test users, comma-separated (G-14)", s.inTestingWith},
		{`^` + email + ` has a Google Workspace account$`, "a Google account of the user's Workspace domain, password <local part>-password", s.workspaceAccount},
		{`^the Workspace admin of "([^"]*)" blocks the "([^"]*)" client(?: with the message "([^"]*)")?$`,
			"the domain's API controls block the client, with the admin's custom text (G-14, F-34)", s.blocksClient},
		{`^the application exchanges the code still URL-encoded$`,
			"the code as the browser's address bar shows it (4%2F...), exchanged without decoding (F-32)", s.exchangesEncoded},
		{`^the Google "([^"]*)" client is the OAuth 2\.0 Playground's own$`,
			"the client is the Playground's, which revokes its refresh tokens after 24 hours (G-17, F-36)", s.playground},
		{`^the application sends the client id "([^"]*)"$`, "x/oauth2 sends that client_id (with the registered client's secret) from now on", s.sendsClientID},
		{`^the application sends no client id$`, "x/oauth2 sends neither client_id nor client_secret from now on (F-35)", s.sendsNoClientID},
		{`^` + email + ` is (added to|removed from) the Google "([^"]*)" client's test users$`,
			"ADD USERS, or the bin beside one, under the consent screen's test users (G-14)", s.editsTestUsers},
		{`^the Workspace admin of "([^"]*)" trusts the "([^"]*)" client again$`,
			"the domain's API controls lift their block on the client (G-14)", s.unblocksClient},
		{`^the Google "([^"]*)" client is no longer the OAuth 2\.0 Playground's own$`,
			"the client is an ordinary one: refresh tokens minted from then on live as long as Google's others (G-17)", s.notPlayground},
		{`^the Google "([^"]*)" client has the redirect URI "([^"]*)"$`,
			"adds the URI to the client's Authorized redirect URIs, as a client registered before Google refused it would have (F-15)", s.addsRedirectURI},
	}
}

// inTestingWith puts the client's consent screen in Testing with its
// test users (G-14).
func (s *scenario) inTestingWith(name, users string) error {
	if err := s.inTesting(name); err != nil {
		return err
	}
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	var list []string
	for _, u := range strings.Split(users, ",") {
		list = append(list, strings.TrimSpace(u))
	}
	return google.AddTestUsers(s.server.World, reg.ID, list...)
}

// editsTestUsers adds the user to the test users of the client's
// consent screen, or removes them.
func (s *scenario) editsTestUsers(user, edit, name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	if edit == "added to" {
		return google.AddTestUsers(s.server.World, reg.ID, user)
	}
	return google.RemoveTestUsers(s.server.World, reg.ID, user)
}

// unblocksClient is the domain's admin trusting the client again.
func (s *scenario) unblocksClient(domain, name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	if !google.UnblockClient(s.server.World, domain, reg.ID) {
		return s.failf("%s does not block the %q client", domain, name)
	}
	return nil
}

// notPlayground makes the client an ordinary one again (G-17).
func (s *scenario) notPlayground(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	return google.SetPlayground(s.server.World, reg.ID, false)
}

// workspaceAccount adds a Google account of a Workspace domain.
func (s *scenario) workspaceAccount(user string) error {
	local, _, _ := strings.Cut(user, "@")
	return s.server.World.AddAccount(google.Realm, world.Account{Email: user, Name: local, Password: local + "-password"})
}

// blocksClient is the domain's admin blocking the client in its API
// controls.
func (s *scenario) blocksClient(domain, name, message string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	google.BlockClient(s.server.World, domain, reg.ID, message)
	return nil
}

// exchangesEncoded exchanges the code the application received as a user
// copies it from the address bar: still URL-encoded.
func (s *scenario) exchangesEncoded(ctx context.Context) error {
	if s.flow.code == "" {
		return s.failf("the application has no code")
	}
	return s.exchange(ctx, s.app.oauth.Config, url.QueryEscape(s.flow.code))
}

// addsRedirectURI adds uri to the client's registered redirect URIs.
func (s *scenario) addsRedirectURI(name, uri string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	return s.server.World.UpdateClient(reg.Realm, reg.ID, func(c *world.Client) {
		c.RedirectURIs = append(slices.Clone(c.RedirectURIs), uri)
	})
}

// sendsNoClientID is an application that stored the refresh token but not
// its client id and secret.
func (s *scenario) sendsNoClientID() error {
	s.app.oauth.Config.ClientID, s.app.oauth.Config.ClientSecret = "", ""
	return nil
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

// playground makes the client the OAuth 2.0 Playground's own (G-17).
func (s *scenario) playground(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	return google.SetPlayground(s.server.World, reg.ID, true)
}

// sendsClientID is a client id pasted into the application, whole or not.
func (s *scenario) sendsClientID(id string) error {
	s.app.oauth.Config.ClientID = id
	return nil
}
