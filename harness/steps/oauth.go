package steps

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks/world"
)

const email = `([^ "]+@[^ "]+)`

// oauthSteps are the application's OAuth flows through x/oauth2 and the
// user's browser: its client and redirect listener, authorization, code
// exchange, refresh, revocation.
func (s *scenario) oauthSteps() []stepDef {
	return []stepDef{
		{`^the application uses the "([^"]*)" client$`,
			"the application uses a registered client by its name, with a loopback redirect listener", s.usesClient},
		{`^the application uses an unregistered client$`, "the application uses a client id the provider does not know", s.usesUnregisteredClient},
		{`^the application sends the redirect URI "([^"]*)"$`, "the application sends that redirect_uri from now on", s.sendsRedirectURI},
		{`^the application listens for the redirect on an unregistered loopback port$`,
			"moves the redirect listener to a free localhost port that is not registered", s.listensOnUnregisteredPort},
		{`^the application listens for the redirect on "(127\.0\.0\.1|localhost|::1)" on a free port$`,
			"moves the redirect listener to a free port of that loopback host, unregistered", s.listensOn},
		{`^the application's client secret is "([^"]*)"$`, "the application sends that client secret", s.clientSecretIs},
		{`^the application authenticates to the token endpoint with HTTP Basic$`,
			"x/oauth2 sends the client credentials in the Authorization header", s.usesBasic},
		{`^the application sends its client credentials in the request body$`,
			"x/oauth2 sends client_id and client_secret in the form", s.usesBody},
		{`^the user's browser opens the authorization URL(?: for "([^"]*)")?(?: with "([^"]*)")? without signing in$`,
			"the browser opens the authorization URL (scopes, extra query) and stops on the first page", s.opensAuthorization},
		{`^the sign-in form is filled in with ` + email + `$`, "the sign-in page's e-mail field holds that address (login_hint)", s.signInPrefilled},
		{`^the application uses PKCE with method "(S256|plain)"$`, "the application sends a PKCE challenge of that method", s.usesPKCE},
		{`^the application will send (its|another|no) code verifier$`,
			"what the application sends as code_verifier when it exchanges the code", s.willSendVerifier},
		{`^` + email + ` will press "(allow|deny)" on the consent screen$`, "the button the user will press on the consent screen", s.willPress},
		{`^` + email + ` types the password "([^"]*)"$`, "the password the user will type instead of their own", s.typesPassword},
		{`^` + email + ` authorizes the application(?: for "([^"]*)")?(?: with "([^"]*)")?$`,
			"the user goes through the provider's pages and the application exchanges the code it received", s.authorizes},
		{`^` + email + ` (has never|has already|has) authorized the application(?: for "([^"]*)")?(?: with "([^"]*)")?$`,
			"set-up: a whole authorization that must give the application a token (nothing for \"has never\")", s.hasAuthorized},
		{`^` + email + ` lets the application have a code(?: for "([^"]*)")?$`,
			"the user goes through the provider's pages; the application keeps the code without exchanging it", s.letsHaveCode},
		{`^the application exchanges the (?:same )?code(?: again)?$`, "the application exchanges the code it holds", s.exchangesCode},
		{`^the application exchanges the code with the redirect URI "([^"]*)"$`,
			"the application exchanges its code sending that redirect_uri", s.exchangesWithRedirect},
		{`^the application exchanges the code as the(?: client)? "([^"]*)"(?: client)?$`,
			"the code is exchanged by another registered client, or any client id with the application's secret", s.exchangesAsClient},
		{`^the application posts "([^"]*)" to the token endpoint(?: (with its client credentials|with the header "([^"]*)"))?$`,
			"posts a form body of the scenario's own to the token endpoint", s.postsToToken},
		{`^the application posts '([^']*)' to the token endpoint(?: (with its client credentials|with the header "([^"]*)"))?$`,
			"posts a form body of the scenario's own to the token endpoint (a body with double quotes)", s.postsToToken},
		{`^the application asks x/oauth2 for a valid token$`,
			"asks x/oauth2's TokenSource for a valid token, which refreshes an expired one", s.asksValidToken},
		{`^the application refreshes the token(?: "([^"]*)")?$`,
			"forces a refresh through x/oauth2, with the application's refresh token or the one given", s.refreshes},
		{`^` + email + ` authorizes the application (\d+) times for "([^"]*)" with "([^"]*)"$`,
			"n whole authorizations, keeping every refresh token", s.authorizesTimes},
		{`^the application refreshes its (first|second) refresh token$`,
			"refreshes with one of the refresh tokens of repeated authorizations", s.refreshesNth},
		{`^the application refreshes with the refresh token it received first$`,
			"refreshes with the first refresh token the application received", s.refreshesFirst},
		{`^the application sends "([^"]*)" with its token requests$`, "extra form parameters sent with every code exchange", s.sendsTokenParams},
		{`^the ID token verifies with go-oidc and its "([^"]*)" is "([^"]*)"$`,
			"verifies the token response's ID token with go-oidc and compares a claim", s.idTokenNames},
		{`^the "([^"]*)" client presents the refresh token$`,
			"another registered client presents the application's first refresh token", s.otherClientRefreshes},
		{`^the application revokes the (access|refresh) token$`, "posts the token to the provider's revocation endpoint (Google's, G-09)", s.revokes},
		{`^the access token is (accepted|refused) by the provider's userinfo endpoint$`,
			"presents the access token to the userinfo endpoint and checks the answer", s.userinfo},
	}
}

