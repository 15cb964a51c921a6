// Package steps holds the godog step definitions of the scenarios, grouped
// by concern: the application's OAuth flows (oauth.go), the device flow
// (device.go), SMTP, IMAP and POP3 (mail.go), the world and its clock
// (world.go), what is asserted on the wire (assert.go), what is set in a
// provider's console (google.go, microsoft.go) and Microsoft's own library
// as a second client (msal.go), Trackdéchets' own (trackdechets.go). The
// definitions are data, one list by concern (definitions.go) that Initialize
// registers with godog and Definitions lists for `mailoauth steps`. A step
// that talks to an HTTP server takes the scenario's context from godog and
// passes it down; the mail sessions' libraries take none, and harness/client
// bounds them with deadlines. Each scenario gets its own fake world, with
// only its provider running, so scenarios can move the clock and run in
// parallel.
package steps

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/harness/app"
	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// scenario is the state of one running scenario, grouped by concern.
type scenario struct {
	server *mocks.Server
	// providerName is the provider of the scenario (its tag).
	providerName string

	app    appState
	user   userState
	flow   flowState
	tokens tokenState
	reply  replyState
	mail   mailState
	msal   msalState
	// run is the application under test of an @app scenario (app.go).
	run appRun
}

// appState is the application: its registration, its x/oauth2 config and
// its redirect listener.
type appState struct {
	// authority is the tenant segment the application's endpoints use
	// (Microsoft); "" for the provider's default.
	authority string
	reg       world.Client
	// tokenParams are sent with every code exchange.
	tokenParams url.Values
	oauth       *client.App
	catcher     *client.Catcher
}

// userState is the user: a browser with its own cookies, and the
// passwords the scenario gave.
type userState struct {
	browser   *client.Browser
	passwords map[string]string
}

// flowState is the authorization in progress.
type flowState struct {
	state    string
	pkce     string // "", "S256" or "plain"
	verifier string
	sendAs   string // "its", "another" or "no" code verifier
	redirect url.Values
	code     string
	page     client.Page
	device   *oauth2.DeviceAuthResponse
}

// tokenState is what the application holds.
type tokenState struct {
	current *oauth2.Token
	// first is the first refresh token the application received.
	first string
	// held are the refresh tokens of repeated authorizations, oldest first.
	held []string
	// asked is what the last request for a valid token did.
	asked askedToken
}

// askedToken is what x/oauth2 did when asked for a valid token: how many
// requests it sent, and whether it gave back the token it held.
type askedToken struct {
	requests int
	same     bool
}

// replyState is the server's last answer, for the assertions.
type replyState struct {
	last *client.Exchange
	err  error
}

// Initialize registers the steps and the hooks that give each scenario a
// fresh world, the @app scenarios run with the Go reference adapter.
func Initialize(sc *godog.ScenarioContext) { InitializeWith(sc, Config{}) }

// InitializeWith is Initialize with the application under test of cfg.
func InitializeWith(sc *godog.ScenarioContext, cfg Config) {
	s := &scenario{}
	sc.Before(func(ctx context.Context, scn *godog.Scenario) (context.Context, error) {
		name, err := providerOf(scn)
		if err != nil {
			return ctx, err
		}
		// Only the scenario's provider runs; the user goes through its pages.
		srv, err := mocks.New(mocks.Options{Pages: true, Providers: []string{name}})
		if err != nil {
			return ctx, err
		}
		*s = scenario{server: srv, providerName: name, user: userState{browser: client.NewBrowser(srv.TLSConfig())},
			run: appRun{cfg: cfg, faketime: app.Faketime()}}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		s.closeMail()
		s.closeApp()
		if s.app.catcher != nil {
			s.app.catcher.Close()
		}
		// A panic a mail library recovered from fails the scenario, even if
		// every step passed; the servers are closed first, so that every
		// connection has ended.
		var panics []string
		if s.server != nil {
			s.server.Close()
			for _, e := range s.server.World.Events() {
				if e.Outcome == "panic" {
					panics = append(panics, e.Protocol+": "+e.Reason)
				}
			}
		}
		if len(panics) > 0 {
			return ctx, fmt.Errorf("the mail servers panicked: %v", panics)
		}
		return ctx, nil
	})
	s.register(sc)
	s.attachRefusals(sc)
}

// providerOf is the provider a scenario's tag names: exactly one.
func providerOf(scn *godog.Scenario) (string, error) {
	var found []string
	providers := registry.Names()
	for _, tag := range scn.Tags {
		if name := strings.TrimPrefix(tag.Name, "@"); slices.Contains(providers, name) {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("scenario %q carries provider tags %v; it needs exactly one of %v", scn.Name, found, providers)
	}
	return found[0], nil
}

// provider is the scenario's running provider.
func (s *scenario) provider() *mocks.Provider { return s.server.Provider(s.providerName) }

// client finds the provider's client registered under a display name, in
// any of its realms.
func (s *scenario) client(name string) (world.Client, error) {
	for _, realm := range s.server.World.Realms(s.providerName) {
		if c, ok := s.server.World.ClientNamed(realm, name); ok {
			return c, nil
		}
	}
	return world.Client{}, fmt.Errorf("the world has no %s client named %q", s.providerName, name)
}

// act starts a step that asks a server something: the reply of an earlier
// step is forgotten, so a step that got none leaves none for the
// assertions that follow, and they fail rather than read a stale one.
func (s *scenario) act() { s.reply = replyState{} }

// recorder is a client that keeps its last exchange with a server.
type recorder interface {
	Last() (client.Exchange, bool)
}

// record keeps the client's last exchange as the server's last reply.
func (s *scenario) record(app recorder) {
	if e, ok := app.Last(); ok {
		s.reply.last = &e
	}
}

// failf is a failed assertion quoting the server's last reply, which the
// report shows next to the failing step.
// Every secret the scenario holds is shortened in it (client.Redact), so
// no report or log carries a usable token.
func (s *scenario) failf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.reply.last != nil {
		msg += "\nlast server reply: " + s.reply.last.String()
	}
	return fmt.Errorf("%s", s.redact(msg))
}

// redact shortens in msg every token, code and secret the scenario holds.
func (s *scenario) redact(msg string) string {
	secrets := append([]string{s.tokens.first, s.flow.code, s.msal.result.AccessToken}, s.tokens.held...)
	if t := s.tokens.current; t != nil {
		id, _ := t.Extra("id_token").(string)
		secrets = append(secrets, t.AccessToken, t.RefreshToken, id)
	}
	if s.flow.device != nil {
		secrets = append(secrets, s.flow.device.DeviceCode)
	}
	if s.app.oauth != nil {
		secrets = append(secrets, s.app.oauth.Config.ClientSecret)
	}
	for _, sec := range secrets {
		if len(sec) >= 8 {
			msg = strings.ReplaceAll(msg, sec, client.Redact(sec))
		}
	}
	return msg
}
