package steps

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/trackdechets"
)

// trackdechetsSteps are what Trackdéchets' scenarios need beyond the
// generic steps: its strict setting, its dialog's two API calls, its
// account page, and its GraphQL API.
func (s *scenario) trackdechetsSteps() []stepDef {
	return []stepDef{
		{`^Trackdéchets accepts client credentials only in HTTP Basic$`, "turns Trackdéchets' strict client authentication on", s.strictClientAuth},
		{`^` + email + ` signs in to Trackdéchets$`, "the user signs in on the platform's sign-in page", s.signsInToTrackdechets},
		{`^the browser asks the API to authorize the application$`,
			"the dialog's script calls GET /oauth2/authorize with the application's query (T-01)", s.asksAuthorizeAPI},
		{`^the browser posts the decision "(allow|cancel)"$`, "the dialog's form posted with the transaction id", s.postsDecision},
		{`^` + email + ` revokes the application on their Trackdéchets account page$`,
			"the user presses \"Révoquer l'accès\" for the application (T-06)", s.revokesOnPage},
		{`^the application queries the API with "([^"]*)"(?: and the token "([^"]*)")?$`,
			"posts a GraphQL query with the application's access token or the one given", s.queriesAPI},
		{`^the application queries the API with '([^']*)'$`,
			"posts a GraphQL query with the application's access token (a query with double quotes)", s.queriesAPIQuoted},
		{`^the API's "([^"]*)" is "([^"]*)"$`, "a dotted path into the GraphQL answer's data is that string", s.apiDataIs},
		{`^the API refuses with "([^"]*)" and code "([^"]*)"$`, "the GraphQL answer is one error with that message and code (T-05)", s.apiRefuses},
		{`^the token response's user is ` + email + ` named "([^"]*)"$`, "the token response's user object, through Token.Extra (T-04)", s.tokenUser},
		{`^the dialog's JSON names the user "([^"]*)" and the application "([^"]*)"$`,
			"GET /oauth2/authorize's user.name and client.name (T-02)", s.dialogNames},
		{`^the response body, byte for byte, matches '([^']*)'$`,
			"the last reply's whole body matches the regular expression: its layout, key order and spacing (T-07, G-15)", s.bodyBytesMatch},
		{`^x/oauth2 holds a token that never expires$`, "the application's token has no expiry and is valid", s.neverExpires},
		{`^x/oauth2 gave back the same token without asking the provider$`,
			"the last request for a valid token sent nothing and returned the held token", s.sameTokenNoRequest},
	}
}

func (s *scenario) strictClientAuth() error {
	trackdechets.SetStrict(s.server.World, true)
	return nil
}

// signsInToTrackdechets is the user signing in on the platform's sign-in
// page, which then shows their account's applications.
func (s *scenario) signsInToTrackdechets(ctx context.Context, user string) error {
	s.act()
	s.user.browser.Email, s.user.browser.Password = user, s.password(user)
	page, err := s.user.browser.Visit(ctx,
		s.provider().URL+trackdechets.LoginPath+"?returnTo="+url.QueryEscape(trackdechets.ApplicationsPath))
	s.flow.page = page
	if err == nil && !strings.Contains(page.Text, "Applications autorisées") {
		return s.failf("%s is not signed in: the browser stopped on %q", user, page.Title)
	}
	return err
}

// asksAuthorizeAPI is the dialog page's script calling GET
// /oauth2/authorize with the query the application sent the browser to
// the dialog with (T-01).
func (s *scenario) asksAuthorizeAPI(ctx context.Context) error {
	s.act()
	s.flow.state = oauth2.GenerateVerifier()[:22]
	u, err := url.Parse(s.app.oauth.Config.AuthCodeURL(s.flow.state))
	if err != nil {
		return err
	}
	u.Path = trackdechets.AuthorizePath
	err = s.user.browser.Fetch(ctx, u.String(), nil)
	s.record(s.user.browser)
	return err
}

// postsDecision is the dialog's form posted with the transaction id GET
// /oauth2/authorize answered; the browser follows the redirect to the
// application.
func (s *scenario) postsDecision(ctx context.Context, decision string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	id, _ := m["transactionID"].(string)
	s.act()
	form := url.Values{"transaction_id": {id}}
	if decision == "cancel" {
		form.Set("cancel", "Refuser")
	}
	if err := s.user.browser.Fetch(ctx, s.provider().URL+trackdechets.DecisionPath, form); err != nil {
		return err
	}
	s.record(s.user.browser)
	s.flow.redirect, _ = s.app.catcher.Result()
	s.flow.code = s.flow.redirect.Get("code")
	return nil
}