// newApp is the application of registration reg, talking to the
// scenario's provider.
func (s *scenario) newApp(reg world.Client, redirectURL string) *client.App {
	cfg := oauth2.Config{ClientID: reg.ID, Endpoint: s.endpoint(), RedirectURL: redirectURL}
	if secrets := reg.AllSecrets(); len(secrets) > 0 {
		cfg.ClientSecret = secrets[0].Value
	}
	return client.NewApp(cfg, s.server.CA.ClientConfig())
}

// endpoint is the provider's, under the authority the scenario chose (a
// Microsoft tenant segment), if any.
func (s *scenario) endpoint() oauth2.Endpoint {
	if s.app.authority != "" {
		return s.provider().TenantEndpoint(s.app.authority)
	}
	return s.provider().Endpoint()
}

// usesClient sets up the application with a registered client and
// its loopback redirect listener. For a web client the listener's URI is
// registered in the console first, as seed 001 registers
// http://localhost:3017/ (the port is free-chosen so tests run in parallel);
// a Google desktop client registers nothing and uses 127.0.0.1 on any port
// (G-10); a Microsoft public client uses its registered http://localhost
// on any port.
func (s *scenario) usesClient(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	console := consoles[s.providerName]
	host := "localhost"
	if console.loopback != nil {
		host = console.loopback(reg)
	}
	if err := s.listen(host); err != nil {
		return err
	}
	registered := false
	if console.register != nil {
		if registered, err = console.register(s.server.World, reg, s.app.catcher.URL); err != nil {
			return err
		}
	}
	if !registered && reg.Type == "web" { // Google's and Microsoft's name for it; every Trackdéchets application
		if err := s.server.World.UpdateClient(reg.Realm, reg.ID, func(c *world.Client) {
			c.RedirectURIs = []string{s.app.catcher.URL}
		}); err != nil {
			return err
		}
	}
	s.app.reg = reg
	s.app.oauth = s.newApp(reg, s.app.catcher.URL)
	return nil
}

// console is what a provider's step file tells the provider-neutral
// steps of its console, registered under the provider's name.
type console struct {
	// loopback is the host the application's redirect listener binds for
	// reg; nil: localhost.
	loopback func(reg world.Client) string
	// register registers uri as reg's redirect URI the provider's way and
	// reports whether it did; otherwise a "web" client gets uri as its
	// redirect URI.
	register func(w *world.World, reg world.Client, uri string) (bool, error)
}

// consoles are the providers' consoles, each set by its step file.
var consoles = map[string]console{}

func (s *scenario) listen(host string) error {
	if s.app.catcher != nil {
		s.app.catcher.Close()
	}
	c, err := client.NewCatcher(host, "/")
	if err != nil {
		return err
	}
	s.app.catcher = c
	return nil
}

func (s *scenario) usesUnregisteredClient() error {
	if err := s.usesClient("web"); err != nil {
		return err
	}
	s.app.oauth.Config.ClientID = "unregistered-" + s.app.oauth.Config.ClientID
	return nil
}

func (s *scenario) sendsRedirectURI(uri string) error {
	s.app.oauth.Config.RedirectURL = uri
	return nil
}

func (s *scenario) listensOnUnregisteredPort() error {
	return s.listensOn("localhost")
}

