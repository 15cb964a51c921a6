package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	gosasl "github.com/emersion/go-sasl"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Step is one exchange of the application with a provider: what it sent,
// the provider's reply as it came (tokens shortened), and whether it went
// through.
type Step struct {
	Name  string `json:"name"`
	Sent  string `json:"sent"`
	Reply string `json:"reply"`
	Pass  bool   `json:"pass"`
}

// failure is what check knows of the first failing step, for the
// diagnosis.
type failure struct {
	step   string
	code   string // OAuth's error, or the SMTP code
	reply  string // the reply as shown
	status int
}

// runner is one check FILE: the world, the application and what happened.
type runner struct {
	ctx   context.Context
	in    *Input
	app   Application
	srv   *mocks.Server
	prov  *mocks.Provider
	r     *Report
	tok   *oauth2.Token
	fail  *failure
	token map[string]any // the access token's claims, when a JWT
	// refreshed is the refresh step done (refresh_after).
	refreshed bool
}

// Run runs the application of in against the world of in, and diagnoses
// what it found: each step, the decoded token, and the findings, the one
// that explains the first failing step first.
func Run(ctx context.Context, in *Input) (*Report, error) {
	srv, err := mocks.New(mocks.Options{World: in.World, Pages: true})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	ru := &runner{ctx: ctx, in: in, app: in.App, srv: srv, r: &Report{}}
	ru.prov = srv.Provider(in.App.Provider)
	for _, w := range in.Warnings {
		ru.r.note("providers: %s", w)
	}
	if ru.prov == nil {
		ru.step("start", "", fmt.Sprintf("providers: has no %s part: nothing answers the application", in.App.Provider), false)
		ru.failAt("start", "", "")
	} else {
		ru.run()
	}
	ru.diagnose()
	ru.r.finish()
	return ru.r, nil
}

// step records a step.
func (ru *runner) step(name, sent, reply string, pass bool) {
	ru.r.Steps = append(ru.r.Steps, Step{Name: name, Sent: sent, Reply: ru.shown(reply), Pass: pass})
}

// failAt records the first failing step.
func (ru *runner) failAt(step, code, reply string) {
	if ru.fail == nil {
		ru.fail = &failure{step: step, code: code, reply: ru.shown(reply)}
		ru.r.FirstFailure = step
	}
}

// shown replaces the fakes' loopback URLs with the real providers' host
// names.
func (ru *runner) shown(s string) string {
	for _, name := range providerNames {
		if p := ru.srv.Provider(name); p != nil {
			s = strings.ReplaceAll(s, p.URL, "https://"+canonicalHost[name])
		}
	}
	return s
}

// fakeURL maps a URL as typed onto the fake, or records the failing step.
func (ru *runner) fakeURL(step, raw string) (string, bool) {
	provider, pq, err := webTarget(raw)
	if err == nil && provider != ru.app.Provider {
		err = fmt.Errorf("%s is %s's, and the application is set up for %s", raw, provider, ru.app.Provider)
	}
	if err != nil {
		ru.step(step, raw, err.Error(), false)
		ru.failAt(step, "host", err.Error())
		return "", false
	}
	return ru.prov.URL + pq, true
}

func (ru *runner) run() {
	switch ru.app.Flow {
	case "authorization_code":
		if !ru.authorizationCode() {
			return
		}
	case "device_code":
		if !ru.deviceCode() {
			return
		}
	case "client_credentials":
		if !ru.clientCredentials() {
			return
		}
	}
	ru.decodeToken()
	if ru.app.RefreshAfter > 0 {
		ru.refresh()
	}
	if ru.app.Mail != nil {
		ru.mail()
	} else {
		ru.api()
	}
}

// oauthConfig is the application's x/oauth2 configuration, its URLs
// mapped onto the fake.
func (ru *runner) oauthConfig(tokenURL string) oauth2.Config {
	style := oauth2.AuthStyleAutoDetect
	secret := ru.app.ClientSecret
	switch ru.app.TokenEndpointAuthMethod {
	case "client_secret_basic":
		style = oauth2.AuthStyleInHeader
	case "client_secret_post":
		style = oauth2.AuthStyleInParams
	case "none":
		secret, style = "", oauth2.AuthStyleInParams
	}
	return oauth2.Config{ClientID: ru.app.ClientID, ClientSecret: secret, RedirectURL: ru.app.RedirectURI, Scopes: ru.app.Scopes,
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: style}}
}

