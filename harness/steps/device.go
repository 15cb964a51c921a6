package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailoauth/mailoauth/harness/client"
)

// deviceSteps are the device authorization grant (RFC 8628): the device
// asking for a code and polling, the user approving on another screen.
func (s *scenario) deviceSteps() []stepDef {
	return []stepDef{
		{`^the device uses the "([^"]*)" client$`, "the device uses a registered client by its name", s.deviceUsesClient},
		{`^the device asks for a code for "([^"]*)"$`, "the device authorization request for those scopes, through x/oauth2", s.deviceAsks},
		{`^the device polls the token endpoint$`, "one device access token request", s.devicePolls},
		{`^` + email + ` (approves|denies) the device on the verification page$`,
			"the user, in a browser of their own, types the user code, signs in and decides", s.userDecidesDevice},
		{`^the user code looks like "([^"]*)"$`, "the user code has the example's shape: letters, digits, punctuation", s.userCodeLooksLike},
	}
}

func (s *scenario) deviceUsesClient(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	s.app.reg = reg
	s.app.oauth = s.newApp(reg, "")
	return nil
}

// deviceAsks is the device authorization request (RFC 8628 §3.1) through
// x/oauth2's DeviceAuth, which also reads Google's "verification_url".
func (s *scenario) deviceAsks(ctx context.Context, scope string) error {
	s.act()
	s.app.oauth.Config.Scopes = strings.Fields(scope)
	da, err := s.app.oauth.DeviceAuth(ctx)
	s.record(s.app.oauth)
	s.flow.device, s.reply.err = da, err
	return nil
}

func (s *scenario) devicePolls(ctx context.Context) error {
	s.act()
	if s.flow.device == nil {
		return s.failf("the device has no device code")
	}
	tok, err := s.app.oauth.PollDevice(ctx, s.flow.device)
	s.record(s.app.oauth)
	s.took(tok, err)
	return nil
}

// userDecidesDevice is the second actor: the user, on another screen with
// a browser of their own, opens the verification URL the device showed,
// types the user code, signs in and allows or denies.
func (s *scenario) userDecidesDevice(ctx context.Context, user, decision string) error {
	if s.flow.device == nil {
		return s.failf("the device has no device code")
	}
	b := client.NewBrowser(s.server.CA.ClientConfig())
	b.Email, b.Password, b.UserCode = user, s.password(user), s.flow.device.UserCode
	b.Consent = map[string]string{"approves": "allow", "denies": "deny"}[decision]
	page, err := b.Visit(ctx, s.flow.device.VerificationURI)
	if err != nil {
		return err
	}
	s.flow.page = page
	want := map[string]string{"approves": "Success!", "denies": "Access denied"}[decision]
	if !strings.HasPrefix(page.Title, want+" - ") {
		return fmt.Errorf("the verification page ended on %q (status %d), want %q:\n%s", page.Title, page.Status, want, page.Text)
	}
	return nil
}

// userCodeLooksLike compares the user code's shape with an example: same
// length, letters where it has letters, digits where it has digits, the
// same punctuation.
func (s *scenario) userCodeLooksLike(example string) error {
	if s.flow.device == nil {
		return s.failf("the device has no device code")
	}
	if shape(s.flow.device.UserCode) != shape(example) {
		return s.failf("user code %q does not look like %q", s.flow.device.UserCode, example)
	}
	return nil
}

func shape(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return 'A'
		case r >= 'a' && r <= 'z':
			return 'a'
		case r >= '0' && r <= '9':
			return '9'
		}
		return r
	}, code)
}
