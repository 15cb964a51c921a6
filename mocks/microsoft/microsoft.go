// Package microsoft is the Microsoft profile of mailoauth: the identity
// platform v2.0 (Entra ID) with its tenants, app registrations and AADSTS
// errors (the M-* entries of PROVIDERS.md) on the neutral authorization
// server, and the rule Exchange Online's mail servers apply to a token
// (EX-*).
package microsoft

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Name is Microsoft's key in the world.
const Name = "microsoft"

// Microsoft's paths (M-01), under /{tenant}. The device login page is
// https://microsoft.com/devicelogin in the real world; the mock serves it
// on its own host.
const (
	AuthorizePath   = "/oauth2/v2.0/authorize"
	TokenPath       = "/oauth2/v2.0/token"
	DeviceCodePath  = "/oauth2/v2.0/devicecode"
	DiscoveryPath   = "/v2.0/.well-known/openid-configuration"
	KeysPath        = "/discovery/v2.0/keys"
	InstancePath    = "/common/discovery/instance"
	DeviceLoginPath = "/devicelogin"
	// ReprocessPath, under /common, shows "Need admin approval" (M-13).
	ReprocessPath = "/reprocess"
	// IntrospectPath is RFC 7662 introspection, which Entra does not have;
	// the mock offers it so a test can ask whether a token is live.
	IntrospectPath = "/mailoauth/introspect"
)

// Options tune the Microsoft mock.
type Options struct {
	// AutoApprove approves an authorization request with no page, as the
	// user its login_hint names or else the world's approve-as user
	// (authserver.AutoApproved): for CI and Go tests.
	AutoApprove bool
}

// Provider is a running fake Microsoft: its authorization server and
// Exchange Online's mail rule.
type Provider struct {
	*authserver.Server
	w    *world.World
	opts Options
}

// New returns the fake Microsoft over w.
func New(w *world.World, opts Options) *Provider {
	p := profile{w: w, loops: newLoopGuard()}
	srv := authserver.New(w, p.server())
	srv.OnReset(p.loops.reset)
	return &Provider{Server: srv, w: w, opts: opts}
}

// Handler serves Entra's endpoints for every tenant.
func (p *Provider) Handler() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc(InstancePath, p.instanceDiscovery).Methods(http.MethodGet)
	r.HandleFunc(DeviceLoginPath, p.DeviceVerification).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(IntrospectPath, p.IntrospectionEndpoint).Methods(http.MethodPost)
	t := r.PathPrefix("/{tenant}").Subrouter()
	t.Use(p.tenant)
	t.Handle(AuthorizePath, p.FaultAt("authorize", p.Authorize)).Methods(http.MethodGet, http.MethodPost)
	t.Handle(TokenPath, p.FaultAt("token", p.Token)).Methods(http.MethodPost)
	t.Handle(DeviceCodePath, p.FaultAt("device", p.DeviceAuthorization)).Methods(http.MethodPost)
	t.HandleFunc(DiscoveryPath, p.discovery).Methods(http.MethodGet)
	t.HandleFunc(KeysPath, p.JWKS).Methods(http.MethodGet)
	t.HandleFunc(AdminConsentPath, p.adminConsent).Methods(http.MethodGet, http.MethodPost)
	t.HandleFunc(AdminConsentV2Path, p.adminConsent).Methods(http.MethodGet, http.MethodPost)
	t.HandleFunc(ReprocessPath, p.reprocess).Methods(http.MethodGet)
	if p.opts.AutoApprove {
		return authserver.AutoApprove(r)
	}
	return r
}

// Resolve returns the realm a tenant segment names: common,
// organizations, consumers, or a tenant by its key, id or one of its
// domains (case-insensitive); ok is false for an unknown tenant.
func (p *Provider) Resolve(segment string) (string, bool) {
	s := strings.ToLower(segment)
	switch s {
	case Common, Organizations, Consumers:
		return s, true
	}
	for _, r := range p.w.Realms(Name) {
		t, ok := TenantOf(p.w, r)
		if !ok {
			continue
		}
		if strings.EqualFold(r.Tenant, s) || t.ID == s {
			return r.Tenant, true
		}
		for _, d := range t.Domains {
			if strings.EqualFold(d, s) {
				return r.Tenant, true
			}
		}
	}
	return "", false
}

