// Package google is the Google profile of mailoauth: Google's OAuth 2.0
// endpoints and quirks (the G-* entries of PROVIDERS.md) on the neutral
// authorization server, and the rule Gmail's mail servers apply to a token
// (GM-01).
package google

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Name is Google's key in the world.
const Name = "google"

// Google's paths (G-01). In the real world they are spread over
// accounts.google.com, oauth2.googleapis.com, www.google.com and
// openidconnect.googleapis.com; the mock serves them all from one host.
const (
	AuthPath       = "/o/oauth2/v2/auth"
	TokenPath      = "/token"
	DeviceCodePath = "/device/code"
	RevokePath     = "/revoke"
	DiscoveryPath  = "/.well-known/openid-configuration"
	UserinfoPath   = "/v1/userinfo"
	JWKSPath       = "/oauth2/v3/certs"
	DevicePagePath = "/device"
	// IntrospectPath is RFC 7662 introspection. Google has no such endpoint;
	// the mock offers it so a test can ask whether a token is live.
	IntrospectPath = "/mailoauth/introspect"
)

// Realm is Google's place in the world: it has no tenants.
var Realm = world.Realm{Provider: Name}

// Google's client types, as its console names them.
const (
	// Web is "Web application": exact redirect URIs, a secret.
	Web = "web"
	// Desktop is "Desktop app": loopback redirects on any port (G-10).
	Desktop = "desktop"
	// LimitedInput is "TVs and Limited Input devices": the device flow (G-11).
	LimitedInput = "limited-input"
)

// ClientSettings are a Google client's own attributes.
type ClientSettings struct {
	// Testing marks a client whose project's consent screen is in the
	// "Testing" publishing status (G-08).
	Testing bool
	// TestUsers are the consent screen's test users: while the app is in
	// Testing, a user who is not one of them gets G-14's "Access blocked"
	// page. Nil (no test_users key), every user is taken for a test user (a
	// world that does not model the list) [INF]; an empty list (test_users:
	// [], or the last one removed) admits no one.
	TestUsers []string
	// Playground marks the OAuth 2.0 Playground's own client: the
	// Playground revokes the refresh tokens minted with it after 24 hours
	// (G-17, F-36).
	Playground bool
}

// testUser reports whether email may sign in to the app while it is in
// Testing.
func (s ClientSettings) testUser(email string) bool {
	return s.TestUsers == nil || s.isTestUser(email)
}

// isTestUser reports whether email is one of the listed test users.
func (s ClientSettings) isTestUser(email string) bool {
	return slices.ContainsFunc(s.TestUsers, func(u string) bool { return strings.EqualFold(u, email) })
}

// Settings are Google's own settings in a world file (the keys beside
// clients and users): the Workspace domains whose admin restricts
// third-party access.
type Settings struct {
	// Workspaces are by domain (the part of a user's address after "@").
	Workspaces map[string]Workspace
}

// Workspace is a Google Workspace domain's API controls (G-14, F-34).
type Workspace struct {
	// BlockedClients are the OAuth client ids its admin blocked.
	BlockedClients []string `yaml:"blocked_clients"`
	// Message is the admin's custom text, which the token endpoint gives
	// as the error_description (G-07); empty: the sentence of Google's
	// page [INF].
	Message string `yaml:"message"`
}

// defaultPolicyMessage is what Google's page says of a Workspace block
// (G-14, 2024 wording).
const defaultPolicyMessage = "Access to your account data is restricted by policies within your organization. Please contact the administrator of your organization for more information."

// Schema reads Google's clients from a world file: name, id, secret, type
// (web, desktop or limited-input), redirect_uris, testing, test_users and
// playground;
// and Google's settings: workspaces.
func Schema() world.Schema { return schema{} }

type schema struct{}

// DecodeClient implements world.Schema.
func (schema) DecodeClient(n *yaml.Node) (world.Client, error) {
	var f struct {
		world.ClientFields `yaml:",inline"`
		Type               string   `yaml:"type"`
		Testing            bool     `yaml:"testing"`
		TestUsers          []string `yaml:"test_users"`
		Playground         bool     `yaml:"playground"`
	}
	if err := world.DecodeStrict(n, &f); err != nil {
		return world.Client{}, err
	}
	switch f.Type {
	case Web, Desktop, LimitedInput:
	default:
		return world.Client{}, fmt.Errorf("client %q has type %q; Google's are web, desktop and limited-input", f.ID, f.Type)
	}
	return world.Client{Name: f.Name, ID: f.ID, Secret: f.Secret, Secrets: f.Secrets, Type: f.Type, RedirectURIs: f.RedirectURIs,
		Public: f.Secret == "" && len(f.Secrets) == 0, Settings: ClientSettings{Testing: f.Testing, TestUsers: f.TestUsers, Playground: f.Playground}}, nil
}