// revokesOnPage is the user pressing "Révoquer l'accès" for the
// application on "Mon compte > Applications et API" (T-06).
func (s *scenario) revokesOnPage(ctx context.Context, user string) error {
	s.act()
	s.user.browser.Email, s.user.browser.Password = user, s.password(user)
	page, err := s.user.browser.Submit(ctx, s.provider().URL+trackdechets.ApplicationsPath, "revoke-"+s.app.reg.ID)
	s.flow.page = page
	return err
}

// queriesAPI posts a GraphQL query to the API with the application's
// access token, or with the token the step gives.
func (s *scenario) queriesAPI(ctx context.Context, query, token string) error {
	s.act()
	if token == "" && s.tokens.current != nil {
		token = s.tokens.current.AccessToken
	}
	err := s.app.oauth.GraphQL(ctx, s.provider().URL+trackdechets.APIPath, token, query)
	s.record(s.app.oauth)
	return err
}

// queriesAPIQuoted posts a GraphQL query with the application's access
// token.
func (s *scenario) queriesAPIQuoted(ctx context.Context, query string) error {
	return s.queriesAPI(ctx, query, "")
}

// graphQLReply is the API's answer: 200 and its data and errors.
func (s *scenario) graphQLReply() (data map[string]any, errs []map[string]any, err error) {
	if s.reply.last == nil {
		return nil, nil, s.failf("the API has not answered")
	}
	var body struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(s.reply.last.Body, &body); err != nil || s.reply.last.Status != 200 {
		return nil, nil, s.failf("the API's answer is not a GraphQL result (HTTP %d)", s.reply.last.Status)
	}
	return body.Data, body.Errors, nil
}

// apiDataIs follows a dotted path ("me.email") into the answer's data.
func (s *scenario) apiDataIs(path, want string) error {
	data, errs, err := s.graphQLReply()
	if err != nil {
		return err
	}
	var v any = data
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	if got, _ := v.(string); got != want || len(errs) > 0 {
		return s.failf("data %s is %v (errors %v), want %q", path, v, errs, want)
	}
	return nil
}

// apiRefuses checks T-05's answer: 200, no data, one error with its
// message and extensions code.
func (s *scenario) apiRefuses(message, code string) error {
	data, errs, err := s.graphQLReply()
	if err != nil {
		return err
	}
	if len(errs) != 1 || data != nil {
		return s.failf("want one error and no data, got %d errors and data %v", len(errs), data)
	}
	ext, _ := errs[0]["extensions"].(map[string]any)
	if errs[0]["message"] != message || ext["code"] != code {
		return s.failf("error %v with code %v, want %q with code %q", errs[0]["message"], ext["code"], message, code)
	}
	return nil
}

// tokenUser reads the user object through x/oauth2's Token.Extra, as an
// application would (T-04).
func (s *scenario) tokenUser(user, name string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	u, _ := s.tokens.current.Extra("user").(map[string]any)
	if u["email"] != user || u["name"] != name {
		return s.failf("Token.Extra(\"user\") is %v, want email %q and name %q", s.tokens.current.Extra("user"), user, name)
	}
	return nil
}

// neverExpires is x/oauth2's view of a token with no expires_in: no expiry,
// valid.
func (s *scenario) neverExpires() error {
	t := s.tokens.current
	if t == nil || !t.Expiry.IsZero() || t.ExpiresIn != 0 || !t.Valid() {
		return s.failf("x/oauth2 holds %v, want a valid token with no expiry", t != nil && t.Valid())
	}
	return nil
}

func (s *scenario) sameTokenNoRequest() error {
	if s.reply.err != nil || s.tokens.asked.requests != 0 || !s.tokens.asked.same {
		return s.failf("x/oauth2 sent %d requests and gave back the same token: %v (error %v)",
			s.tokens.asked.requests, s.tokens.asked.same, s.reply.err)
	}
	return nil
}

// dialogNames checks what the dialog shows, as GET /oauth2/authorize
// answered it: {"user":{"name":…},"client":{"name":…}} (T-02).
func (s *scenario) dialogNames(user, client string) error {
	if s.reply.last == nil {
		return s.failf("the API has not answered")
	}
	var body struct {
		User   struct{ Name string } `json:"user"`
		Client struct{ Name string } `json:"client"`
	}
	if err := json.Unmarshal(s.reply.last.Body, &body); err != nil {
		return s.failf("the answer is not JSON: %v", err)
	}
	if body.User.Name != user || body.Client.Name != client {
		return s.failf("user.name %q and client.name %q, want %q and %q", body.User.Name, body.Client.Name, user, client)
	}
	return nil
}

// bodyBytesMatch matches the last reply's body as it came on the wire,
// not as JSON: one line or indented, the order of its keys, its spacing.
func (s *scenario) bodyBytesMatch(pattern string) error {
	if s.reply.last == nil {
		return s.failf("no server has answered yet")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return err
	}
	if !re.Match(s.reply.last.Body) {
		return s.failf("the body %q does not match %s", s.reply.last.Body, pattern)
	}
	return nil
}