// tenant puts the path's tenant in the request's context, or answers
// AADSTS90002 for an unknown one, on every path (M-10).
func (p *Provider) tenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segment := mux.Vars(r)["tenant"]
		realm, ok := p.Resolve(segment)
		if !ok {
			a := answer(90002, vars{tenant: segment})
			call := authserver.Call{Now: p.w.Clock.Now(), Request: r}
			if strings.HasSuffix(r.URL.Path, AuthorizePath) || strings.HasSuffix(r.URL.Path, AdminConsentPath) {
				// The sign-in error page of an unknown application (M-02).
				page := signInErrorPage(a.body(call))
				p.Message(w, page.Status, page.Title, page.Lines...)
				return
			}
			entraJSON.Write(w, http.StatusBadRequest, a.body(call))
			return
		}
		next.ServeHTTP(w, r.WithContext(authserver.WithRealm(r.Context(), realm)))
	})
}

// discovery is the tenant's OpenID Connect configuration (M-01, M-09:
// what MSAL reads, with {tenant} kept for common and organizations).
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	realm := authserver.RealmOf(r.Context())
	segment := mux.Vars(r)["tenant"]
	base := p.BaseURL() + "/" + segment
	if id := r.URL.Query().Get("appid"); id != "" && !isGUID(id) {
		// M-11, F-21: TheNetworg's oauth2-azure asks with ?appid=<client id>.
		call := authserver.Call{Realm: realm, Now: p.w.Clock.Now(), Request: r}
		entraJSON.Write(w, http.StatusBadRequest, answer(90112, vars{}).body(call))
		return
	}
	discoveryJSON.Write(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer(realm),
		"authorization_endpoint":                base + AuthorizePath,
		"token_endpoint":                        base + TokenPath,
		"device_authorization_endpoint":         base + DeviceCodePath,
		"jwks_uri":                              base + KeysPath,
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "nbf", "name", "preferred_username", "oid", "tid", "ver", "email",
			"nonce"},
		"request_uri_parameter_supported": false,
		"tenant_region_scope":             "EU",
		"cloud_instance_name":             "microsoftonline.com",
		"cloud_graph_host_name":           "graph.windows.net",
		"msgraph_host":                    "graph.microsoft.com",
	})
}

// instanceDiscovery answers MSAL's instance discovery for the fake's own
// host (M-09); any other authority is invalid_instance (50049).
func (p *Provider) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	base, _ := url.Parse(p.BaseURL())
	call := authserver.Call{Now: p.w.Clock.Now(), Request: r}
	auth, err := url.Parse(r.URL.Query().Get("authorization_endpoint"))
	if err != nil || auth.Host != base.Host || auth.Scheme != "https" {
		entraJSON.Write(w, http.StatusBadRequest, answer(50049, vars{}).body(call))
		return
	}
	host := base.Host
	entraJSON.Write(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": p.BaseURL() + "/{tenant}" + DiscoveryPath,
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	})
}

// discoveryOrder is the live document's key order (M-01); the keys the
// record does not place follow sorted.
var discoveryOrder = []string{"token_endpoint", "token_endpoint_auth_methods_supported", "jwks_uri", "response_modes_supported",
	"subject_types_supported", "id_token_signing_alg_values_supported", "response_types_supported", "scopes_supported", "issuer",
	"request_uri_parameter_supported", "userinfo_endpoint", "authorization_endpoint", "device_authorization_endpoint"}

// discoveryJSON is the discovery document's style: entraJSON's, keys in
// discoveryOrder.
var discoveryJSON = authserver.JSONStyle{Header: entraJSON.Header, Order: discoveryOrder}

// entraJSON is how Entra's endpoints other than the token endpoint write
// their JSON (M-03's caching header, on one line).
var entraJSON = authserver.JSONStyle{Header: http.Header{"Cache-Control": {"no-store, no-cache"}}}