// EncodeClient implements world.EncodingSchema.
func (schema) EncodeClient(c world.Client) map[string]any {
	m := map[string]any{"name": c.Name, "id": c.ID, "type": c.Type, "redirect_uris": world.Strings(c.RedirectURIs)}
	world.EncodeSecrets(c, m)
	s, _ := c.Settings.(ClientSettings)
	if s.Testing {
		m["testing"] = true
	}
	if s.TestUsers != nil {
		m["test_users"] = world.Strings(s.TestUsers)
	}
	if s.Playground {
		m["playground"] = true
	}
	return m
}

// DecodeRealm implements world.RealmSchema: Google's settings.
func (schema) DecodeRealm(_ string, keys map[string]yaml.Node) (any, error) {
	var f struct {
		Workspaces map[string]Workspace `yaml:"workspaces"`
	}
	node := &yaml.Node{Kind: yaml.MappingNode}
	for k, v := range keys {
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &v)
	}
	if err := world.DecodeStrict(node, &f); err != nil {
		return nil, err
	}
	ws := map[string]Workspace{}
	for domain, p := range f.Workspaces {
		ws[strings.ToLower(domain)] = p
	}
	return Settings{Workspaces: ws}, nil
}

// EncodeRealm implements world.EncodingSchema.
func (schema) EncodeRealm(settings any) map[string]any {
	s, _ := settings.(Settings)
	if len(s.Workspaces) == 0 {
		return nil
	}
	ws := map[string]any{}
	for domain, p := range s.Workspaces {
		m := map[string]any{"blocked_clients": world.Strings(p.BlockedClients)}
		if p.Message != "" {
			m["message"] = p.Message
		}
		ws[domain] = m
	}
	return map[string]any{"workspaces": ws}
}

// SetTesting sets the publishing status of a client's consent screen to
// Testing (true) or In production (false), as in Google's console.
func SetTesting(w *world.World, clientID string, testing bool) error {
	return w.UpdateClient(Realm, clientID, func(c *world.Client) {
		s, _ := c.Settings.(ClientSettings)
		s.Testing = testing
		c.Settings = s
	})
}

// AddTestUsers adds users to the test users of a client's consent screen
// (G-14), as in Google's console; one already there (in any case) is not
// added twice.
func AddTestUsers(w *world.World, clientID string, users ...string) error {
	return w.UpdateClient(Realm, clientID, func(c *world.Client) {
		s, _ := c.Settings.(ClientSettings)
		s.TestUsers = slices.Clone(s.TestUsers)
		for _, u := range users {
			if !s.isTestUser(u) {
				s.TestUsers = append(s.TestUsers, u)
			}
		}
		c.Settings = s
	})
}

// RemoveTestUsers removes users (in any case) from the test users of a
// client's consent screen (G-14), as in Google's console. The list stays
// a list: an app in Testing whose last test user is removed admits no one.
// A client with no list (every user a test user) keeps none.
func RemoveTestUsers(w *world.World, clientID string, users ...string) error {
	return w.UpdateClient(Realm, clientID, func(c *world.Client) {
		s, _ := c.Settings.(ClientSettings)
		if s.TestUsers == nil {
			return
		}
		s.TestUsers = slices.DeleteFunc(append([]string{}, s.TestUsers...), func(u string) bool {
			return slices.ContainsFunc(users, func(r string) bool { return strings.EqualFold(r, u) })
		})
		c.Settings = s
	})
}

// SetPlayground makes a client the OAuth 2.0 Playground's own (true) or
// an ordinary one (false) (G-17): the refresh tokens minted with it from
// then on live 24 hours, or as long as Google's others.
func SetPlayground(w *world.World, clientID string, playground bool) error {
	return w.UpdateClient(Realm, clientID, func(c *world.Client) {
		s, _ := c.Settings.(ClientSettings)
		s.Playground = playground
		c.Settings = s
	})
}

// BlockClient is a Workspace admin blocking a client in the domain's API
// controls (G-14, F-34); message is the admin's custom text ("" keeps the
// domain's). A client already blocked is not listed twice.
func BlockClient(w *world.World, domain, clientID, message string) {
	updateWorkspace(w, domain, func(p *Workspace) {
		if !slices.Contains(p.BlockedClients, clientID) {
			p.BlockedClients = append(slices.Clone(p.BlockedClients), clientID)
		}
		if message != "" {
			p.Message = message
		}
	})
}

// UnblockClient is a Workspace admin lifting the domain's block on a
// client (G-14: the client is trusted again); it reports whether the
// domain blocked it.
func UnblockClient(w *world.World, domain, clientID string) bool {
	if !slices.Contains(WorkspaceOf(w, domain).BlockedClients, clientID) {
		return false
	}
	updateWorkspace(w, domain, func(p *Workspace) {
		p.BlockedClients = slices.DeleteFunc(slices.Clone(p.BlockedClients), func(id string) bool { return id == clientID })
	})
	return true
}

