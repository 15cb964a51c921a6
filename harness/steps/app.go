package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/mailoauth/mailoauth/harness/app"
	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks/tlsca"
	"github.com/mailoauth/mailoauth/mocks/world"
	"github.com/mailoauth/mailoauth/reports"
	"github.com/mailoauth/mailoauth/serve"
)

// Config is how a run drives the application under test of the @app
// scenarios (features/app).
type Config struct {
	// App is the application's command (sh -c 'App "$@"' sh ACTION); ""
	// is the Go reference adapter, run by this very executable.
	App string
	// AppTimeout bounds each action; zero: app.DefaultTimeout.
	AppTimeout time.Duration
}

// appRun is the application under test of an @app scenario: its
// registration, its sandbox and browser endpoint, what it was asked to do
// and how it answered.
type appRun struct {
	cfg Config
	// faketime is libfaketime's path, "" where it is not installed.
	faketime string
	active   bool
	reg      world.Client
	// user is the user who signs in and whose mailbox is used; redirect the
	// registration's redirect URI; scopes what the configuration asks for.
	user, redirect string
	scopes         []string
	clientAuth     string
	mail           struct{ to, subject string }
	security       map[string]string // "IMAP" -> "tls"
	// otherCA gives the application a CA the servers do not chain to.
	otherCA bool
	// tamper replaces the state of the redirect delivered to the
	// application.
	tamper bool
	// frozen, when set, is the application's clock: the world's time it
	// is told while the world's clock moves on (a skewed clock).
	frozen *time.Time
	// device is what the user does with the application's device code:
	// "approve", "deny" or "expire".
	device  string
	sandbox *app.Sandbox
	control *app.Control
	last    *app.Result
	results []app.Result
	browsed []string // what the browser command reported, in order
	mu      sync.Mutex
}

