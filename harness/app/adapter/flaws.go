package adapter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// FlawVariable names the environment variable that breaks one behaviour
// of the adapter on purpose, so the suite's own tests prove which
// scenario catches each mistake applications make. It is not part of the
// contract; an adapter run without it is the reference.
const FlawVariable = "MAILOAUTH_ADAPTER_FLAW"

// Flaws are the behaviours FlawVariable can break, each with what it
// does instead.
var Flaws = map[string]string{
	"never-refresh":            "never refreshes: uses the stored access token until the server refuses it, then gives up",
	"keep-first-refresh-token": "keeps the first refresh token, throwing away the rotated ones",
	"graph-scope":              "asks Microsoft for Graph's SMTP.Send instead of Outlook's scopes",
	"gmail-send":               "asks Google for gmail.send instead of https://mail.google.com/",
	"no-offline":               "asks for no offline access: no access_type=offline or prompt=consent at Google, no offline_access at Microsoft",
	"no-retry":                 "does not retry a transient failure",
	"poll-at-once":             "polls the device code without waiting for the interval",
	"any-certificate":          "accepts any server certificate",
	"wrong-user":               "sends another user's address in XOAUTH2's user=",
	"plain-auth":               "sends the token with AUTH PLAIN as a password",
	"ignore-state":             "does not check the state of the redirect",
}

// flaw reports whether the adapter runs with that flaw.
func (a *adapter) flaw(name string) bool { return a.env(FlawVariable) == name }

// checkFlaw refuses an unknown flaw, so a test cannot pass by misspelling one.
func (a *adapter) checkFlaw() error {
	if f := a.env(FlawVariable); f != "" {
		if _, ok := Flaws[f]; !ok {
			return fmt.Errorf("unknown %s %q", FlawVariable, f)
		}
	}
	return nil
}

// flawedScopes are the scopes the scope flaws ask for instead.
func (a *adapter) flawedScopes(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		switch {
		case a.flaw("graph-scope") && strings.HasPrefix(s, "https://outlook.office.com/"):
			s = "https://graph.microsoft.com/" + strings.TrimPrefix(s, "https://outlook.office.com/")
		case a.flaw("gmail-send") && s == "https://mail.google.com/":
			s = "https://www.googleapis.com/auth/gmail.send"
		case a.flaw("no-offline") && s == "offline_access":
			continue
		}
		out = append(out, s)
	}
	return out
}

// mailUser is the user= of XOAUTH2: MAILOAUTH_USER, or another user of
// the same domain with the wrong-user flaw.
func (a *adapter) mailUser() string {
	user := a.env("MAILOAUTH_USER")
	if a.flaw("wrong-user") {
		_, domain, _ := strings.Cut(user, "@")
		return "bob@" + domain
	}
	return user
}

// pollAtOnce is the poll-at-once flaw: device token requests one after
// the other, 20 ms apart, whatever the interval.
func (a *adapter) pollAtOnce(ctx context.Context, da *oauth2.DeviceAuthResponse) (*oauth2.Token, error) {
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da.DeviceCode},
		"client_id": {a.cfg.ClientID}}
	if a.cfg.ClientSecret != "" {
		form.Set("client_secret", a.cfg.ClientSecret)
	}
	for range 100 {
		resp, err := a.http.PostForm(a.cfg.Endpoint.TokenURL, form)
		if err != nil {
			return nil, err
		}
		var body struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
			ExpiresIn    int64  `json:"expires_in"`
			Error        string `json:"error"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		switch {
		case err != nil:
			return nil, err
		case body.AccessToken != "":
			return &oauth2.Token{AccessToken: body.AccessToken, RefreshToken: body.RefreshToken,
				Expiry: time.Now().Add(time.Duration(body.ExpiresIn) * time.Second)}, nil
		case body.Error != "authorization_pending" && body.Error != "slow_down":
			return nil, &oauth2.RetrieveError{Response: &http.Response{StatusCode: resp.StatusCode}, ErrorCode: body.Error}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil, failf("the device sign-in did not complete")
}