// WorkspaceOf is the API controls of a Workspace domain (any case); the
// zero Workspace for a domain the world does not list.
func WorkspaceOf(w *world.World, domain string) Workspace {
	s, _ := w.RealmSettings(Realm).(Settings)
	return s.Workspaces[strings.ToLower(domain)]
}

// updateWorkspace applies change to the domain's API controls, the
// domain listed from then on.
func updateWorkspace(w *world.World, domain string, change func(*Workspace)) {
	update := func(settings any) any {
		s, _ := settings.(Settings)
		ws := maps.Clone(s.Workspaces)
		if ws == nil {
			ws = map[string]Workspace{}
		}
		domain := strings.ToLower(domain)
		p := ws[domain]
		change(&p)
		ws[domain] = p
		return Settings{Workspaces: ws}
	}
	if w.UpdateRealm(Realm, update) != nil {
		w.SetRealm(Realm, update(nil))
	}
}

// policyBlock is the Workspace block of the user's domain on the client,
// if any: its failure, whose description is the admin's text.
func policyBlock(w *world.World, user world.Account, clientID string) *authserver.Failure {
	_, domain, _ := strings.Cut(user.Email, "@")
	p := WorkspaceOf(w, domain)
	if !slices.Contains(p.BlockedClients, clientID) {
		return nil
	}
	msg := p.Message
	if msg == "" {
		msg = defaultPolicyMessage
	}
	return &authserver.Failure{Kind: authserver.ProviderRefused, Code: "admin_policy_enforced", Detail: user.Email, Description: msg}
}

// Options tune the Google mock.
type Options struct {
	// AutoApprove approves an authorization request with no page, as the
	// user its login_hint names or else the world's approve-as user
	// (authserver.AutoApproved): for CI and Go tests.
	AutoApprove bool
}

// Provider is a running fake Google: its authorization server and its mail
// rule.
type Provider struct {
	*authserver.Server
	opts Options
}

// New returns the fake Google over w.
func New(w *world.World, opts Options) *Provider {
	return &Provider{Server: authserver.New(w, Profile(w)), opts: opts}
}

// Handler serves Google's endpoints.
func (p *Provider) Handler() http.Handler {
	r := mux.NewRouter()
	r.Handle(AuthPath, p.FaultAt("authorize", p.Authorize)).Methods(http.MethodGet, http.MethodPost)
	r.Handle(TokenPath, p.FaultAt("token", p.Token))
	r.Handle(DeviceCodePath, p.FaultAt("device", p.DeviceAuthorization))
	r.HandleFunc(DevicePagePath, p.DeviceVerification).Methods(http.MethodGet, http.MethodPost)
	r.Handle(RevokePath, p.FaultAt("revoke", p.revoke))
	r.HandleFunc(DiscoveryPath, p.discovery).Methods(http.MethodGet)
	r.Handle(UserinfoPath, p.FaultAt("userinfo", p.userinfo)).Methods(http.MethodGet, http.MethodPost)
	r.Handle("/oauth2/v3/userinfo", p.FaultAt("userinfo", p.userinfo)).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(IntrospectPath, p.IntrospectionEndpoint).Methods(http.MethodPost)
	r.HandleFunc(JWKSPath, p.JWKS).Methods(http.MethodGet)
	if p.opts.AutoApprove {
		return authserver.AutoApprove(r)
	}
	return r
}

// revoke is G-09: POST /revoke?token=... (or token in the form), no client
// authentication; revoking an access token revokes its refresh token too.
// Success is 200. For a token that is unknown or already revoked Google
// answers 400 "with an error code" whose body is NOT FOUND: the mock sends
// RFC 6750's invalid_token.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "POST")
		googleJSON.Write(w, http.StatusMethodNotAllowed, googleError{Error: "invalid_request"})
		return
	}
	if err := r.ParseForm(); err != nil {
		googleJSON.Write(w, http.StatusBadRequest, googleError{Error: "invalid_request"})
		return
	}
	if f := p.Fault(r); f != nil {
		p.WriteFault(w, *f)
		return
	}
	token := r.Form.Get("token")
	if token == "" {
		googleJSON.Write(w, http.StatusBadRequest, googleError{Error: "invalid_request", Description: "Missing required parameter: token"})
		return
	}
	if !p.Revoke(r.Context(), token) {
		googleJSON.Write(w, http.StatusBadRequest, googleError{Error: "invalid_token"})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
}