// appSteps drive the application under test (features/app, DESIGN.md "The
// application under test"): its registration and configuration, its
// actions, and what it reported.
func (s *scenario) appSteps() []stepDef {
	return []stepDef{
		{`^the application under test is the "([^"]*)" client$`,
			"the application under test uses that registration, with a redirect URI of its own port registered", s.appIs},
		{`^the application under test asks for "([^"]*)"$`, "MAILOAUTH_SCOPES: the scopes the configuration asks for", s.appScopes},
		{`^the application under test authenticates to the token endpoint with "(client_secret_basic|client_secret_post|none)"$`,
			"MAILOAUTH_CLIENT_AUTH", s.appClientAuth},
		{`^the application under test works for ` + email + `$`, "MAILOAUTH_USER: the user who signs in and whose mailbox is used", s.appUser},
		{`^the application under test reads (IMAP|POP3) (with STARTTLS|with implicit TLS)$`,
			"which of the provider's IMAP or POP3 servers the application is given", s.appSecurity},
		{`^the application under test is given a CA the servers do not chain to$`,
			"MAILOAUTH_CA_FILE names another CA than the one every server's certificate chains to", s.appOtherCA},
		{`^the application's clock stays where it is$`,
			"from now on the application is told the world's current time even when the world's clock moves (a clock behind)", s.appClockStays},
		{`^the redirect to the application will carry a forged state$`,
			"the browser replaces the state of the redirect it delivers to the application", s.appTamper},
		{`^` + email + ` will (approve|deny) the application's device code$`, "what the user does with the device code", s.appDevice},
		{`^nobody will enter the application's device code before it expires$`,
			"the world's clock passes the device code's expiry once the application has it", s.appDeviceExpires},
		{`^the application (signs|tries to sign) ` + email + ` in$`,
			"the authorize action: the application opens its URL with MAILOAUTH_BROWSER, the user signs in", s.appSignsIn},
		{`^the application (gets|tries to get) tokens by the device flow$`, "the device action", s.appDeviceAction},
		{`^the application (gets|tries to get) an application token$`, "the app-token action (client credentials)", s.appTokenAction},
		{`^the application (sends|tries to send) a message to ` + email + ` with the subject "([^"]*)"$`,
			"the send action: one message over SMTP with the stored tokens", s.appSends},
		{`^the application (reads|tries to read) the INBOX$`, "the fetch action: the INBOX over IMAP", s.appFetches},
		{`^the application (reads|tries to read) the maildrop$`, "the pop action: the maildrop over POP3", s.appPops},
		{`^the application (calls|tries to call) the provider's API$`, "the api action: the provider's own API with its token", s.appCallsAPI},
		{`^the application succeeded$`, "the last action exited 0", s.appSucceeded},
		{`^the application failed saying "([^"]*)"$`,
			"the last action exited 1 and its message (JSON error or last stderr line) contains that text, in any case", s.appFailedSaying},
		{`^the application read "([^"]*)"$`, "the subjects of the last fetch or pop include that one", s.appRead},
		{`^the API answered for ` + email + `$`, "the last api action's email", s.appAPIAnswered},
		{`^the world saw (\d+|no|at most \d+|at least \d+) (authorize|authorization_code|refresh_token|client_credentials|device_authorization|urn:ietf:params:oauth:grant-type:device_code) requests?$`,
			"counts the world's audit events of that OAuth request by the application's client", s.appSawRequests},
		{`^the world saw (no|an accepted|a refused) (smtp|imap|pop3) authentication$`,
			"whether any mail authentication reached the world, and its verdict", s.appSawMailAuth},
		{`^every (smtp|imap|pop3) authentication was (XOAUTH2|OAUTHBEARER) as ` + email + ` with a token of the application$`,
			"each mail authentication's mechanism, user= and the client of its token", s.appMailAuthWas},
		{`^the authorization request carried ([a-z_]+)=(\S*)$`,
			"what the world saw of the last authorization request (its Seen entries)", s.appAuthorizeCarried},
		{`^the authorization request's scope (includes|does not include) "([^"]*)"$`,
			"the scope the world saw in the last authorization request", s.appAuthorizeScope},
		{`^the authorization request carried the application's redirect URI$`,
			"the redirect_uri the world saw is MAILOAUTH_REDIRECT_URI", s.appAuthorizeRedirect},
		{`^the authorization request carried no ([a-z_]+)$`, "the last authorization request lacked that parameter", s.appAuthorizeLacked},
		{`^every (authorization_code|refresh_token|client_credentials|urn:ietf:params:oauth:grant-type:device_code) request carried ([a-z_]+)=(\S*)$`,
			"what the world saw of each token request of that grant type", s.appTokenCarried},
		{`^the last refresh_token request carried refresh_generation=(\d+)$`,
			"which refresh token of the chain the last refresh presented (1: the one issued with the code)", s.appRefreshGeneration},
		{`^the (smtp|imap|pop3) authentication used the transport "(starttls|tls)"$`,
			"what the world saw of the mail connection's protection", s.appMailTransport},
		{`^the application waited at least (\d+) seconds? between the device authorization and its first poll$`,
			"the world's record of the device polls: the interval was respected", s.appWaitedInterval},
	}
}

// appProviderDefaults are each provider's configuration as its seeds tell
// customers: the scopes to type, the user, the token endpoint's client
// authentication.
var appProviderDefaults = map[string]struct {
	scopes     map[string]string // by client name; "" for any other
	user       string
	clientAuth string
}{
	"google": {scopes: map[string]string{"": "https://mail.google.com/"}, user: "alice@gmail.test", clientAuth: "client_secret_post"},
	"microsoft": {scopes: map[string]string{
		"":        "https://outlook.office.com/SMTP.Send https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/POP.AccessAsUser.All offline_access",
		"desktop": "https://outlook.office.com/SMTP.Send https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
		"daemon":  "https://outlook.office365.com/.default",
	}, user: "alice@contoso.test", clientAuth: "client_secret_post"},
	"trackdechets": {scopes: map[string]string{}, user: "alice@trackdechets.test", clientAuth: "client_secret_basic"},
}