// password is the account's password in the world: the user knows it.
func (ru *runner) password(user string) string {
	if a, ok := ru.srv.World.FindAccount(ru.app.Provider, user); ok {
		return a.Password
	}
	return ""
}

func (ru *runner) authorizationCode() bool {
	authURL, ok := ru.fakeURL("authorize", ru.app.AuthorizationEndpoint)
	if !ok {
		return false
	}
	tokenURL, ok := ru.fakeURL("token", ru.app.TokenEndpoint)
	if !ok {
		return false
	}
	cfg := ru.oauthConfig(tokenURL)
	cfg.Endpoint.AuthURL = authURL
	app := client.NewApp(cfg, ru.srv.TLSConfig())
	state := oauth2.GenerateVerifier()[:22]
	var opts []oauth2.AuthCodeOption
	verifier := ""
	if ru.app.ClientSecret == "" {
		verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	u := app.Config.AuthCodeURL(state, opts...)
	b := client.NewBrowser(ru.srv.TLSConfig())
	b.Email, b.Password = ru.app.User, ru.password(ru.app.User)
	stopped := b.StopAt(ru.app.RedirectURI)
	sent := "GET " + ru.shownAuthURL(u) + " (the browser signs in as " + ru.app.User + ")"
	page, err := b.Visit(ru.ctx, u)
	redirect, back := stopped()
	switch {
	case back && redirect.Query().Get("code") != "":
		ru.step("authorize", sent, "302 to "+redactURL(redirect), true)
	case back:
		q := redirect.Query()
		reply := "302 to " + redactURL(redirect)
		ru.step("authorize", sent, reply, false)
		ru.failAt("authorize", q.Get("error"), reply+" "+q.Get("error_description"))
		return false
	case err != nil:
		ru.step("authorize", sent, err.Error(), false)
		ru.failAt("authorize", "", err.Error())
		return false
	default:
		reply := fmt.Sprintf("HTTP %d, page %q: %s", page.Status, page.Title, cut(strings.Join(strings.Fields(page.Text), " "), 400))
		ru.step("authorize", sent, reply, false)
		ru.failAt("authorize", "", reply)
		return false
	}
	tok, err := app.Exchange(ru.ctx, redirect.Query().Get("code"), verifier, nil)
	return ru.tokenStep("token", "POST "+ru.app.TokenEndpoint+" grant_type=authorization_code, client "+ru.clientAuth(), app, tok, err)
}

// shownAuthURL is the authorization URL under the endpoint as typed.
func (ru *runner) shownAuthURL(u string) string {
	_, pq, _ := webTarget(ru.app.AuthorizationEndpoint)
	typed := ru.app.AuthorizationEndpoint
	if i := strings.IndexByte(typed, '?'); i >= 0 {
		typed = typed[:i]
	}
	if i := strings.IndexByte(pq, '?'); i >= 0 {
		pq = pq[:i]
	}
	return strings.Replace(u, ru.prov.URL+pq, typed, 1)
}

// redactURL shows a redirect with its code shortened.
func redactURL(u *url.URL) string {
	c := *u
	q := c.Query()
	if code := q.Get("code"); code != "" {
		q.Set("code", redact(code))
	}
	c.RawQuery = q.Encode()
	return c.String()
}

// clientAuth says how the application authenticates at the token
// endpoint.
func (ru *runner) clientAuth() string {
	switch {
	case ru.app.TokenEndpointAuthMethod == "none" || ru.app.ClientSecret == "":
		return "id only (public client)"
	case ru.app.TokenEndpointAuthMethod == "client_secret_basic":
		return "secret in HTTP Basic"
	case ru.app.TokenEndpointAuthMethod == "client_secret_post":
		return "secret in the body"
	}
	return "secret (HTTP Basic, then the body)"
}

// tokenStep records a token request's outcome.
func (ru *runner) tokenStep(name, sent string, app *client.App, tok *oauth2.Token, err error) bool {
	reply := ""
	if ex, ok := app.Last(); ok {
		reply = httpReply(ex)
	}
	if err != nil {
		if reply == "" {
			reply = err.Error()
		}
		var re *oauth2.RetrieveError
		code := ""
		if errors.As(err, &re) {
			code = re.ErrorCode
		}
		ru.step(name, sent, reply, false)
		ru.failAt(name, code, reply)
		if ru.fail != nil && re != nil && re.Response != nil {
			ru.fail.status = re.Response.StatusCode
		}
		return false
	}
	ru.step(name, sent, reply, true)
	ru.tok = tok
	return true
}

func (ru *runner) deviceCode() bool {
	devURL, ok := ru.fakeURL("device authorization", ru.app.DeviceAuthorizationEndpoint)
	if !ok {
		return false
	}
	tokenURL, ok := ru.fakeURL("token", ru.app.TokenEndpoint)
	if !ok {
		return false
	}
	cfg := ru.oauthConfig(tokenURL)
	cfg.Endpoint.DeviceAuthURL = devURL
	app := client.NewApp(cfg, ru.srv.TLSConfig())
	da, err := app.DeviceAuth(ru.ctx)
	sent := "POST " + ru.app.DeviceAuthorizationEndpoint + " client_id, scope=" + strings.Join(ru.app.Scopes, " ")
	reply := ""
	if ex, ok := app.Last(); ok {
		reply = httpReply(ex)
	}
	if err != nil {
		code := ""
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			code = re.ErrorCode
		}
		ru.step("device authorization", sent, firstNonEmpty(reply, err.Error()), false)
		ru.failAt("device authorization", code, firstNonEmpty(reply, err.Error()))
		return false
	}
	ru.step("device authorization", sent, reply, true)
	b := client.NewBrowser(ru.srv.TLSConfig())
	b.Email, b.Password, b.UserCode = ru.app.User, ru.password(ru.app.User), da.UserCode
	page, err := b.Visit(ru.ctx, da.VerificationURI)
	userSent := "GET " + da.VerificationURI + " (the user types " + da.UserCode + " and signs in as " + ru.app.User + ")"
	if err != nil {
		ru.step("user", userSent, err.Error(), false)
		ru.failAt("user", "", err.Error())
		return false
	}
	ru.step("user", userSent, fmt.Sprintf("HTTP %d, page %q", page.Status, page.Title), true)
	tok, err := app.PollDevice(ru.ctx, da)
	return ru.tokenStep("token", "POST "+ru.app.TokenEndpoint+" grant_type=device_code", app, tok, err)
}