// discovery is the OpenID Connect discovery document, with this server's
// endpoints under the keys Google's document uses. The issuer is the one in
// the ID tokens (SetIssuer), else the URL the request came to.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	base := "https://" + r.Host
	if r.TLS == nil {
		base = "http://" + r.Host
	}
	issuer := p.Issuer("")
	if issuer == "" {
		issuer = base
	}
	googleJSON.Write(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              base + JWKSPath,
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"authorization_endpoint":                base + AuthPath,
		"device_authorization_endpoint":         base + DeviceCodePath,
		"token_endpoint":                        base + TokenPath,
		"userinfo_endpoint":                     base + UserinfoPath,
		"revocation_endpoint":                   base + RevokePath,
		"introspection_endpoint":                base + IntrospectPath,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"claims_supported":                      []string{"aud", "email", "email_verified", "exp", "iat", "iss", "name", "sub"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
		"grant_types_supported": []string{"authorization_code", "refresh_token",
			authserver.DeviceGrantType},
	})
}

// userinfo returns the claims of the token's user (RFC 6750 bearer
// authentication; an unusable token gets 401 and a Bearer challenge).
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	if f := p.Fault(r); f != nil {
		p.WriteFault(w, *f)
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		token = r.URL.Query().Get("access_token")
	}
	info := p.Introspect(r.Context(), token)
	if !info.Active {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
		googleJSON.Write(w, http.StatusUnauthorized, googleError{Error: "invalid_token"})
		return
	}
	claims := map[string]any{"sub": Subject(info.User)}
	if hasAny(info.Scopes, "email", "openid", "https://www.googleapis.com/auth/userinfo.email") {
		claims["email"], claims["email_verified"] = info.User, true
	}
	if acct, ok := p.World().Account(Realm, info.User); ok && hasAny(info.Scopes, "profile", "https://www.googleapis.com/auth/userinfo.profile") {
		claims["name"] = acct.Name
	}
	googleJSON.Write(w, http.StatusOK, claims)
}

func hasAny(scopes []string, wanted ...string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(wanted, s) })
}

// Subject is the stable numeric "sub" of a Google account: 21 digits, as
// Google's are, derived from the address.
func Subject(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	n := new(big.Int).SetBytes(sum[:9])
	return fmt.Sprintf("1%020s", n.String())[:21]
}

// googleJSON is how Google's endpoints other than the token endpoint
// (discovery, tokeninfo, userinfo, revoke) write their JSON.
var googleJSON = authserver.JSONStyle{Header: http.Header{"Cache-Control": {"no-cache, no-store, max-age=0, must-revalidate"}}, Indent: true}

// failureChallenge is the JSON Gmail sends, base64-encoded, in its XOAUTH2
// error challenge today (GM-03 [OBS]).
var failureChallenge = []byte(`{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`)

// invalidRequestChallenge is the variant Gmail sends for a token that
// carries the Gmail API's read-only scope instead of the mail scope (GM-03
// [OBS] postalsys/imapflow#157).
var invalidRequestChallenge = []byte(`{"status":"invalid_request","scope":"https://mail.google.com/"}`)

// CheckMail is Gmail's rule for SMTP, IMAP and POP (GM-01): the token must
// be live, issued to the user named in the SASL exchange, and carry
// https://mail.google.com/; gmail.send and the other Gmail API scopes do
// not open a mailbox (seed 000).
func (p *Provider) CheckMail(ctx context.Context, l mailauth.Login) mailauth.Verdict {
	info := p.Introspect(ctx, l.Token)
	v := mailauth.Verdict{Client: info.Client, TokenUser: info.User, Challenge: failureChallenge}
	// Gmail answers every refusal alike (GM-03, GM-04, GM-05): the
	// reasons only go to the audit log, with what was expected and found.
	switch {
	case info.Reason == authserver.TokenExpired:
		v.Reason = mailauth.ReasonExpired
		v.Detail = "token expired at " + info.Expiry.Format(time.RFC3339) + " (world time now " + p.World().Clock.Now().Format(time.RFC3339) + ")"
	case info.Reason == authserver.TokenRevoked:
		v.Reason, v.Detail = mailauth.ReasonRevoked, "the token's grant was revoked"
	case !info.Active:
		v.Reason, v.Detail = mailauth.ReasonUnknownToken, "the token was not issued by this world's Google"
	case !strings.EqualFold(info.User, l.User):
		v.Reason, v.Detail = mailauth.ReasonWrongUser, "user= "+l.User+", but the token was issued to "+info.User
	case !slices.Contains(info.Scopes, MailScope):
		v.Reason = mailauth.ReasonWrongScope
		v.Detail = "Gmail needs " + MailScope + "; the token's scopes: " + strings.Join(info.Scopes, " ")
		if slices.Contains(info.Scopes, "https://www.googleapis.com/auth/gmail.readonly") {
			v.Challenge = invalidRequestChallenge
		}
	default:
		v.OK, v.Challenge = true, nil
	}
	return v
}
