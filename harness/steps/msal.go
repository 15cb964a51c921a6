package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// msalWait bounds one MSAL call: MSAL polls a device code until it expires
// (15 minutes of real time), so a scenario whose world never releases the
// token ends here instead.
const msalWait = 10 * time.Second

// msalState is the application written with MSAL, and what it got last.
type msalState struct {
	app    *client.MSAL
	device *public.DeviceCode
	result public.AuthResult
}

// msalSteps are the second real client of the Microsoft scenarios,
// Microsoft's own library for Go (M-09).
func (s *scenario) msalSteps() []stepDef {
	return []stepDef{
		{`^the application uses MSAL as the (public|confidential) client "([^"]*)"(?: with the secret "([^"]*)")?$`,
			"the application uses MSAL for a registered app, at the scenario's authority", s.usesMSAL},
		{`^MSAL asks for a device code for "([^"]*)"$`, "AcquireTokenByDeviceCode for those scopes", s.msalDeviceCode},
		{`^MSAL's device code message starts with "([^"]*)"$`, "the message MSAL shows the user starts so", s.msalMessage},
		{`^MSAL waits for the device code result$`, "MSAL polls until the device code gives a token or an error", s.msalDeviceResult},
		{`^` + email + ` signs in through MSAL's interactive flow for "([^"]*)"$`,
			"AcquireTokenInteractive: the user's browser signs in and posts the code back to MSAL", s.msalInteractive},
		{`^` + email + ` signs in through MSAL's authorization code URL for "([^"]*)"(?: and MSAL redeems the code for "([^"]*)")?$`,
			"a confidential client's AuthCodeURL, the user's browser, AcquireTokenByAuthCode", s.msalAuthCode},
		{`^MSAL acquires a token silently for ` + email + ` for "([^"]*)"$`, "AcquireTokenSilent for the user's cached account", s.msalSilent},
		{`^MSAL acquires a token by client credentials for "([^"]*)"$`, "a daemon's AcquireTokenByCredential", s.msalCredential},
		{`^MSAL's token came from (the cache|the identity provider)$`, "where MSAL's last token came from", s.msalSource},
		{`^MSAL's account is ` + email + `$`, "the account MSAL made of the token response is the user's", s.msalAccount},
		{`^MSAL fails with "([^"]*)"$`, "MSAL's last call failed with an error holding that text", s.msalFails},
	}
}

// usesMSAL sets up the application with MSAL at the scenario's authority
// (organizations unless a step chose another), for a registered app: its
// loopback listener as for x/oauth2, and for a confidential client its
// first secret unless the step gives another.
func (s *scenario) usesMSAL(kind, name, secret string) error {
	if err := s.usesClient(name); err != nil {
		return err
	}
	segment := s.app.authority
	if segment == "" {
		segment = microsoft.Organizations
	}
	authority := s.provider().URL + "/" + segment
	tlsConfig := s.server.CA.ClientConfig()
	var err error
	if kind == "public" {
		s.msal.app, err = client.NewMSALPublic(s.app.reg.ID, authority, tlsConfig)
		return err
	}
	if secret == "" {
		secret = s.app.oauth.Config.ClientSecret
	}
	s.msal.app, err = client.NewMSALConfidential(s.app.reg.ID, secret, authority, tlsConfig)
	return err
}

func (s *scenario) msalPublic() (*public.Client, error) {
	if s.msal.app == nil || s.msal.app.Public == nil {
		return nil, fmt.Errorf("the application does not use MSAL as a public client")
	}
	return s.msal.app.Public, nil
}

// tookMSAL keeps what MSAL returned, as the token the application holds.
func (s *scenario) tookMSAL(res public.AuthResult, err error) {
	s.record(s.msal.app)
	s.reply.err = err
	if err != nil {
		return
	}
	s.msal.result = res
	s.tokens.current = &oauth2.Token{AccessToken: res.AccessToken, TokenType: "Bearer", Expiry: res.ExpiresOn}
}

// msalDeviceCode is AcquireTokenByDeviceCode: MSAL derives the devicecode
// endpoint from the discovery document's token endpoint (M-09).
func (s *scenario) msalDeviceCode(ctx context.Context, scope string) error {
	s.act()
	pc, err := s.msalPublic()
	if err != nil {
		return err
	}
	dc, err := pc.AcquireTokenByDeviceCode(ctx, strings.Fields(scope))
	s.record(s.msal.app)
	s.reply.err = err
	if err != nil {
		return nil
	}
	s.msal.device = &dc
	s.flow.device = &oauth2.DeviceAuthResponse{DeviceCode: dc.Result.DeviceCode, UserCode: dc.Result.UserCode,
		VerificationURI: dc.Result.VerificationURL, Expiry: dc.Result.ExpiresOn, Interval: int64(dc.Result.Interval)}
	return nil
}

func (s *scenario) msalMessage(prefix string) error {
	if s.msal.device == nil {
		return s.failf("MSAL has no device code")
	}
	if !strings.HasPrefix(s.msal.device.Result.Message, prefix) {
		return s.failf("MSAL's message is %q, want it to start with %q", s.msal.device.Result.Message, prefix)
	}
	return nil
}