// listensOn moves the application's redirect listener to a new free port
// under host, without registering it.
func (s *scenario) listensOn(host string) error {
	if err := s.listen(host); err != nil {
		return err
	}
	s.app.oauth.Config.RedirectURL = s.app.catcher.URL
	return nil
}

func (s *scenario) clientSecretIs(secret string) error {
	s.app.oauth.Config.ClientSecret = secret
	return nil
}

// usesBasic makes x/oauth2 send the client's credentials in the
// Authorization header (RFC 6749 §2.3.1) rather than in the form.
func (s *scenario) usesBasic() error {
	s.app.oauth.Config.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	return nil
}

// usesBody makes x/oauth2 send client_id and client_secret in the form.
func (s *scenario) usesBody() error {
	s.app.oauth.Config.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	return nil
}

// opensAuthorization is the browser opening the application's
// authorization URL with no one to type anything: it stops on the first
// page.
func (s *scenario) opensAuthorization(ctx context.Context, scope, params string) error {
	s.act()
	q, err := url.ParseQuery(params)
	if err != nil {
		return err
	}
	var opts []oauth2.AuthCodeOption
	for k := range q {
		opts = append(opts, oauth2.SetAuthURLParam(k, q.Get(k)))
	}
	s.app.oauth.Config.Scopes = strings.Fields(scope)
	s.flow.state = oauth2.GenerateVerifier()[:22]
	s.user.browser.Email, s.user.browser.Password = "", ""
	s.flow.page, err = s.user.browser.Visit(ctx, s.app.oauth.Config.AuthCodeURL(s.flow.state, opts...))
	s.flow.redirect, _ = s.app.catcher.Result()
	return err
}

// signInPrefilled checks the e-mail field of the sign-in form the browser
// stopped on (G-02: login_hint pre-fills it).
func (s *scenario) signInPrefilled(user string) error {
	if got := s.flow.page.Inputs["email"]; got != user {
		return s.failf("the sign-in form's email is %q, want %q (page %q, forms %v)", got, user, s.flow.page.Title, s.flow.page.Forms)
	}
	return nil
}

func (s *scenario) usesPKCE(method string) error {
	s.flow.pkce, s.flow.sendAs = method, "its"
	return nil
}

func (s *scenario) willSendVerifier(which string) error {
	s.flow.sendAs = which
	return nil
}

func (s *scenario) willPress(_, button string) error {
	s.user.browser.Consent = button
	return nil
}

func (s *scenario) typesPassword(user, password string) error {
	if s.user.passwords == nil {
		s.user.passwords = map[string]string{}
	}
	s.user.passwords[user] = password
	return nil
}

