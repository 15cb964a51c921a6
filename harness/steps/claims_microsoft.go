package steps

import (
	"context"
	"net/url"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// claimsMicrosoftSteps check the claims of PROVIDERS.md's Microsoft
// entries the other steps could not reach on the wire (docs/claims/microsoft.md):
// MSAL's instance discovery (M-09), a refresh without the client's secret
// (M-03), a garbled or missing redirect URI (F-38, M-11). The access
// token's header and claims steps are claimsMailSteps' (EX-07, M-07).
func (s *scenario) claimsMicrosoftSteps() []stepDef {
	return []stepDef{
		{`^the application asks instance discovery about (its own|another) authority$`,
			"GETs /common/discovery/instance for the authorize endpoint of the application's authority, or of a host the fake is not (M-09)", s.asksInstanceDiscovery},
		{`^the application refreshes the token without its client secret$`, "posts its refresh token with client_id alone, no secret (M-03)", s.refreshesWithoutSecret},
		{`^the "([^"]*)" app has no redirect URI$`, "the app registration's redirect URIs are removed, on every platform (M-11: 900971)", s.noRedirectURI},
		{`^the application sends its redirect URI (without its trailing slash|with the host "([^"]*)")$`,
			"the registered redirect URI as the application may garble it (F-38): its last / cut, or another host for localhost", s.garblesRedirectURI},
	}
}

// asksInstanceDiscovery is what MSAL does first for a host it does not
// know (M-09): the discovery of the authority's authorize endpoint.
func (s *scenario) asksInstanceDiscovery(ctx context.Context, which string) error {
	auth := s.endpoint().AuthURL
	if which == "another" {
		auth = "https://login.contoso-proxy.test/common/oauth2/v2.0/authorize"
	}
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {auth}}
	return s.fetches(ctx, microsoft.InstancePath+"?"+q.Encode())
}

// refreshesWithoutSecret posts the current refresh token as a public
// client would: client_id and no secret.
func (s *scenario) refreshesWithoutSecret(ctx context.Context) error {
	if s.tokens.current == nil || s.tokens.current.RefreshToken == "" {
		return s.failf("the application has no refresh token")
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {s.app.oauth.Config.ClientID},
		"refresh_token": {s.tokens.current.RefreshToken}}
	_, err := s.postForm(ctx, s.endpoint().TokenURL, form.Encode(), nil)
	return err
}

// garblesRedirectURI sends the application's registered redirect URI
// changed as F-38's applications change it.
func (s *scenario) garblesRedirectURI(how, host string) error {
	u, err := url.Parse(s.app.catcher.URL)
	if err != nil {
		return err
	}
	if host != "" {
		u.Host = host + ":" + u.Port()
	} else if u.Path = strings.TrimSuffix(u.Path, "/"); u.Path == "" && !strings.HasSuffix(s.app.catcher.URL, "/") {
		return s.failf("the redirect URI %q has no trailing slash", s.app.catcher.URL)
	}
	s.app.oauth.Config.RedirectURL = u.String()
	return nil
}

// noRedirectURI removes every redirect URI of the app registration.
func (s *scenario) noRedirectURI(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	return microsoft.UpdateApp(s.server.World, reg.Realm.Tenant, reg.ID, func(c *world.Client, a *microsoft.App) {
		c.RedirectURIs, a.SPA, a.PublicRedirects = nil, nil, nil
	})
}