// msalDeviceResult is DeviceCode.AuthenticationResult: MSAL polls the token
// endpoint by itself (50 ms after the call, then at growing intervals)
// until the answer is neither authorization_pending nor slow_down.
func (s *scenario) msalDeviceResult(ctx context.Context) error {
	s.act()
	if s.msal.device == nil {
		return s.failf("MSAL has no device code")
	}
	ctx, cancel := context.WithTimeout(ctx, msalWait)
	defer cancel()
	res, err := s.msal.device.AuthenticationResult(ctx)
	s.tookMSAL(res, err)
	return nil
}

// msalInteractive is AcquireTokenInteractive: MSAL listens on
// http://localhost on a free port, asks for the code with PKCE and
// response_mode=form_post, and opens the user's browser on the
// authorization URL; the browser signs in and posts the code back.
func (s *scenario) msalInteractive(ctx context.Context, user, scope string) error {
	s.act()
	pc, err := s.msalPublic()
	if err != nil {
		return err
	}
	b := s.user.browser
	b.Email, b.Password = user, s.password(user)
	ctx, cancel := context.WithTimeout(ctx, msalWait)
	defer cancel()
	res, err := pc.AcquireTokenInteractive(ctx, strings.Fields(scope), public.WithOpenURL(func(u string) error {
		page, err := b.Visit(ctx, u)
		s.flow.page = page
		return err
	}))
	s.tookMSAL(res, err)
	return nil
}

// msalAuthCode is a web app's flow with a confidential client (seed 001):
// AuthCodeURL, the user's browser to the application's registered
// redirect URI, AcquireTokenByAuthCode with the secret, for the same
// scopes unless redeemScope names others.
func (s *scenario) msalAuthCode(ctx context.Context, user, scope, redeemScope string) error {
	s.act()
	if s.msal.app == nil || s.msal.app.Confidential == nil {
		return fmt.Errorf("the application does not use MSAL as a confidential client")
	}
	cc := s.msal.app.Confidential
	scopes := strings.Fields(scope)
	u, err := cc.AuthCodeURL(ctx, s.app.reg.ID, s.app.catcher.URL, scopes)
	if err != nil {
		return err
	}
	b := s.user.browser
	b.Email, b.Password = user, s.password(user)
	if s.flow.page, err = b.Visit(ctx, u); err != nil {
		return err
	}
	s.flow.redirect, _ = s.app.catcher.Result()
	if s.flow.code = s.flow.redirect.Get("code"); s.flow.code == "" {
		return s.failf("no code reached the application (page %q)", s.flow.page.Title)
	}
	if redeemScope != "" {
		scopes = strings.Fields(redeemScope)
	}
	res, err := cc.AcquireTokenByAuthCode(ctx, s.flow.code, s.app.catcher.URL, scopes)
	s.tookMSAL(res, err)
	return nil
}

// msalSilent is AcquireTokenSilent for the cached account of user: the
// cached access token while it is valid, else a refresh with the cached
// refresh token.
func (s *scenario) msalSilent(ctx context.Context, user, scope string) error {
	s.act()
	pc, err := s.msalPublic()
	if err != nil {
		return err
	}
	accounts, err := pc.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if a.PreferredUsername == user {
			res, err := pc.AcquireTokenSilent(ctx, strings.Fields(scope), public.WithSilentAccount(a))
			s.tookMSAL(res, err)
			return nil
		}
	}
	return s.failf("MSAL's cache has no account for %s (it has %d)", user, len(accounts))
}

// msalCredential is a daemon's AcquireTokenByCredential (seed 002): from
// MSAL's cache while the app token is valid, else from the token endpoint.
func (s *scenario) msalCredential(ctx context.Context, scope string) error {
	s.act()
	if s.msal.app == nil || s.msal.app.Confidential == nil {
		return fmt.Errorf("the application does not use MSAL as a confidential client")
	}
	res, err := s.msal.app.Confidential.AcquireTokenByCredential(ctx, strings.Fields(scope))
	s.tookMSAL(res, err)
	return nil
}

func (s *scenario) msalSource(source string) error {
	if s.reply.err != nil {
		return s.failf("MSAL failed: %v", s.reply.err)
	}
	got := s.msal.result.Metadata.TokenSource
	want := map[string]public.TokenSource{"the cache": public.TokenSourceCache,
		"the identity provider": public.TokenSourceIdentityProvider}[source]
	if s.msal.result.AccessToken == "" || got != want {
		return s.failf("MSAL's token came from source %d, want %s", got, source)
	}
	return nil
}

// msalAccount checks the account MSAL made of the token response: its home
// account id is the user's object id and tenant id, from client_info.
func (s *scenario) msalAccount(user string) error {
	if s.reply.err != nil {
		return s.failf("MSAL failed: %v", s.reply.err)
	}
	acct, realm, err := s.msAccount(user)
	if err != nil {
		return err
	}
	tenant, _ := microsoft.TenantOf(s.server.World, realm)
	got := s.msal.result.Account
	if got.PreferredUsername != user || got.HomeAccountID != acct.ID+"."+tenant.ID {
		return s.failf("MSAL's account is %q (home account %q), want %s (%s.%s)",
			got.PreferredUsername, got.HomeAccountID, user, acct.ID, tenant.ID)
	}
	return nil
}

func (s *scenario) msalFails(text string) error {
	if s.reply.err == nil {
		return s.failf("MSAL did not fail")
	}
	if !strings.Contains(s.reply.err.Error(), text) {
		return s.failf("MSAL failed with %q, want %q in it", s.reply.err, text)
	}
	return nil
}