func (ru *runner) clientCredentials() bool {
	tokenURL, ok := ru.fakeURL("token", ru.app.TokenEndpoint)
	if !ok {
		return false
	}
	base := ru.oauthConfig(tokenURL)
	cc := clientcredentials.Config{ClientID: base.ClientID, ClientSecret: base.ClientSecret, TokenURL: tokenURL,
		Scopes: ru.app.Scopes, AuthStyle: base.Endpoint.AuthStyle}
	app := client.NewApp(base, ru.srv.TLSConfig())
	tok, err := cc.Token(app.Context(ru.ctx))
	return ru.tokenStep("token", "POST "+ru.app.TokenEndpoint+" grant_type=client_credentials, scope="+strings.Join(ru.app.Scopes, " ")+", client "+ru.clientAuth(), app, tok, err)
}

// decodeToken decodes the access token as check token does.
func (ru *runner) decodeToken() {
	t, claims, err := decodeJWT(ru.tok.AccessToken)
	if err == nil {
		ru.r.Token, ru.token = t, claims
		return
	}
	if g, ok := googleToken(ru.tok.AccessToken, &Report{}); ok {
		ru.r.Token = g
		return
	}
	ru.r.Token = &Token{Kind: "opaque", Shown: redact(ru.tok.AccessToken)}
}

