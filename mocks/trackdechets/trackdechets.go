// Package trackdechets is the Trackdéchets profile of mailoauth: the French
// waste-tracking platform's OAuth 2.0 server on the neutral authorization
// server (the T-* entries of PROVIDERS.md): the authorization code grant
// alone, HTTP Basic client authentication, a 40-character bearer token that
// never expires and comes back with its user, revocation by the user only.
// It serves the consent dialog and the sign-in and account pages a browser
// sees, the JSON API behind the dialog, the token endpoint, and the
// GraphQL API the token opens (`me`).
package trackdechets

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Name is Trackdéchets' key in the world.
const Name = "trackdechets"

// Trackdéchets' paths (T-01). The real platform spreads them over two
// hosts, the user interface (app.trackdechets.beta.gouv.fr: the dialog,
// sign-in and account pages) and the API (api.trackdechets.beta.gouv.fr:
// the dialog's JSON, the decision, the token endpoint and GraphQL at /);
// the mock serves both from one host.
const (
	DialogPath       = "/oauth2/authorize/dialog"
	AuthorizePath    = "/oauth2/authorize"
	DecisionPath     = "/oauth2/authorize/decision"
	TokenPath        = "/oauth2/token"
	APIPath          = "/"
	LoginPath        = "/login"
	ApplicationsPath = "/account/applications"
)

// Realm is Trackdéchets' place in the world: it has no tenants.
var Realm = world.Realm{Provider: Name}

// Options tune the Trackdéchets mock.
type Options struct {
	// AutoApprove approves an authorization request with no page, as the
	// user its login_hint names or else the world's approve-as user
	// (authserver.AutoApproved): for CI and Go tests.
	AutoApprove bool
}

// Provider is a running fake Trackdéchets.
type Provider struct {
	*authserver.Server
	w     *world.World
	opts  Options
	api   *api
	pages *pages
}

// New returns the fake Trackdéchets over w.
func New(w *world.World, opts Options) *Provider {
	p := &Provider{Server: authserver.New(w, Profile(w)), w: w, opts: opts, pages: newPages()}
	p.api = newAPI(p)
	return p
}

// Handler serves Trackdéchets' pages and API.
func (p *Provider) Handler() http.Handler {
	r := mux.NewRouter()
	r.Handle(DialogPath, p.FaultAt("authorize", p.dialog)).Methods(http.MethodGet)
	r.Handle(AuthorizePath, p.FaultAt("authorize", p.authorizeJSON)).Methods(http.MethodGet)
	r.HandleFunc(DecisionPath, p.decision).Methods(http.MethodPost)
	r.Handle(TokenPath, p.FaultAt("token", oauth2orizeToken(p.Token))).Methods(http.MethodPost)
	r.HandleFunc(LoginPath, p.login).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(ApplicationsPath, p.applications).Methods(http.MethodGet, http.MethodPost)
	r.Handle(APIPath, p.FaultAt("api", p.api.ServeHTTP)).Methods(http.MethodGet, http.MethodPost)
	// Express answers every other path (and method) with its catch-all.
	r.NotFoundHandler = http.HandlerFunc(notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(notFound)
	h := withPermissionsPolicy(r)
	if p.opts.AutoApprove {
		return authserver.AutoApprove(h)
	}
	return h
}

// permissionsPolicy is the Permissions-Policy Trackdéchets' server sets on
// every response (T-07 [CODE] back/src/server.ts); helmet's other headers
// are not modelled, their exact list is not recorded.
const permissionsPolicy = "accelerometer=(), geolocation=(), fullscreen=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), display-capture=()"

// withPermissionsPolicy sets permissionsPolicy on every response of h.
func withPermissionsPolicy(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Permissions-Policy", permissionsPolicy)
		h.ServeHTTP(w, r)
	})
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("Not found"))
}

// RevokeApplication is what the user does in "Mon compte > Applications et
// API" (T-06): every token of user for the application stops opening the
// API. It reports false when the application never had a token of the
// user, which Trackdéchets refuses ("n'a pas accès à votre compte").
func (p *Provider) RevokeApplication(user, clientID string) bool {
	if _, ok := p.Authorizations(user)[clientID]; !ok {
		return false
	}
	p.RevokeAccess(user, clientID)
	return true
}

// safeReturnTo is where the sign-in page may send the browser back to: a
// path of this server, never another site.
func safeReturnTo(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	if u, err := url.Parse(s); err != nil || u.Host != "" {
		return "/"
	}
	return s
}

// midnight is the start of t's day: Trackdéchets records when a token was
// last used to the day (lastUsed, T-05).
func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