// appIs makes reg the application's registration, with a redirect URI of
// its own free port registered (the application listens on it), the
// sandbox and the browser endpoint.
func (s *scenario) appIs(name string) error {
	reg, err := s.client(name)
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	host := "localhost"
	if c := consoles[s.providerName]; c.loopback != nil {
		host = c.loopback(reg)
	}
	path := "/"
	if s.providerName == "trackdechets" {
		path = "/callback"
	}
	uri := "http://" + net.JoinHostPort(host, fmt.Sprint(port)) + path
	registered := false
	if c := consoles[s.providerName]; c.register != nil {
		if registered, err = c.register(s.server.World, reg, uri); err != nil {
			return err
		}
	}
	if !registered {
		// The registration holds exactly the scenario's redirect URI.
		if err := s.server.World.UpdateClient(reg.Realm, reg.ID, func(c *world.Client) {
			c.RedirectURIs = []string{uri}
		}); err != nil {
			return err
		}
	}
	reg, _ = s.server.World.Client(reg.Realm, reg.ID)
	d := appProviderDefaults[s.providerName]
	scopes, ok := d.scopes[name]
	if !ok {
		scopes = d.scopes[""]
	}
	auth := d.clientAuth
	if !reg.HasSecret() {
		auth = "none"
	}
	run := &s.run
	run.active, run.reg, run.redirect, run.scopes, run.clientAuth = true, reg, uri, strings.Fields(scopes), auth
	run.user = d.user
	for _, c := range s.provider().Clients() {
		if c.ID == reg.ID && len(c.Mailboxes) > 0 {
			run.user = c.Mailboxes[0]
		}
	}
	run.security = map[string]string{"IMAP": "tls", "POP3": "tls"}
	s.app.reg = reg
	// Another registration for the same scenario (a feature's Background
	// chose one): the application starts afresh.
	s.closeApp()
	run.sandbox, run.control = nil, nil
	if run.control, err = app.NewControl(s.appBrowse); err != nil {
		return err
	}
	return nil
}

// Redirect ports are handed out below Linux's ephemeral range (32768 and
// up), where every listener on port 0 and every outgoing connection take
// theirs: a port chosen here and bound by the application a moment later
// is not taken in between by another scenario's server or connection.
// Each is handed out once per process, from a random start.
const (
	redirectPortLow  = 20000
	redirectPortHigh = 32000
)

var redirectPorts struct {
	once sync.Once
	next atomic.Int64
}

// freePort is a port of 127.0.0.1 that is free now, for the application
// to listen on as its redirect URI.
func freePort() (int, error) {
	redirectPorts.once.Do(func() {
		redirectPorts.next.Store(int64(rand.IntN(redirectPortHigh - redirectPortLow)))
	})
	for range 200 {
		port := redirectPortLow + int(redirectPorts.next.Add(1)%(redirectPortHigh-redirectPortLow))
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return port, nil
		}
	}
	return 0, errors.New("no free port for the redirect URI between 20000 and 32000")
}

func (s *scenario) appScopes(scopes string) error {
	s.run.scopes = strings.Fields(scopes)
	return nil
}

func (s *scenario) appClientAuth(method string) error {
	s.run.clientAuth = method
	return nil
}

func (s *scenario) appUser(user string) error {
	s.run.user = user
	return nil
}

func (s *scenario) appSecurity(protocol, security string) error {
	s.run.security[protocol] = map[string]string{"with STARTTLS": "starttls", "with implicit TLS": "tls"}[security]
	return nil
}

func (s *scenario) appOtherCA() error {
	s.run.otherCA = true
	return nil
}

func (s *scenario) appClockStays() error {
	now := s.server.World.Clock.Now()
	s.run.frozen = &now
	return nil
}

func (s *scenario) appTamper() error {
	s.run.tamper = true
	return nil
}

func (s *scenario) appDevice(_, decision string) error {
	s.run.device = decision
	return nil
}