// authorize runs the user's part of the flow: the application builds the
// authorization URL with x/oauth2, the user's browser goes through Google's
// pages, and the redirect lands on the application's listener.
func (s *scenario) authorize(ctx context.Context, user, scope, params string) error {
	s.act()
	q, err := url.ParseQuery(params)
	if err != nil {
		return err
	}
	var opts []oauth2.AuthCodeOption
	for k, vs := range q {
		for _, v := range vs {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	switch s.flow.pkce {
	case "S256":
		s.flow.verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(s.flow.verifier))
	case "plain":
		s.flow.verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.SetAuthURLParam("code_challenge", s.flow.verifier),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"))
	}
	s.app.oauth.Config.Scopes = strings.Fields(scope)
	s.flow.state = oauth2.GenerateVerifier()[:22]
	s.user.browser.Email, s.user.browser.Password = user, s.password(user)
	page, err := s.user.browser.Visit(ctx, s.app.oauth.Config.AuthCodeURL(s.flow.state, opts...))
	if err != nil {
		return err
	}
	s.flow.page = page
	s.flow.redirect, _ = s.app.catcher.Result()
	s.flow.code = s.flow.redirect.Get("code")
	return nil
}

// password is what the user types: their own password unless a step said
// otherwise.
func (s *scenario) password(user string) string {
	if p, ok := s.user.passwords[user]; ok {
		return p
	}
	for _, realm := range s.server.World.Realms(s.providerName) {
		if acct, ok := s.server.World.Account(realm, user); ok {
			return acct.Password
		}
	}
	return ""
}

func (s *scenario) authorizes(ctx context.Context, user, scope, params string) error {
	if err := s.authorize(ctx, user, scope, params); err != nil {
		return err
	}
	if s.flow.code == "" {
		return nil // the assertions say whether that was expected
	}
	return s.exchange(ctx, s.app.oauth.Config, s.flow.code)
}

func (s *scenario) hasAuthorized(ctx context.Context, user, history, scope, params string) error {
	if history == "has never" {
		return nil
	}
	if err := s.authorizes(ctx, user, scope, params); err != nil {
		return err
	}
	if s.tokens.current == nil {
		return s.failf("%s could not authorize the application (page %q)", user, s.flow.page.Title)
	}
	return nil
}

func (s *scenario) letsHaveCode(ctx context.Context, user, scope string) error {
	if err := s.authorize(ctx, user, scope, ""); err != nil {
		return err
	}
	if s.flow.code == "" {
		return s.failf("no code reached the application (page %q)", s.flow.page.Title)
	}
	return nil
}

// exchange redeems code with cfg through x/oauth2, sending the PKCE
// verifier the scenario chose.
func (s *scenario) exchange(ctx context.Context, cfg oauth2.Config, code string) error {
	s.act()
	verifier := ""
	switch s.flow.sendAs {
	case "its":
		verifier = s.flow.verifier
	case "another":
		verifier = oauth2.GenerateVerifier()
	}
	app := client.NewApp(cfg, s.server.CA.ClientConfig())
	tok, err := app.Exchange(ctx, code, verifier, s.app.tokenParams)
	s.record(app)
	s.took(tok, err)
	return nil
}

// took keeps a token the application received, or the error it got.
func (s *scenario) took(tok *oauth2.Token, err error) {
	s.reply.err = err
	if err != nil {
		return
	}
	s.tokens.current = tok
	if s.tokens.first == "" {
		s.tokens.first = tok.RefreshToken
	}
}

func (s *scenario) exchangesCode(ctx context.Context) error {
	if s.flow.code == "" {
		return s.failf("the application has no code")
	}
	return s.exchange(ctx, s.app.oauth.Config, s.flow.code)
}

func (s *scenario) exchangesWithRedirect(ctx context.Context, uri string) error {
	cfg := s.app.oauth.Config
	cfg.RedirectURL = uri
	return s.exchange(ctx, cfg, s.flow.code)
}

// exchangesAsClient redeems the code as another client: a registered one
// by its name, with its own credentials, or any client id with the
// application's secret.
func (s *scenario) exchangesAsClient(ctx context.Context, name string) error {
	cfg := s.app.oauth.Config
	cfg.ClientID = name
	if reg, err := s.client(name); err == nil {
		cfg.ClientID, cfg.ClientSecret = reg.ID, ""
		if secrets := reg.AllSecrets(); len(secrets) > 0 {
			cfg.ClientSecret = secrets[0].Value
		}
	}
	return s.exchange(ctx, cfg, s.flow.code)
}

// postsToToken posts a body of the scenario's own to the token endpoint:
// bare, with the client's credentials in HTTP Basic, or with a header
// ("Name: value").
func (s *scenario) postsToToken(ctx context.Context, body, with, header string) error {
	h := http.Header{}
	switch {
	case with == "with its client credentials":
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString(
			[]byte(url.QueryEscape(s.app.oauth.Config.ClientID)+":"+url.QueryEscape(s.app.oauth.Config.ClientSecret))))
	case header != "":
		name, value, ok := strings.Cut(header, ":")
		if !ok {
			return fmt.Errorf("the header %q is not \"Name: value\"", header)
		}
		h.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	_, err := s.postForm(ctx, s.app.oauth.Config.Endpoint.TokenURL, body, h)
	return err
}

// postForm posts a form body with the application's HTTP client and keeps
// the reply as the server's last.
func (s *scenario) postForm(ctx context.Context, u, body string, header http.Header) (*http.Response, error) {
	s.act()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.app.oauth.HTTPClient().Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	s.record(s.app.oauth)
	return resp, nil
}

// asksValidToken is what an application does before each use: ask its
// x/oauth2 TokenSource, which refreshes an expired token by itself.
func (s *scenario) asksValidToken(ctx context.Context) error {
	s.act()
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	before, held := s.app.oauth.Requests(), s.tokens.current.AccessToken
	tok, err := s.app.oauth.Token(ctx, s.tokens.current)
	s.tokens.asked = askedToken{requests: s.app.oauth.Requests() - before, same: err == nil && tok.AccessToken == held}
	if s.tokens.asked.requests > 0 {
		s.record(s.app.oauth)
	}
	s.took(tok, err)
	return nil
}

// refreshes forces a refresh through x/oauth2 by presenting the token as
// expired; with an argument, that refresh token instead of the
// application's.
func (s *scenario) refreshes(ctx context.Context, refresh string) error {
	s.act()
	if refresh == "" {
		if s.tokens.current == nil {
			return s.failf("the application has no token")
		}
		refresh = s.tokens.current.RefreshToken
	}
	stale := &oauth2.Token{RefreshToken: refresh, Expiry: time.Now().Add(-time.Hour)}
	tok, err := s.app.oauth.Token(ctx, stale)
	s.record(s.app.oauth)
	s.took(tok, err)
	return nil
}

func (s *scenario) otherClientRefreshes(ctx context.Context, name string) error {
	s.act()
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	other := s.newApp(reg, "")
	stale := &oauth2.Token{RefreshToken: s.tokens.first, Expiry: time.Now().Add(-time.Hour)}
	_, err = other.Token(ctx, stale)
	s.record(other)
	s.reply.err = err
	return nil
}

// revokes posts the token to the provider's revocation endpoint (Google's,
// G-09).
func (s *scenario) revokes(ctx context.Context, which string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	token := s.tokens.current.AccessToken
	if which == "refresh" {
		token = s.tokens.first
	}
	revoke := s.provider().Describe().RevocationEndpoint
	if revoke == "" {
		return s.failf("%s has no revocation endpoint", s.providerName)
	}
	_, err := s.postForm(ctx, revoke+"?token="+url.QueryEscape(token), "", nil)
	return err
}

// userinfo presents the access token to the provider's userinfo endpoint
// (Google's), the simplest resource server there is.
func (s *scenario) userinfo(ctx context.Context, want string) error {
	s.act()
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	endpoint := s.provider().Describe().UserinfoEndpoint
	if endpoint == "" {
		return s.failf("%s has no userinfo endpoint", s.providerName)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.tokens.current.AccessToken)
	resp, err := s.app.oauth.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	s.record(s.app.oauth)
	got := map[bool]string{true: "accepted", false: "refused"}[resp.StatusCode == http.StatusOK]
	if got != want {
		return s.failf("the access token was %s by userinfo, want %s", got, want)
	}
	if want == "refused" && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		return s.failf("userinfo refused the token without an RFC 6750 invalid_token challenge")
	}
	return nil
}