// refresh moves the world's clock by refresh_after and refreshes, as the
// application does.
func (ru *runner) refresh() {
	ru.srv.Advance(ru.app.RefreshAfter)
	ru.refreshed = true
	sent := fmt.Sprintf("%s later: POST %s grant_type=refresh_token", duration(ru.app.RefreshAfter), ru.app.TokenEndpoint)
	if ru.tok.RefreshToken == "" {
		ru.step("refresh", sent, "the token response held no refresh_token: the application keeps the access token it had", false)
		ru.failAt("refresh", "no_refresh_token", "no refresh_token")
		return
	}
	tokenURL, _ := ru.fakeURL("refresh", ru.app.TokenEndpoint)
	app := client.NewApp(ru.oauthConfig(tokenURL), ru.srv.TLSConfig())
	old := *ru.tok
	old.Expiry = time.Unix(1, 0)
	tok, err := app.Token(ru.ctx, &old)
	if ru.tokenStep("refresh", sent, app, tok, err) {
		ru.decodeToken()
	}
}

// mailAddr maps the mail host and port onto the fake's listener.
func (ru *runner) mailAddr() (string, listener, error) {
	m := ru.app.Mail
	h, ok := mailHosts[strings.ToLower(m.Host)]
	if !ok {
		return "", listener{}, fmt.Errorf("%s is no mail host of Google or Microsoft (smtp.office365.com, outlook.office365.com, smtp.gmail.com, imap.gmail.com, pop.gmail.com): the application would reach another server, or none", m.Host)
	}
	l, ok := h.ports[m.Port]
	if !ok {
		return "", listener{}, fmt.Errorf("no answer: %s does not listen on port %d; a real client waits until its connect timeout", m.Host, m.Port)
	}
	p := ru.srv.Provider(h.provider)
	if p == nil {
		return "", listener{}, fmt.Errorf("%s is %s's, and providers: has no %s", m.Host, h.provider, h.provider)
	}
	addr := map[listener]string{{"smtp", false}: p.Mail.SMTP, {"smtp", true}: p.Mail.SMTPS, {"imap", false}: p.Mail.IMAP,
		{"imap", true}: p.Mail.IMAPS, {"pop3", false}: p.Mail.POP3, {"pop3", true}: p.Mail.POP3S}[l]
	return addr, l, nil
}

func (ru *runner) mail() {
	m := ru.app.Mail
	where := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	sent := fmt.Sprintf("connect %s (%s, %s)", where, m.Protocol, m.Security)
	addr, l, err := ru.mailAddr()
	if err != nil {
		ru.step("connect", sent, err.Error(), false)
		ru.failAt("connect", "", err.Error())
		return
	}
	if l.tls && m.Security != "tls" {
		reply := fmt.Sprintf("no greeting: %s:%d starts with TLS and waits for the client's handshake, while the client waits for a greeting; a real client times out", m.Host, m.Port)
		ru.step("connect", sent, reply, false)
		ru.failAt("connect", "", reply)
		return
	}
	switch m.Protocol {
	case "smtp":
		ru.smtp(addr, sent, where)
	case "imap":
		ru.imap(addr, sent, where)
	case "pop3":
		ru.pop3(addr, sent, where)
	}
}

// saslClient is the application's SASL client for its mechanism, and
// what its first message says (the token shortened).
func (ru *runner) saslClient() (gosasl.Client, string) {
	m := ru.app.Mail
	token := ""
	if ru.tok != nil {
		token = ru.tok.AccessToken
	}
	switch m.Mechanism {
	case "XOAUTH2":
		return sasl.NewXOAUTH2Client(m.User, token, nil), "AUTH XOAUTH2 base64(user=" + m.User + "^Aauth=Bearer " + redact(token) + "^A^A)"
	case "OAUTHBEARER":
		return sasl.NewOAuthBearerClient(m.User, token, m.Host, m.Port, nil), "AUTH OAUTHBEARER base64(n,a=" + m.User + ",^Ahost=" + m.Host + "^Aport=" + strconv.Itoa(m.Port) + "^Aauth=Bearer " + redact(token) + "^A^A)"
	case "PLAIN":
		return gosasl.NewPlainClient("", m.User, m.Password), "AUTH PLAIN base64(^@" + m.User + "^@" + strings.Repeat("*", len(m.Password)) + ")"
	case "LOGIN":
		return gosasl.NewLoginClient(m.User, m.Password), "AUTH LOGIN " + m.User + " / " + strings.Repeat("*", len(m.Password))
	}
	return nil, ""
}