func (s *scenario) appDeviceExpires() error {
	s.run.device = "expire"
	return nil
}

// appBrowse is the user in the browser the application opened: the
// harness's browser signs in as the application's user, consents or not,
// and follows the redirect to the application's redirect URI (its state
// replaced when the scenario forges it).
func (s *scenario) appBrowse(ctx context.Context, rawURL string) error {
	run := &s.run
	b := s.user.browser
	b.Email, b.Password = run.user, s.password(run.user)
	redirect, _ := url.Parse(run.redirect)
	b.OnRedirect(func(req *http.Request) {
		if run.tamper && req.URL.Host == redirect.Host {
			q := req.URL.Query()
			q.Set("state", "forged-"+q.Get("state"))
			req.URL.RawQuery = q.Encode()
		}
	})
	page, err := b.Visit(ctx, rawURL)
	report := func(msg string) error {
		run.mu.Lock()
		run.browsed = append(run.browsed, msg)
		run.mu.Unlock()
		return errors.New(msg)
	}
	if err != nil {
		return report("the browser could not go through the provider's pages: " + err.Error())
	}
	if !strings.HasPrefix(page.URL, strings.TrimSuffix(run.redirect, "/")) {
		return report(fmt.Sprintf("the browser stopped on %s (HTTP %d, %q) and never reached the redirect URI %s",
			page.URL, page.Status, page.Title, run.redirect))
	}
	return nil
}

// appSetup is the scenario's configuration as the contract's variables
// (built for each action, since steps in between change the world).
func (s *scenario) appSetup() (app.Setup, error) {
	run := &s.run
	p := s.provider()
	desc := p.Describe()
	caPEM := s.server.CA.PEM
	if run.otherCA {
		other, err := tlsca.New()
		if err != nil {
			return app.Setup{}, err
		}
		caPEM = other.PEM
	}
	if run.sandbox == nil {
		self, err := app.Self()
		if err != nil {
			return app.Setup{}, err
		}
		if run.sandbox, err = app.NewSandbox(caPEM, nil, self, run.control.URL); err != nil {
			return app.Setup{}, err
		}
	}
	// The manifest is the world as it is now: steps in between change it.
	manifest, err := json.MarshalIndent(serve.ManifestOf(s.server, run.sandbox.CAFile), "", "  ")
	if err != nil {
		return app.Setup{}, err
	}
	if err := run.sandbox.WriteManifest(manifest); err != nil {
		return app.Setup{}, err
	}
	secret := ""
	if all := run.reg.AllSecrets(); len(all) > 0 {
		secret = all[0].Value
	}
	st := app.Setup{
		Provider: s.providerName, ManifestFile: run.sandbox.ManifestFile, CAFile: run.sandbox.CAFile,
		StateDir: run.sandbox.StateDir, ClientID: run.reg.ID, ClientSecret: secret, RedirectURI: run.redirect,
		ClientAuth: run.clientAuth, Scopes: run.scopes, User: run.user,
		MailFrom: run.user, MailTo: run.mail.to, MailSubject: run.mail.subject,
		MailBody: "Sent by the application under test of mailoauth.",
		Browser:  run.sandbox.Browser, Now: s.server.World.Clock.Now(), Offset: s.server.World.Clock.Offset(),
		Faketime:              run.faketime,
		AuthorizationEndpoint: desc.AuthorizationEndpoint, TokenEndpoint: desc.TokenEndpoint,
		DeviceAuthorizationEndpoint: desc.DeviceAuthorizationEndpoint, DiscoveryURL: desc.DiscoveryURL,
		APIEndpoint: desc.APIEndpoint,
	}
	if run.frozen != nil {
		st.Offset -= s.server.World.Clock.Now().Sub(*run.frozen)
		st.Now = *run.frozen
	}
	if tenant := run.reg.Realm.Tenant; tenant != "" {
		segment := tenant
		for _, t := range desc.Tenants {
			if t.Name == tenant {
				st.Tenant, segment = t.TenantID, t.TenantID
			}
		}
		if s.app.authority != "" {
			segment = s.app.authority
		}
		ep := p.TenantEndpoint(segment)
		st.AuthorizationEndpoint, st.TokenEndpoint, st.DeviceAuthorizationEndpoint = ep.AuthURL, ep.TokenURL, ep.DeviceAuthURL
		st.DiscoveryURL = strings.TrimSuffix(p.URL, "/") + "/" + segment + "/v2.0/.well-known/openid-configuration"
	}
	if p.Mail.SMTP != "" {
		st.SMTP = mailServer(p.Mail.SMTP, "starttls")
		st.IMAP = mailServer(p.Mail.IMAPS, "tls")
		if run.security["IMAP"] == "starttls" {
			st.IMAP = mailServer(p.Mail.IMAP, "starttls")
		}
		st.POP3 = mailServer(p.Mail.POP3S, "tls")
		if run.security["POP3"] == "starttls" {
			st.POP3 = mailServer(p.Mail.POP3, "starttls")
		}
	}
	return st, nil
}