// authorizesTimes runs n whole authorizations, keeping every refresh token.
func (s *scenario) authorizesTimes(ctx context.Context, user string, n int, scope, params string) error {
	s.tokens.held = nil
	for i := range n {
		if err := s.authorizes(ctx, user, scope, params); err != nil {
			return err
		}
		if s.reply.err != nil || s.tokens.current == nil || s.tokens.current.RefreshToken == "" {
			return s.failf("authorization %d gave no refresh token: %v", i+1, s.reply.err)
		}
		s.tokens.held = append(s.tokens.held, s.tokens.current.RefreshToken)
	}
	return nil
}

func (s *scenario) refreshesFirst(ctx context.Context) error {
	if s.tokens.first == "" {
		return s.failf("the application never received a refresh token")
	}
	return s.refreshes(ctx, s.tokens.first)
}

func (s *scenario) sendsTokenParams(params string) error {
	q, err := url.ParseQuery(params)
	s.app.tokenParams = q
	return err
}

func (s *scenario) refreshesNth(ctx context.Context, which string) error {
	i := map[string]int{"first": 0, "second": 1}[which]
	if i >= len(s.tokens.held) {
		return s.failf("the application holds %d refresh tokens", len(s.tokens.held))
	}
	return s.refreshes(ctx, s.tokens.held[i])
}

// idTokenNames verifies the ID token of the last token response with
// go-oidc and checks a claim.
func (s *scenario) idTokenNames(ctx context.Context, claim, want string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	raw, _ := s.tokens.current.Extra("id_token").(string)
	if raw == "" {
		return s.failf("the token response has no id_token")
	}
	claims, err := s.app.oauth.VerifyIDToken(ctx, s.provider().Issuer(s.app.reg.Realm.Tenant), raw)
	if err != nil {
		return s.failf("go-oidc refused the ID token: %v", err)
	}
	if got := fmt.Sprint(claims[claim]); got != want {
		return s.failf("ID token claim %s is %q, want %q", claim, got, want)
	}
	return nil
}
