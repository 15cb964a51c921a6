package adapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// authorize signs the user in by the authorization code flow: a loopback
// listener on the redirect URI, the URL opened with MAILOAUTH_BROWSER,
// state and PKCE checked, the code exchanged, the tokens stored.
func (a *adapter) authorize(ctx context.Context) error {
	redirect, err := url.Parse(a.cfg.RedirectURL)
	if err != nil || redirect.Scheme != "http" || redirect.Port() == "" {
		return failf("the redirect URI %q is not a loopback http URI with a port", a.cfg.RedirectURL)
	}
	host := redirect.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, redirect.Port()))
	if err != nil {
		return failf("cannot listen on the redirect URI %s: %v", a.cfg.RedirectURL, err)
	}
	got := make(chan url.Values, 1)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.URL.Query():
		default:
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><title>Done</title><p>You may close this window.")
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	state := oauth2.GenerateVerifier()
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if a.env("MAILOAUTH_PROVIDER") == "google" && !a.flaw("no-offline") {
		// A refresh token, and a new one at each consent (G-03, seed 000).
		opts = append(opts, oauth2.AccessTypeOffline, oauth2.ApprovalForce)
	}
	browser := a.env("MAILOAUTH_BROWSER")
	if browser == "" {
		return failf("no browser to open (MAILOAUTH_BROWSER is empty)")
	}
	cmd := exec.CommandContext(ctx, browser, a.cfg.AuthCodeURL(state, opts...))
	cmd.Stdout, cmd.Stderr = a.stderr, a.stderr
	if err := cmd.Run(); err != nil {
		return failf("the browser did not come back to the application: %v", err)
	}
	var q url.Values
	select {
	case q = <-got:
	case <-time.After(5 * time.Second):
		return failf("the browser never reached the redirect URI")
	}
	if q.Get("state") != state && !a.flaw("ignore-state") {
		return failf("the redirect's state does not match the one sent: refused (a forged or replayed redirect)")
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return failf("the sign-in was cancelled (access_denied: %s); the application has no access", q.Get("error_description"))
		}
		return failf("the provider refused the sign-in: %s: %s", e, q.Get("error_description"))
	}
	var tok *oauth2.Token
	err = a.retry(func() error {
		var err error
		tok, err = a.cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		return err
	})
	if err != nil {
		return a.tokenError("exchanging the code", err)
	}
	return a.save("user", tok)
}

// device gets tokens by the device authorization grant, polling at the
// interval as x/oauth2 does (and slowing down when told).
func (a *adapter) device(ctx context.Context) error {
	var da *oauth2.DeviceAuthResponse
	err := a.retry(func() error {
		var err error
		da, err = a.cfg.DeviceAuth(ctx)
		return err
	})
	if err != nil {
		return a.tokenError("starting the device sign-in", err)
	}
	fmt.Fprintf(a.stderr, "To sign in, open %s and enter the code %s\n", da.VerificationURI, da.UserCode)
	var tok *oauth2.Token
	if a.flaw("poll-at-once") {
		tok, err = a.pollAtOnce(ctx, da)
	} else {
		tok, err = a.cfg.DeviceAccessToken(ctx, da)
	}
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			switch re.ErrorCode {
			case "access_denied", "authorization_declined":
				return failf("the sign-in was declined on the other device (%s)", re.ErrorCode)
			case "expired_token", "code_expired":
				return failf("the code expired before anyone signed in (%s): start again", re.ErrorCode)
			}
		}
		return a.tokenError("waiting for the device sign-in", err)
	}
	return a.save("user", tok)
}

// appToken gets an app-only token by client credentials and stores it.
func (a *adapter) appToken(ctx context.Context) (string, error) {
	cc := clientcredentials.Config{ClientID: a.cfg.ClientID, ClientSecret: a.cfg.ClientSecret,
		TokenURL: a.cfg.Endpoint.TokenURL, Scopes: a.cfg.Scopes, AuthStyle: a.cfg.Endpoint.AuthStyle}
	var tok *oauth2.Token
	err := a.retry(func() error {
		var err error
		tok, err = cc.Token(ctx)
		return err
	})
	if err != nil {
		return "", a.tokenError("getting an application token", err)
	}
	return tok.AccessToken, a.save("client_credentials", tok)
}

// api calls Trackdéchets' GraphQL API with the stored token: { me { email
// name } }.
func (a *adapter) api(ctx context.Context) (string, error) {
	token, err := a.validToken(ctx, false)
	if err != nil {
		return "", err
	}
	var email string
	err = a.retry(func() error {
		body := strings.NewReader(`{"query":"{ me { email name } }"}`)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.env("MAILOAUTH_API_ENDPOINT"), body)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := a.http.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out struct {
			Data struct {
				Me struct{ Email, Name string }
			}
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if resp.StatusCode >= 500 {
			return &oauth2.RetrieveError{Response: resp}
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return failf("the API answered HTTP %d, not JSON", resp.StatusCode)
		}
		if len(out.Errors) > 0 {
			if out.Errors[0].Extensions.Code == "UNAUTHENTICATED" {
				return failf("the API refused the token (UNAUTHENTICATED: %s): sign in again", out.Errors[0].Message)
			}
			return failf("the API answered %s: %s", out.Errors[0].Extensions.Code, out.Errors[0].Message)
		}
		email = out.Data.Me.Email
		return nil
	})
	return email, err
}