func mailServer(addr, security string) app.MailServer {
	host, port, _ := net.SplitHostPort(addr)
	var n int
	fmt.Sscan(port, &n)
	return app.MailServer{Host: host, Port: n, Security: security}
}

// runner is the application's: the configured command, or the Go
// reference adapter run by this executable.
func (s *scenario) runner() (app.Runner, error) {
	cmd := s.run.cfg.App
	if cmd == "" {
		self, err := app.Self()
		if err != nil {
			return app.Runner{}, err
		}
		cmd = app.ReferenceCommand(self)
	}
	return app.Runner{Command: cmd, Timeout: s.run.cfg.AppTimeout}, nil
}

// act runs one action. An action that needs the application's clock to
// move where libfaketime is absent, an action the application answers 3
// to, end the scenario as not supported (godog's skip, the reason
// attached); one that broke the contract fails it; otherwise the result
// waits for the assertions, or, when must is set, has to be a success.
func (s *scenario) appAct(ctx context.Context, action string, must bool) (context.Context, error) {
	run := &s.run
	if !run.active {
		return ctx, fmt.Errorf("no application under test: start with `the application under test is the \"...\" client`")
	}
	s.act()
	st, err := s.appSetup()
	if err != nil {
		return ctx, err
	}
	if st.Offset/time.Second != 0 && st.Faketime == "" && run.cfg.App != "" {
		return s.notSupported(ctx, action, "not supported on this machine: the world's clock moved and libfaketime "+
			"(Debian's faketime package) is not installed, so the application's own clock cannot follow it")
	}
	rn, err := s.runner()
	if err != nil {
		return ctx, err
	}
	if action == "device" {
		stop := s.playDevice()
		defer stop()
	}
	res := rn.Run(ctx, action, st.Environ(action, os.Environ()), run.sandbox.StateDir)
	if run.cfg.App == "" {
		res.CommandLine = "mailoauth adapter " + action
	}
	run.last = &res
	run.results = append(run.results, res)
	ctx = godog.Attach(ctx, godog.Attachment{FileName: reports.ActionAttachment, MediaType: "text/plain",
		Body: []byte(s.appRedact(res.String()))})
	switch res.Outcome() {
	case app.NotSupported:
		return s.notSupported(ctx, action, "not supported by this application: it answered 3 to "+action)
	case app.Broken:
		return ctx, s.appFail("the %s action %s", action, res.Problem)
	case app.Failed:
		if must {
			return ctx, s.appFail("the %s action failed: %s", action, res.Message())
		}
	}
	return ctx, nil
}

func (s *scenario) notSupported(ctx context.Context, action, reason string) (context.Context, error) {
	ctx = godog.Attach(ctx, godog.Attachment{FileName: reports.UnsupportedAttachment, MediaType: "text/plain", Body: []byte(reason)})
	return ctx, fmt.Errorf("%s: %w", reason, godog.ErrSkip)
}

