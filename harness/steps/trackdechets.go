package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
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
		{`^` + email + ` generates a personal access token "([^"]*)" in their account$`,
			"the user's account page calls createAccessToken; the application is given the token (T-05)", s.generatesPersonalToken},
		{`^` + email + ` revokes (?:` + email + `'s|their) personal access token "([^"]*)"$`,
			"a user's account page calls revokeAccessToken with the id of the token of that description (T-06)", s.revokesPersonalToken},
		{`^` + email + ` revokes the personal access token "([^"]*)" by its id$`,
			"the user's account page calls revokeAccessToken with that id (T-06)", s.revokesPersonalTokenID},
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

// accountAPI is the script of the user's account page: it signs the user
// in with a browser session of its own and posts query to the GraphQL API
// with that session (the session-only fields, T-06), through the
// application's recorded transport; it returns the answer's data.
func (s *scenario) accountAPI(ctx context.Context, user, query string) (map[string]any, error) {
	s.act()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Transport: s.app.oauth.HTTPClient().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"email": {user}, "password": {s.password(user)}}
	resp, err := hc.PostForm(s.provider().URL+trackdechets.LoginPath, form)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.provider().URL+trackdechets.APIPath, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if resp, err = hc.Do(req); err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	s.record(s.app.oauth)
	var out struct {
		Data map[string]any `json:"data"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out.Data, nil
}

// generatesPersonalToken is "Générer une clé": the application is then
// configured with the personal token instead of an OAuth one.
func (s *scenario) generatesPersonalToken(ctx context.Context, user, description string) error {
	data, err := s.accountAPI(ctx, user, `mutation { createAccessToken(input: {description: "`+description+`"}) { token } }`)
	if err != nil {
		return err
	}
	created, _ := data["createAccessToken"].(map[string]any)
	token, _ := created["token"].(string)
	if token == "" {
		return s.failf("no personal access token was created")
	}
	s.tokens.current = &oauth2.Token{AccessToken: token, TokenType: "Bearer"}
	return nil
}

// revokesPersonalToken finds the id of owner's token of that description
// on owner's account page, then calls revokeAccessToken with it as user.
func (s *scenario) revokesPersonalToken(ctx context.Context, user, owner, description string) error {
	if owner == "" {
		owner = user
	}
	data, err := s.accountAPI(ctx, owner, `{ accessTokens { id description } }`)
	if err != nil {
		return err
	}
	list, _ := data["accessTokens"].([]any)
	for _, t := range list {
		if m, _ := t.(map[string]any); m["description"] == description {
			id, _ := m["id"].(string)
			return s.revokesPersonalTokenID(ctx, user, id)
		}
	}
	return s.failf("%s has no personal access token %q", owner, description)
}

func (s *scenario) revokesPersonalTokenID(ctx context.Context, user, id string) error {
	_, err := s.accountAPI(ctx, user, `mutation { revokeAccessToken(id: "`+id+`") { id } }`)
	return err
}
