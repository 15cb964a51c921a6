package authserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// autoApproveKey marks a request's context, set by the provider, in which an
// authorization request carrying the login_hint of a known user is approved
// at once, without sign-in or consent pages: the non-interactive path for CI.
type autoApproveKey struct{}

// WithAutoApprove returns ctx with login_hint auto-approval turned on.
func WithAutoApprove(ctx context.Context) context.Context {
	return context.WithValue(ctx, autoApproveKey{}, true)
}

// Authorize is the authorization endpoint (RFC 6749 §4.1.1): it checks the
// client and redirect URI, signs the user in, asks for consent and sends the
// code back to the client.
func (s *Server) Authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, Failure{Kind: InvalidRequest, Description: "malformed request"}, "")
		return
	}
	clientID, redirectURI := r.Form.Get("client_id"), r.Form.Get("redirect_uri")
	reg, ok := s.world.Client(s.profile.Name, clientID)
	if !ok {
		s.authorizeFailure(w, nil, Failure{Kind: UnknownClient, Detail: clientID}, redirectURI)
		return
	}
	if redirectURI != "" && !s.profile.RedirectAllowed(reg, redirectURI) {
		s.authorizeFailure(w, nil, Failure{Kind: RedirectMismatch, Detail: redirectURI}, redirectURI)
		return
	}
	ctx := context.WithValue(r.Context(), approvedRedirectKey{}, redirectURI)
	ar, err := s.oauth.NewAuthorizeRequest(ctx, r)
	if errors.Is(err, fosite.ErrInvalidState) {
		// Providers take any state, or none (G-02: "echoed back verbatim").
		// fosite insists on 8 characters, and checks that last, once the
		// request is complete, so the request it returns is usable.
		err = nil
	}
	if err != nil {
		s.authorizeFailure(w, ar, classifyAuthorize(err), redirectURI)
		return
	}

	user, sid, auto, shown := s.signIn(w, r, reg)
	if shown {
		return
	}
	prompt := strings.Fields(r.Form.Get("prompt"))
	if user == "" {
		if slices.Contains(prompt, "none") {
			s.authorizeFailure(w, ar, Failure{Kind: LoginRequired}, redirectURI)
			return
		}
		s.pages.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", Client: clientName(reg),
			Email: r.Form.Get("login_hint"), Action: formAction(r)})
		return
	}

	scopes := ar.GetRequestedScopes()
	fresh := slices.Contains(prompt, "consent") || !s.world.Consented(s.profile.Name, user, reg.ID, scopes)
	decision := ""
	if r.Method == http.MethodPost && s.cookies.validCSRF(sid, r.Form.Get("csrf")) {
		decision = r.Form.Get("consent")
	}
	switch {
	case decision == "deny":
		s.authorizeFailure(w, ar, Failure{Kind: AccessDenied}, redirectURI)
		return
	case fresh && !auto && decision != "allow":
		if slices.Contains(prompt, "none") {
			s.authorizeFailure(w, ar, Failure{Kind: ConsentRequired}, redirectURI)
			return
		}
		s.pages.render(w, http.StatusOK, "consent", pageData{Title: "Consent", Client: clientName(reg),
			Email: user, Scopes: scopes, CSRF: s.cookies.csrf(sid), Action: formAction(r)})
		return
	}

	for _, scope := range scopes {
		ar.GrantScope(scope)
	}
	s.world.GrantConsent(s.profile.Name, user, reg.ID, scopes)
	sess := newSession(user)
	grant := Grant{Client: reg, User: user, Scopes: scopes, Form: r.Form, FreshConsent: fresh}
	if s.profile.IssueRefreshToken != nil {
		sess.Offline = s.profile.IssueRefreshToken(grant)
	}
	if d := s.refreshExpiry(grant); d > 0 {
		sess.SetExpiresAt(fosite.RefreshToken, time.Now().UTC().Add(d).Round(time.Second))
	}
	acct, _ := s.world.Account(s.profile.Name, user)
	if err := s.openIDClaims(sess, acct, scopes, r.Form.Get("nonce")); err != nil {
		s.authorizeFailure(w, ar, Failure{Kind: ServerError, Description: err.Error()}, redirectURI)
		return
	}
	resp, err := s.oauth.NewAuthorizeResponse(ctx, ar, sess)
	if err != nil {
		s.authorizeFailure(w, ar, classifyAuthorize(err), redirectURI)
		return
	}
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: "authorize",
		User: user, Client: reg.ID, Outcome: "ok"})
	s.oauth.WriteAuthorizeResponse(ctx, w, ar, resp)
}

// signIn finds who is authorizing: the browser's signed-in user, the user
// whose sign-in form was just posted, or, with auto-approval, the login_hint.
// shown is true when it answered with the sign-in page again (wrong
// password).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, reg world.Client) (user, sid string, auto, shown bool) {
	user, sid = s.cookies.user(r)
	if r.Method == http.MethodPost && r.Form.Get("action") == "signin" {
		acct, ok := s.checkPassword(r.Form.Get("email"), r.Form.Get("password"))
		if !ok {
			s.pages.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", Client: clientName(reg),
				Email: r.Form.Get("email"), Error: "Wrong email or password.", Action: formAction(r)})
			return "", "", false, true
		}
		user, sid = acct.Email, s.cookies.signIn(w, acct.Email)
	}
	if hint := r.Form.Get("login_hint"); user == "" && hint != "" && r.Context().Value(autoApproveKey{}) != nil {
		if acct, ok := s.world.Account(s.profile.Name, hint); ok {
			return acct.Email, "", true, false
		}
	}
	return user, sid, false, false
}

// checkPassword returns the account of email if password is its password.
func (s *Server) checkPassword(email, password string) (world.Account, bool) {
	acct, ok := s.world.Account(s.profile.Name, email)
	if !ok || subtle.ConstantTimeCompare([]byte(acct.Password), []byte(password)) != 1 {
		return world.Account{}, false
	}
	return acct, true
}

func clientName(c world.Client) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

// authorizeFailure answers a refused authorization request: back to the
// client's redirect URI when the redirect URI is trustworthy and the
// provider redirects such failures (RFC 6749 §4.1.2.1), else on the
// provider's error page.
func (s *Server) authorizeFailure(w http.ResponseWriter, ar fosite.AuthorizeRequester, f Failure, redirectURI string) {
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: "authorize",
		Client: clientID(ar), Outcome: "refused", Reason: string(f.Kind)})
	if ar == nil || !ar.IsRedirectURIValid() || (s.profile.RedirectsError != nil && !s.profile.RedirectsError(f)) {
		s.errorPage(w, f, redirectURI)
		return
	}
	u := *ar.GetRedirectURI()
	q := u.Query()
	q.Set("error", f.Code())
	if state := ar.GetState(); state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

func clientID(ar fosite.AuthorizeRequester) string {
	if ar == nil || ar.GetClient() == nil || ar.GetClient().GetID() == "" {
		return ""
	}
	return ar.GetClient().GetID()
}

// errorPage shows the provider's error page for f.
func (s *Server) errorPage(w http.ResponseWriter, f Failure, redirectURI string) {
	page := Page{Status: http.StatusBadRequest, Title: "Error 400: " + f.Code(), Lines: []string{f.Description}}
	if s.profile.ErrorPage != nil {
		page = s.profile.ErrorPage(f, redirectURI)
	}
	s.pages.message(w, page.Status, page.Title, page.Lines...)
}
