package serve

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks"
)

// tokenRequest is what POST /api/tokens reads, as a form or JSON.
type tokenRequest struct {
	Provider string `json:"provider"`
	// Client is the registration's name or client id; ClientID the id.
	Client   string `json:"client"`
	ClientID string `json:"client_id"`
	Email    string `json:"email"`
	// Scope is space-separated, as at a token endpoint.
	Scope   string `json:"scope"`
	Tenant  string `json:"tenant"`
	Offline bool   `json:"offline"`
}

// mintTokens is POST /api/tokens (provider, client or client_id, email,
// scope, tenant, offline): the tokens the user would obtain through the
// provider's authorization and token endpoints, obtained so inside serve
// (mocks.Provider.Mint), answered as the token endpoint answered. Without
// email, the client's application token (client credentials).
func (a *admin) mintTokens(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := readInput(w, r, &req, func(form url.Values) error {
		req = tokenRequest{Provider: form.Get("provider"), Client: form.Get("client"), ClientID: form.Get("client_id"),
			Email: form.Get("email"), Scope: form.Get("scope"), Tenant: form.Get("tenant")}
		if v := form.Get("offline"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("offline must be true or false")
			}
			req.Offline = b
		}
		return nil
	}); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	if req.Provider == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"provider required"})
		return
	}
	p := a.m.Provider(req.Provider)
	if p == nil {
		writeJSON(w, http.StatusNotFound, apiError{"no such provider: " + req.Provider})
		return
	}
	client := req.Client
	if client == "" {
		client = req.ClientID
	}
	_, body, err := p.Mint(r.Context(), mocks.TokenRequest{Client: client, User: req.Email, Scopes: strings.Fields(req.Scope),
		Tenant: req.Tenant, Offline: req.Offline})
	var refused *oauth2.RetrieveError
	var denied *mocks.AuthorizationError
	switch {
	case errors.As(err, &refused) && refused.Response != nil:
		writeRaw(w, refused.Response.StatusCode, refused.Body)
	case errors.As(err, &denied) && denied.Code != "":
		writeJSON(w, http.StatusBadRequest, authorizationRefusal{denied.Code, denied.Description, "authorization_endpoint"})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
	default:
		writeRaw(w, http.StatusOK, body)
	}
}

// authorizationRefusal is POST /api/tokens' answer when the authorization
// endpoint redirected with an error instead of a code.
type authorizationRefusal struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
	// At is where the flow stopped: "authorization_endpoint".
	At string `json:"at"`
}

// writeRaw answers JSON already encoded (a token endpoint's).
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