// appFail is a failed assertion about the application, quoting its last
// action's record.
func (s *scenario) appFail(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if r := s.run.last; r != nil {
		msg += "\napplication: " + r.String()
	}
	s.run.mu.Lock()
	for _, b := range s.run.browsed {
		msg += "\nbrowser: " + b
	}
	s.run.mu.Unlock()
	return fmt.Errorf("%s", s.appRedact(msg))
}

// tokenLike is a run of token characters long enough to be a token, a
// code or a secret the application printed.
var tokenLike = regexp.MustCompile(`[A-Za-z0-9_~+=.-]{32,}`)

// appRedact shortens in msg the secrets the scenario knows and anything
// the application printed that looks like a token (client.Redact).
func (s *scenario) appRedact(msg string) string {
	msg = s.redact(msg)
	if all := s.run.reg.AllSecrets(); len(all) > 0 && len(all[0].Value) >= 8 {
		msg = strings.ReplaceAll(msg, all[0].Value, client.Redact(all[0].Value))
	}
	return tokenLike.ReplaceAllStringFunc(msg, client.Redact)
}

func musts(verb string) bool { return !strings.HasPrefix(verb, "tries") }

func (s *scenario) appSignsIn(ctx context.Context, verb, user string) (context.Context, error) {
	s.run.user = user
	return s.appAct(ctx, "authorize", musts(verb))
}

func (s *scenario) appDeviceAction(ctx context.Context, verb string) (context.Context, error) {
	return s.appAct(ctx, "device", musts(verb))
}

func (s *scenario) appTokenAction(ctx context.Context, verb string) (context.Context, error) {
	return s.appAct(ctx, "app-token", musts(verb))
}

func (s *scenario) appSends(ctx context.Context, verb, to, subject string) (context.Context, error) {
	s.run.mail.to, s.run.mail.subject = to, subject
	return s.appAct(ctx, "send", musts(verb))
}

func (s *scenario) appFetches(ctx context.Context, verb string) (context.Context, error) {
	return s.appAct(ctx, "fetch", musts(verb))
}

func (s *scenario) appPops(ctx context.Context, verb string) (context.Context, error) {
	return s.appAct(ctx, "pop", musts(verb))
}

func (s *scenario) appCallsAPI(ctx context.Context, verb string) (context.Context, error) {
	return s.appAct(ctx, "api", musts(verb))
}

// playDevice plays the user of the application's device code: once the
// world sees the application's device authorization, the user approves
// or denies its code, or the world's clock passes its expiry. It returns
// a function that stops watching.
func (s *scenario) playDevice() (stop func()) {
	run := &s.run
	seen := make(chan struct{}, 1)
	s.server.World.Observe(func(e world.Event) {
		if e.Protocol == "oauth" && e.Mechanism == "device_authorization" && e.Outcome == "ok" && e.Client == run.reg.ID {
			select {
			case seen <- struct{}{}:
			default:
			}
		}
	})
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-seen:
		case <-done:
			return
		}
		codes := s.provider().PendingUserCodes(run.reg.ID)
		for _, code := range codes {
			switch run.device {
			case "deny":
				_ = s.server.DenyDevice(code, run.user)
			case "expire":
				s.server.World.Clock.Advance(time.Hour)
			default:
				_ = s.server.ApproveDevice(code, run.user)
			}
		}
	}()
	return func() {
		s.server.World.Observe(nil)
		close(done)
		<-finished
	}
}

func (s *scenario) appSucceeded() error {
	if r := s.run.last; r == nil || r.Outcome() != app.Done {
		return s.appFail("the application did not succeed")
	}
	return nil
}

func (s *scenario) appFailedSaying(text string) error {
	r := s.run.last
	if r == nil || r.Outcome() != app.Failed {
		return s.appFail("the application was expected to fail (exit 1) saying %q", text)
	}
	if !strings.Contains(strings.ToLower(r.Message()), strings.ToLower(text)) {
		return s.appFail("the application failed saying %q, not %q", r.Message(), text)
	}
	return nil
}

