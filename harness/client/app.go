// Package client is the real client stack of the scenarios: what a
// customer's application does, written with the libraries such
// applications use (golang.org/x/oauth2 for OAuth, a cookie-jar browser for
// the user's part, a loopback listener for the redirect). It only speaks
// HTTP to the fake providers; it never reaches into their internals.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// App is a customer's application registered at a provider.
type App struct {
	// Config is the application's OAuth configuration.
	Config oauth2.Config

	http     *http.Client
	recorder *Recorder
}

// NewApp returns an application using cfg that trusts tlsConfig's roots.
func NewApp(cfg oauth2.Config, tlsConfig *tls.Config) *App {
	rec := &Recorder{Base: newTransport(tlsConfig)}
	return &App{Config: cfg, http: &http.Client{Transport: rec}, recorder: rec}
}

// newTransport bounds every step of a request with the transport's own
// deadlines rather than http.Client.Timeout, whose timer outlives a
// response whose body the caller never closes (x/oauth2's DeviceAuth does
// not close it); the Recorder has read and closed every body already.
func newTransport(tlsConfig *tls.Config) *http.Transport {
	return &http.Transport{
		TLSClientConfig:       tlsConfig,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		IdleConnTimeout:       30 * time.Second,
	}
}

// HTTPClient returns the application's HTTP client (which records replies).
func (a *App) HTTPClient() *http.Client { return a.http }

// Requests returns how many HTTP requests the application made.
func (a *App) Requests() int { return a.recorder.Requests() }

// GraphQL posts query to a GraphQL endpoint as application/json, with
// token as its bearer token ("" for none); the reply is the application's
// Last exchange.
func (a *App) GraphQL(ctx context.Context, endpoint, token, query string) error {
	body, err := json.Marshal(map[string]string{"query": query})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Last returns the application's last exchange with a server.
func (a *App) Last() (Exchange, bool) { return a.recorder.Last() }

// Context returns ctx carrying the application's HTTP client for x/oauth2.
func (a *App) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, a.http)
}

// Exchange trades an authorization code for tokens; verifier is the PKCE
// code verifier, or ""; extra are more parameters of the token request
// (MSAL's client_info=1).
func (a *App) Exchange(ctx context.Context, code, verifier string, extra url.Values) (*oauth2.Token, error) {
	var opts []oauth2.AuthCodeOption
	for k := range extra {
		opts = append(opts, oauth2.SetAuthURLParam(k, extra.Get(k)))
	}
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	return a.Config.Exchange(a.Context(ctx), code, opts...)
}

// Token returns a valid token from tok, refreshing it through x/oauth2's
// TokenSource when it has expired.
func (a *App) Token(ctx context.Context, tok *oauth2.Token) (*oauth2.Token, error) {
	return a.Config.TokenSource(a.Context(ctx), tok).Token()
}

// DeviceAuth asks for a device code (RFC 8628 §3.1) through x/oauth2.
func (a *App) DeviceAuth(ctx context.Context) (*oauth2.DeviceAuthResponse, error) {
	return a.Config.DeviceAuth(a.Context(ctx))
}

// PollDevice makes one device access token request (RFC 8628 §3.4). The
// scenarios poll one request at a time because time in the fake world moves
// only when a scenario says so, while x/oauth2's DeviceAccessToken waits
// real seconds between polls. The request and the parsing of its answer
// follow x/oauth2: a refusal is an *oauth2.RetrieveError.
func (a *App) PollDevice(ctx context.Context, da *oauth2.DeviceAuthResponse) (*oauth2.Token, error) {
	form := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da.DeviceCode},
		"client_id":   {a.Config.ClientID},
	}
	if a.Config.ClientSecret != "" {
		form.Set("client_secret", a.Config.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Config.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken      string `json:"access_token"`
		TokenType        string `json:"token_type"`
		RefreshToken     string `json:"refresh_token"`
		ExpiresIn        int64  `json:"expires_in"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorURI         string `json:"error_uri"`
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxRecordedBody))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &body); err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 || body.AccessToken == "" {
		return nil, &oauth2.RetrieveError{Response: resp, Body: raw, ErrorCode: body.Error,
			ErrorDescription: body.ErrorDescription, ErrorURI: body.ErrorURI}
	}
	tok := &oauth2.Token{AccessToken: body.AccessToken, TokenType: body.TokenType, RefreshToken: body.RefreshToken,
		ExpiresIn: body.ExpiresIn}
	if body.ExpiresIn > 0 {
		tok.Expiry = time.Now().Add(time.Duration(body.ExpiresIn) * time.Second)
	}
	var extra map[string]any
	_ = json.Unmarshal(raw, &extra)
	return tok.WithExtra(extra), nil
}