// message is what the SMTP step sends: from the sender to the mailbox.
func (ru *runner) message(from string) []byte {
	return []byte("From: " + from + "\r\nTo: " + ru.app.Mail.User + "\r\nSubject: mailoauth check\r\n\r\nSent by mailoauth check.\r\n")
}

func (ru *runner) smtp(addr, sent, where string) {
	m := ru.app.Mail
	sec := client.Security(m.Security)
	s, err := client.DialSMTP(addr, sec, ru.srv.TLSConfig())
	if err != nil {
		ru.step("connect", sent, strings.Join(client.ReplyLines(err), " / "), false)
		ru.failAt("connect", smtpCode(err), strings.Join(client.ReplyLines(err), " "))
		return
	}
	defer s.Close()
	ru.step("connect", sent, firstNonEmpty(s.Greeting(), "connected"), true)
	c, authSent := ru.saslClient()
	if c != nil {
		if err := s.Auth(c); err != nil {
			reply := strings.Join(client.ReplyLines(err), " / ")
			ru.step("authenticate", authSent, reply, false)
			ru.failAt("authenticate", smtpCode(err), reply)
			return
		}
		ru.step("authenticate", authSent, "235 accepted", true)
	}
	from := firstNonEmpty(m.From, m.User)
	for _, cmd := range []struct {
		name, sent string
		do         func() error
	}{
		{"MAIL FROM", "MAIL FROM:<" + from + ">", func() error { return s.Mail(from, nil) }},
		{"RCPT TO", "RCPT TO:<" + m.User + ">", func() error { return s.Rcpt(m.User, nil) }},
		{"DATA", "DATA (From: " + from + ", Subject: mailoauth check)", func() error {
			w, err := s.Data()
			if err != nil {
				return err
			}
			if _, err := w.Write(ru.message(from)); err != nil {
				return err
			}
			return w.Close()
		}},
	} {
		if err := cmd.do(); err != nil {
			reply := strings.Join(client.ReplyLines(err), " / ")
			ru.step(cmd.name, cmd.sent, reply, false)
			ru.failAt(cmd.name, smtpCode(err), reply)
			return
		}
		ru.step(cmd.name, cmd.sent, "250 accepted", true)
	}
	ru.r.Proved = fmt.Sprintf("sent a message through %s as %s (%s, %s)", where, m.User, ru.app.Flow, firstNonEmpty(m.Mechanism, "no AUTH"))
}

// smtpCode is an SMTP error's code ("535"), or "".
func smtpCode(err error) string {
	if lines := client.ReplyLines(err); len(lines) > 0 && len(lines[0]) >= 3 {
		if _, e := strconv.Atoi(lines[0][:3]); e == nil {
			return lines[0][:3]
		}
	}
	return ""
}

// imapReply renders an IMAP refusal as its status line without the tag.
func imapReply(err error) string {
	var ie *imap.Error
	if errors.As(err, &ie) {
		s := string(ie.Type)
		if ie.Code != "" {
			s += " [" + string(ie.Code) + "]"
		}
		return s + " " + ie.Text
	}
	return err.Error()
}

func (ru *runner) imap(addr, sent, where string) {
	m := ru.app.Mail
	s, err := client.DialIMAP(addr, client.Security(m.Security), ru.srv.TLSConfig())
	if err != nil {
		ru.step("connect", sent, err.Error(), false)
		ru.failAt("connect", "", err.Error())
		return
	}
	defer s.Close()
	ru.step("connect", sent, firstNonEmpty(s.Greeting(), "connected"), true)
	c, authSent := ru.saslClient()
	if c != nil {
		if err := s.Authenticate(c); err != nil {
			reply := firstNonEmpty(s.StatusOf("AUTHENTICATE"), imapReply(err))
			ru.step("authenticate", strings.Replace(authSent, "AUTH ", "AUTHENTICATE ", 1), reply, false)
			ru.failAt("authenticate", "", reply)
			return
		}
		ru.step("authenticate", strings.Replace(authSent, "AUTH ", "AUTHENTICATE ", 1), firstNonEmpty(s.StatusOf("AUTHENTICATE"), "OK"), true)
	}
	data, err := s.Select("INBOX", nil).Wait()
	if err != nil {
		reply := firstNonEmpty(s.StatusOf("SELECT"), imapReply(err))
		ru.step("SELECT", "SELECT INBOX", reply, false)
		ru.failAt("SELECT", "", reply)
		return
	}
	ru.step("SELECT", "SELECT INBOX", firstNonEmpty(s.StatusOf("SELECT"), fmt.Sprintf("OK (%d messages)", data.NumMessages)), true)
	ru.r.Proved = fmt.Sprintf("selected INBOX (%d messages) at %s as %s (%s, %s)", data.NumMessages, where, m.User, ru.app.Flow, m.Mechanism)
}