func (s *scenario) appRead(subject string) error {
	r := s.run.last
	if r == nil || r.Outcome() != app.Done {
		return s.appFail("the application did not read anything")
	}
	list, ok := r.Result["subjects"].([]any)
	if !ok {
		return s.appFail(`the application's last stdout line has no "subjects" list`)
	}
	for _, v := range list {
		if v == subject {
			return nil
		}
	}
	return s.appFail("the application read %v, not %q", list, subject)
}

func (s *scenario) appAPIAnswered(user string) error {
	r := s.run.last
	if r == nil || r.Outcome() != app.Done {
		return s.appFail("the application did not call the API")
	}
	if got, _ := r.Result["email"].(string); !strings.EqualFold(got, user) {
		return s.appFail("the application's API result names %q, not %s", got, user)
	}
	return nil
}

// appEvents are the world's events of the application's client for the
// OAuth request or mail protocol kind.
func (s *scenario) appEvents(match func(world.Event) bool) []world.Event {
	var out []world.Event
	for _, e := range s.server.World.Events() {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

func (s *scenario) oauthEvents(mechanism string) []world.Event {
	return s.appEvents(func(e world.Event) bool {
		return e.Protocol == "oauth" && e.Mechanism == mechanism && (e.Client == "" || e.Client == s.run.reg.ID)
	})
}

func (s *scenario) appSawRequests(count, mechanism string) error {
	n := len(s.oauthEvents(mechanism))
	var want int
	ok := false
	switch {
	case count == "no":
		ok = n == 0
	case strings.HasPrefix(count, "at most "):
		fmt.Sscan(strings.TrimPrefix(count, "at most "), &want)
		ok = n <= want
	case strings.HasPrefix(count, "at least "):
		fmt.Sscan(strings.TrimPrefix(count, "at least "), &want)
		ok = n >= want
	default:
		fmt.Sscan(count, &want)
		ok = n == want
	}
	if !ok {
		return s.appFail("the world saw %d %s requests, not %s", n, mechanism, count)
	}
	return nil
}

// mailEvents are the world's authentications over protocol (not its
// delivered messages, Mechanism "message", nor a server's panic).
func (s *scenario) mailEvents(protocol string) []world.Event {
	return s.appEvents(func(e world.Event) bool {
		return e.Protocol == protocol && e.Outcome != "panic" && e.Mechanism != "message"
	})
}

func (s *scenario) appSawMailAuth(verdict, protocol string) error {
	evs := s.mailEvents(protocol)
	want := map[string]string{"an accepted": "ok", "a refused": "refused"}[verdict]
	for _, e := range evs {
		if want != "" && e.Outcome == want {
			return nil
		}
	}
	if verdict == "no" && len(evs) == 0 {
		return nil
	}
	return s.appFail("the world saw %d %s authentications (%s), not %s one", len(evs), protocol, outcomes(evs), verdict)
}

func outcomes(evs []world.Event) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, e.Mechanism+" "+e.User+" "+e.Outcome+" "+e.Reason)
	}
	return strings.Join(parts, "; ")
}

func (s *scenario) appMailAuthWas(protocol, mech, user string) error {
	evs := s.mailEvents(protocol)
	if len(evs) == 0 {
		return s.appFail("the world saw no %s authentication", protocol)
	}
	for _, e := range evs {
		if e.Mechanism != mech || !strings.EqualFold(e.User, user) || e.Outcome == "ok" && e.Client != s.run.reg.ID {
			return s.appFail("a %s authentication was %s as %q with a token of %q (%s), not %s as %s with a token of %s",
				protocol, e.Mechanism, e.User, e.Client, e.Outcome, mech, user, s.run.reg.ID)
		}
		if tu := e.Seen["token_user"]; tu != "" && !strings.EqualFold(tu, user) {
			return s.appFail("a %s authentication as %s carried a token of %s", protocol, user, tu)
		}
	}
	return nil
}

