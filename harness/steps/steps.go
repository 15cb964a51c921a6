// Package steps holds the godog step definitions of the scenarios, grouped
// by concern: the application's OAuth flows (oauth.go), the device flow
// (device.go), SMTP and IMAP (mail.go), the world and its clock (world.go)
// and what is asserted on the wire (assert.go). Each scenario gets its own fake world, so scenarios
// can move the clock and run in parallel.
package steps

import (
	"context"
	"fmt"
	"net/url"

	"github.com/cucumber/godog"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// scenario is the state of one running scenario.
type scenario struct {
	server *mocks.Server

	// The application: its registration, its x/oauth2 config and its
	// redirect listener.
	provider string
	reg      world.Client
	app      *client.App
	catcher  *client.Catcher

	// The user: a browser with its own cookies.
	browser *client.Browser

	// The flow in progress.
	state    string
	pkce     string // "", "S256" or "plain"
	verifier string
	sendAs   string // "its", "another" or "no" code verifier
	redirect url.Values
	code     string
	page     client.Page
	token    *oauth2.Token
	refresh  string // the first refresh token the application received
	// heldRefresh are the refresh tokens of repeated authorizations, oldest first.
	heldRefresh []string
	passwords   map[string]string
	device      *oauth2.DeviceAuthResponse
	last        *client.Exchange
	lastError   error
	mail        mailState
}

// Initialize registers the steps and the hooks that give each scenario a
// fresh world.
func Initialize(sc *godog.ScenarioContext) {
	s := &scenario{}
	sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
		srv, err := mocks.New(mocks.Options{Pages: true})
		if err != nil {
			return ctx, err
		}
		*s = scenario{server: srv, browser: client.NewBrowser(srv.CA.ClientConfig())}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		s.closeMail()
		if s.catcher != nil {
			s.catcher.Close()
		}
		if s.server != nil {
			s.server.Close()
		}
		return ctx, nil
	})
	s.registerWorld(sc)
	s.registerOAuth(sc)
	s.registerDevice(sc)
	s.registerMail(sc)
	s.registerAssertions(sc)
}

// record keeps app's last exchange as the server's last reply.
func (s *scenario) record(app *client.App) {
	if e, ok := app.Last(); ok {
		s.last = &e
	}
}

// failf is a failed assertion quoting the server's last reply, which the
// report shows next to the failing step.
func (s *scenario) failf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.last != nil {
		msg += "\nlast server reply: " + s.last.String()
	}
	return fmt.Errorf("%s", msg)
}