func (ru *runner) pop3(addr, sent, where string) {
	m := ru.app.Mail
	s, err := client.DialPOP3(addr, client.Security(m.Security), ru.srv.TLSConfig())
	if err != nil {
		ru.step("connect", sent, err.Error(), false)
		ru.failAt("connect", "", err.Error())
		return
	}
	defer s.Close()
	ru.step("connect", sent, firstNonEmpty(first(s.Lines), "connected"), true)
	c, authSent := ru.saslClient()
	if c != nil {
		if err := s.Auth(c); err != nil {
			ru.step("authenticate", authSent, err.Error(), false)
			ru.failAt("authenticate", "", err.Error())
			return
		}
		ru.step("authenticate", authSent, last(s.Lines), true)
	}
	n, size, err := s.Stat()
	if err != nil {
		ru.step("STAT", "STAT", err.Error(), false)
		ru.failAt("STAT", "", err.Error())
		return
	}
	ru.step("STAT", "STAT", last(s.Lines), true)
	ru.r.Proved = fmt.Sprintf("read the maildrop (STAT: %d messages, %d bytes) at %s as %s (%s, %s)", n, size, where, m.User, ru.app.Flow, m.Mechanism)
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

func last(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[len(ss)-1]
}

// meQuery is the first command of Trackdéchets' API.
const meQuery = "{ me { email } }"

// api runs Trackdéchets' first command: the user the token is for.
func (ru *runner) api() {
	target, ok := ru.fakeURL("api", ru.app.APIEndpoint)
	if !ok {
		return
	}
	app := client.NewApp(oauth2.Config{}, ru.srv.TLSConfig())
	sent := "POST " + ru.app.APIEndpoint + " " + meQuery + " (Authorization: Bearer " + redact(ru.tok.AccessToken) + ")"
	if err := app.GraphQL(ru.ctx, target, ru.tok.AccessToken, meQuery); err != nil {
		ru.step("api", sent, err.Error(), false)
		ru.failAt("api", "", err.Error())
		return
	}
	ex, _ := app.Last()
	reply := httpReply(ex)
	var body struct {
		Data struct {
			Me struct {
				Email string `json:"email"`
			} `json:"me"`
		} `json:"data"`
	}
	if ex.Status != 200 || json.Unmarshal(ex.Body, &body) != nil || body.Data.Me.Email == "" {
		ru.step("api", sent, reply, false)
		ru.failAt("api", "", reply)
		return
	}
	ru.step("api", sent, reply, true)
	ru.r.Proved = fmt.Sprintf("asked the Trackdéchets API %s with the token and got %s", meQuery, body.Data.Me.Email)
}

// events are the world's audit events of the mail servers and token
// endpoint that refused something, newest last.
func (ru *runner) refusals() []world.Event {
	var out []world.Event
	for _, e := range ru.srv.Events() {
		if e.Outcome == "refused" {
			out = append(out, e)
		}
	}
	return out
}

// httpReply is an HTTP reply on one line: the status and the body, JSON
// compacted, tokens shortened.
func httpReply(ex client.Exchange) string {
	_, body, _ := strings.Cut(ex.String(), "\n")
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(body)) == nil {
		body = buf.String()
	}
	return fmt.Sprintf("HTTP %d %s", ex.Status, cut(strings.Join(strings.Fields(body), " "), 600))
}