func (s *scenario) lastAuthorize() (world.Event, error) {
	evs := s.oauthEvents("authorize")
	if len(evs) == 0 {
		return world.Event{}, s.appFail("the world saw no authorization request of the application")
	}
	return evs[len(evs)-1], nil
}

func (s *scenario) appAuthorizeCarried(key, value string) error {
	e, err := s.lastAuthorize()
	if err != nil {
		return err
	}
	got, ok := e.Seen[key]
	if !ok || got != value {
		return s.appFail("the authorization request carried %s=%q (present: %v), not %q", key, got, ok, value)
	}
	return nil
}

func (s *scenario) appAuthorizeScope(verb, scope string) error {
	e, err := s.lastAuthorize()
	if err != nil {
		return err
	}
	has := slices.Contains(strings.Fields(e.Seen["scope"]), scope)
	if has != (verb == "includes") {
		return s.appFail("the authorization request's scope was %q", e.Seen["scope"])
	}
	return nil
}

func (s *scenario) appAuthorizeRedirect() error {
	return s.appAuthorizeCarried("redirect_uri", s.run.redirect)
}

func (s *scenario) appAuthorizeLacked(key string) error {
	e, err := s.lastAuthorize()
	if err != nil {
		return err
	}
	if got, ok := e.Seen[key]; ok && got != "absent" {
		return s.appFail("the authorization request carried %s=%q", key, got)
	}
	return nil
}

func (s *scenario) appTokenCarried(grant, key, value string) error {
	evs := s.oauthEvents(grant)
	if len(evs) == 0 {
		return s.appFail("the world saw no %s request", grant)
	}
	for _, e := range evs {
		if got := e.Seen[key]; got != value {
			return s.appFail("a %s request carried %s=%q, not %q", grant, key, got, value)
		}
	}
	return nil
}

func (s *scenario) appRefreshGeneration(gen string) error {
	evs := s.oauthEvents("refresh_token")
	if len(evs) == 0 {
		return s.appFail("the world saw no refresh_token request")
	}
	if got := evs[len(evs)-1].Seen["refresh_generation"]; got != gen {
		return s.appFail("the last refresh presented refresh token generation %q, not %s", got, gen)
	}
	return nil
}

func (s *scenario) appMailTransport(protocol, transport string) error {
	evs := s.mailEvents(protocol)
	if len(evs) == 0 {
		return s.appFail("the world saw no %s authentication", protocol)
	}
	for _, e := range evs {
		if got := e.Seen["transport"]; got != transport {
			return s.appFail("a %s authentication came over %q, not %q", protocol, got, transport)
		}
	}
	return nil
}

func (s *scenario) appWaitedInterval(seconds int) error {
	auths := s.oauthEvents("device_authorization")
	polls := s.oauthEvents("urn:ietf:params:oauth:grant-type:device_code")
	if len(auths) == 0 || len(polls) == 0 {
		return s.appFail("the world saw %d device authorizations and %d polls", len(auths), len(polls))
	}
	if gap := polls[0].Time.Sub(auths[len(auths)-1].Time); gap < time.Duration(seconds)*time.Second {
		return s.appFail("the application polled %s after the device authorization, before the interval of %ds", gap, seconds)
	}
	return nil
}

// decodedSubject is a Subject header with its RFC 2047 encoded words
// decoded, as an application writes a subject with accents
// (=?utf-8?q?R=C3=A9essai?=); the header as it is if it does not decode.
func decodedSubject(raw string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil {
		return raw
	}
	return d
}

// closeApp ends the application's part of the scenario: its browser
// endpoint and its sandbox (its state directory with it).
func (s *scenario) closeApp() {
	if s.run.control != nil {
		s.run.control.Close()
	}
	if s.run.sandbox != nil {
		_ = s.run.sandbox.Close()
	}
}
