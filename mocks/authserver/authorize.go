package authserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// autoApproveKey marks a request's context, set by the provider, in which an
// authorization request is approved at once, without sign-in or consent
// pages (AutoApproved): the non-interactive path for CI.
type autoApproveKey struct{}

// WithAutoApprove returns ctx with approval without pages turned on.
func WithAutoApprove(ctx context.Context) context.Context {
	return context.WithValue(ctx, autoApproveKey{}, true)
}

// AutoApproving reports whether ctx has approval without pages on.
func AutoApproving(ctx context.Context) bool { return ctx.Value(autoApproveKey{}) != nil }

// AutoApprove wraps a provider's handler so that every request carries
// approval without pages (WithAutoApprove).
func AutoApprove(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(WithAutoApprove(r.Context())))
	})
}

// Transaction is an authorization request the server validated, waiting
// for the user's decision. A provider whose dialog takes two HTTP steps
// holds it between them (Hold, Take).
type Transaction struct {
	// ID names a held transaction.
	ID          string
	Client      world.Client
	RedirectURI string
	State       string
	Scopes      []string
	Form        url.Values

	ar      fosite.AuthorizeRequester
	seen    map[string]string // what the request carried (AuthorizeSeen)
	holder  string
	expires time.Time
}

// trusted reports whether a failure may be sent to the transaction's
// redirect URI (RFC 6749 §4.1.2.1).
func (tx *Transaction) trusted() bool {
	return tx != nil && tx.ar != nil && tx.ar.IsRedirectURIValid()
}

// BeginAuthorize validates an authorization request (RFC 6749 §4.1.1):
// client, redirect URI, response type, scopes, PKCE. A refused request
// comes back with its failure and, when the client and redirect URI were
// valid, the transaction the failure can be redirected through.
func (s *Server) BeginAuthorize(r *http.Request) (*Transaction, *Failure) {
	if err := r.ParseForm(); err != nil {
		return nil, &Failure{Kind: InvalidRequest, Description: "malformed request"}
	}
	c := s.call(r, world.Client{})
	clientID, redirectURI := r.Form.Get("client_id"), r.Form.Get("redirect_uri")
	reg, f := s.findClient(c, clientID)
	if f != nil {
		return nil, f
	}
	c.Client = reg
	seen := AuthorizeSeen(r.Form)
	if redirectURI != "" && !s.profile.RedirectAllowed(c, redirectURI) {
		// The transaction names the client, whose answer may quote it;
		// with no request it is never redirected through.
		return &Transaction{Client: reg}, &Failure{Kind: RedirectMismatch, Detail: redirectURI}
	}
	if s.profile.IgnorePKCE {
		for _, v := range []url.Values{r.Form, r.PostForm} {
			v.Del("code_challenge")
			v.Del("code_challenge_method")
		}
	}
	ctx := context.WithValue(r.Context(), approvedRedirectKey{}, redirectURI)
	ar, err := s.oauth.NewAuthorizeRequest(ctx, r)
	if errors.Is(err, fosite.ErrInvalidState) {
		// Providers take any state, or none (G-02: "echoed back verbatim").
		// fosite insists on 8 characters, and checks that last, once the
		// request is complete, so the request it returns is usable.
		err = nil
	}
	tx := &Transaction{Client: reg, RedirectURI: redirectURI, State: r.Form.Get("state"),
		Form: r.Form, ar: ar, seen: seen}
	if err != nil {
		f := classify(err, "")
		return tx, &f
	}
	if f := checkPKCE(r.Form); f != nil {
		return tx, f
	}
	tx.Scopes = ar.GetRequestedScopes()
	if s.profile.AdmitAuthorize != nil {
		if f := s.profile.AdmitAuthorize(c, tx); f != nil {
			return tx, f
		}
	}
	return tx, nil
}

// CompleteAuthorize ends tx with the user's consent: the profile resolves
// the grant, the code is minted and the user agent redirected to the
// client. fresh says whether the user was shown the consent screen.
func (s *Server) CompleteAuthorize(w http.ResponseWriter, r *http.Request, tx *Transaction, user world.Account, fresh bool) {
	c := s.call(r, tx.Client)
	g, f := s.resolve(c, GrantRequest{GrantType: "authorization_code", User: user, Scopes: tx.Scopes,
		Form: tx.Form, FreshConsent: fresh, Consented: s.world.ConsentedScopes(user.Realm, user.Email, tx.Client.ID)})
	if f != nil {
		s.AuthorizeFailure(w, r, tx, *f)
		return
	}
	for _, scope := range g.Scopes {
		tx.ar.GrantScope(scope)
	}
	s.world.GrantConsent(user.Realm, user.Email, tx.Client.ID, tx.Scopes)
	sess := newSession(user.Email)
	s.grant(sess, g)
	if err := s.openIDClaims(c, sess, user, g.Scopes, tx.Form.Get("nonce")); err != nil {
		s.AuthorizeFailure(w, r, tx, Failure{Kind: ServerError, Description: err.Error()})
		return
	}
	ctx := r.Context()
	resp, err := s.oauth.NewAuthorizeResponse(ctx, tx.ar, sess)
	if err != nil {
		s.AuthorizeFailure(w, r, tx, classify(err, ""))
		return
	}
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: "authorize",
		User: user.Email, Client: tx.Client.ID, Outcome: "ok", Seen: txSeen(tx, r)})
	if rm := tx.ar.GetResponseMode(); rm != fosite.ResponseModeDefault && rm != fosite.ResponseModeQuery {
		s.oauth.WriteAuthorizeResponse(ctx, w, tx.ar, resp)
		return
	}
	// A query redirect is a 302, as RFC 6749 §4.1.2 shows it (fosite sends
	// 303), without the empty parameters fosite adds (scope=).
	params := url.Values{}
	for k, v := range resp.GetParameters() {
		if len(v) > 0 && v[0] != "" {
			params[k] = v
		}
	}
	s.redirect(w, *tx.ar.GetRedirectURI(), params)
}

// redirect sends the user agent to u with params added to its query, as
// the profile encodes them (RedirectQuery).
func (s *Server) redirect(w http.ResponseWriter, u url.URL, params url.Values) {
	if s.profile.RedirectQuery != nil {
		if q := s.profile.RedirectQuery(params); u.RawQuery == "" {
			u.RawQuery = q
		} else {
			u.RawQuery += "&" + q
		}
	} else {
		q := u.Query()
		for k, v := range params {
			q[k] = v
		}
		u.RawQuery = q.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

// AuthorizeFailure answers a refused authorization request the profile's
// way: back to the client's redirect URI when it can be trusted, else on a
// page or in JSON. tx may be nil (unknown client, refused redirect URI).
func (s *Server) AuthorizeFailure(w http.ResponseWriter, r *http.Request, tx *Transaction, f Failure) {
	c := s.call(r, world.Client{})
	if tx != nil {
		c.Client = tx.Client
	}
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: "authorize",
		Client: c.Client.ID, Outcome: "refused", Reason: string(f.Kind), Detail: s.authorizeDetail(c, r, f), Seen: txSeen(tx, r)})
	answer := Answer{Redirect: true}
	if s.profile.AuthorizeFailure != nil {
		answer = s.profile.AuthorizeFailure(c, f)
	}
	switch {
	case answer.Redirect && tx.trusted():
		params := url.Values{"error": {f.ErrorCode()}}
		for k, v := range answer.Params {
			params[k] = v
		}
		if tx.State != "" {
			params.Set("state", tx.State)
		}
		s.redirect(w, *tx.ar.GetRedirectURI(), params)
	case answer.JSON != nil:
		s.writeJSON(w, answer.JSON.Status, answer.JSON.Body, answer.JSON.Header)
	case answer.Location != "":
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, answer.Location, http.StatusFound)
	case answer.Page != nil:
		s.pages.message(w, answer.Page.Status, answer.Page.Title, answer.Page.Lines...)
	default:
		s.pages.message(w, http.StatusBadRequest, "Error 400: "+f.ErrorCode(), f.Description)
	}
}

// transactions are the held ones, by id.
type transactions struct {
	mu sync.Mutex
	m  map[string]*Transaction
}

// maxHeld bounds the transactions held at once.
const maxHeld = 10000

// Hold keeps tx for holder (a browser session, Visitor.Session) until the
// code lifespan passes (10 minutes at most) and returns its id, 8 letters
// and digits.
func (s *Server) Hold(tx *Transaction, holder string) string {
	now := s.world.Clock.Now()
	id, _, _ := alnumMinter(8).mint(context.Background(), "", nil)
	h := &s.held
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]*Transaction{}
	}
	for k, t := range h.m {
		if now.After(t.expires) || len(h.m) >= maxHeld {
			delete(h.m, k)
		}
	}
	tx.compact()
	tx.ID, tx.holder = id, holder
	tx.expires = now.Add(min(s.profile.CodeLifespan, 10*time.Minute))
	h.m[id] = tx
	return id
}

// heldForm are the parameters a held transaction keeps of its request:
// the authorization request's own (RFC 6749 §4.1.1, PKCE, OpenID
// Connect's, as keptForm) and what a profile reads when it resolves the
// grant (Google's access_type and include_granted_scopes).
var heldForm = append([]string{"response_type", "client_id", "scope", "state", "response_mode", "login_hint",
	"access_type", "include_granted_scopes"}, keptForm...)

// compact drops what tx would keep of its request beyond heldForm, and
// copies what it keeps: a form's values share the memory of the whole
// request, which a held transaction must not keep for minutes.
func (tx *Transaction) compact() {
	form := url.Values{}
	for _, k := range heldForm {
		if v, ok := tx.Form[k]; ok {
			form[k] = cloneAll(v)
		}
	}
	tx.Form, tx.State, tx.RedirectURI = form, strings.Clone(tx.State), strings.Clone(tx.RedirectURI)
	tx.Scopes = cloneAll(tx.Scopes)
	if ar, ok := tx.ar.(*fosite.AuthorizeRequest); ok {
		ar.Form = form
		ar.State = strings.Clone(ar.State)
		ar.SetRequestedScopes(cloneAll(ar.GetRequestedScopes()))
		ar.RequestedAudience = cloneAll(ar.RequestedAudience)
		ar.ResponseTypes = cloneAll(ar.ResponseTypes)
		if ar.RedirectURI != nil {
			if u, err := url.Parse(ar.RedirectURI.String()); err == nil {
				ar.RedirectURI = u // a new string, not the request's
			}
		}
	}
}

// Take returns the transaction held for holder under id, once.
func (s *Server) Take(id, holder string) (*Transaction, bool) {
	h := &s.held
	h.mu.Lock()
	defer h.mu.Unlock()
	tx := h.m[id]
	if tx == nil || holder == "" || tx.holder != holder || s.world.Clock.Now().After(tx.expires) {
		return nil, false
	}
	delete(h.m, id)
	return tx, true
}

// Authorize is the authorization endpoint as a browser sees it: it checks
// the request, signs the user in, asks for consent and sends the code back
// to the client; each step is an HTML page.
func (s *Server) Authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	tx, f := s.BeginAuthorize(r)
	if f == nil {
		f = s.Fault(r)
	}
	if f != nil {
		s.AuthorizeFailure(w, r, tx, *f)
		return
	}
	c := s.call(r, tx.Client)
	user, sid, auto, shown := s.signIn(w, r, c)
	if shown {
		return
	}
	prompt := strings.Fields(r.Form.Get("prompt"))
	if user.Email == "" {
		if slices.Contains(prompt, "none") {
			s.AuthorizeFailure(w, r, tx, Failure{Kind: LoginRequired})
			return
		}
		s.pages.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", Client: clientName(tx.Client),
			Email: r.Form.Get("login_hint"), Action: formAction(r)})
		return
	}
	if s.profile.AdmitUser != nil {
		if f := s.profile.AdmitUser(c, user); f != nil {
			s.AuthorizeFailure(w, r, tx, *f)
			return
		}
	}
	fresh := slices.Contains(prompt, "consent") ||
		!s.world.Consented(user.Realm, user.Email, tx.Client.ID, tx.Scopes)
	decision := Undecided
	if r.Method == http.MethodPost && s.cookies.validCSRF(sid, r.Form.Get("csrf")) {
		decision = decisionOf(r.Form)
	}
	switch {
	case decision == Deny:
		s.AuthorizeFailure(w, r, tx, Failure{Kind: AccessDenied})
		return
	case fresh && !auto && decision != Allow:
		if slices.Contains(prompt, "none") {
			s.AuthorizeFailure(w, r, tx, Failure{Kind: ConsentRequired})
			return
		}
		s.pages.render(w, http.StatusOK, "consent", pageData{Title: "Consent", Client: clientName(tx.Client),
			Email: user.Email, Scopes: tx.Scopes, CSRF: s.cookies.csrf(sid), Action: formAction(r)})
		return
	}
	s.CompleteAuthorize(w, r, tx, user, fresh)
}

// signIn finds who is authorizing: the browser's signed-in user, the user
// whose sign-in form was just posted, or, with auto-approval, the login_hint.
// shown is true when it answered with the sign-in page again (wrong
// password).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, c Call) (user world.Account, sid string, auto, shown bool) {
	email, sid := s.cookies.user(r)
	if email != "" && s.reauthenticates(r, sid) {
		// prompt=login: the session does not count until the user signs
		// in again; the consent page that follows carries the new
		// session's CSRF token.
		email = ""
	}
	if email != "" {
		user, _ = s.FindAccount(c, email)
	}
	if r.Method == http.MethodPost && r.Form.Get("action") == "signin" {
		acct, ok := s.checkPassword(c, r.Form.Get("email"), r.Form.Get("password"))
		if !ok {
			s.pages.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", Client: clientName(c.Client),
				Email: r.Form.Get("email"), Error: "Wrong email or password.", Action: formAction(r)})
			return world.Account{}, "", false, true
		}
		user, sid = acct, s.cookies.signIn(w, acct.Email)
	}
	if user.Email == "" {
		if acct, ok := s.AutoApproved(r, c); ok {
			return acct, "", true, false
		}
	}
	return user, sid, false, false
}

// reauthenticates reports whether a request with a signed-in session sid
// must show the sign-in page anyway: prompt=login where the profile
// honours it (PromptLogin), unless the request is a form of this session
// (the consent page posted after the new sign-in).
func (s *Server) reauthenticates(r *http.Request, sid string) bool {
	return s.profile.PromptLogin && slices.Contains(strings.Fields(r.Form.Get("prompt")), "login") &&
		!(r.Method == http.MethodPost && s.cookies.validCSRF(sid, r.Form.Get("csrf")))
}

// AutoApproved is the user an authorization request is approved as with
// no page, where approval without pages is on (AutoApprove): the user its
// login_hint names, else the first of the world's approve-as users with an
// account here. A request with prompt=login asks for the sign-in page and
// gets it, and so does one whose login_hint names no known user. A request
// with prompt=none shows no page, so nobody is signed in or consents on
// one: it is answered as the browser's own session allows (G-16, OIDC
// Core §3.1.2.1), never approved on the user's behalf.
func (s *Server) AutoApproved(r *http.Request, c Call) (world.Account, bool) {
	prompt := strings.Fields(r.Form.Get("prompt"))
	if !AutoApproving(r.Context()) || slices.Contains(prompt, "login") || slices.Contains(prompt, "none") {
		return world.Account{}, false
	}
	if hint := r.Form.Get("login_hint"); hint != "" {
		return s.FindAccount(c, hint)
	}
	for _, email := range s.world.ApproveAs() {
		if acct, ok := s.FindAccount(c, email); ok {
			return acct, true
		}
	}
	return world.Account{}, false
}

// checkPassword returns the account of email if password is its password.
func (s *Server) checkPassword(c Call, email, password string) (world.Account, bool) {
	acct, ok := s.FindAccount(c, email)
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

// Visitor is a user signed in on the server's pages.
type Visitor struct {
	world.Account
	sid string
}

// Session names the visitor's browser session (for Hold).
func (v Visitor) Session() string { return v.sid }

// Visitor returns the user signed in on the request's browser, if any,
// answering nothing: for a provider whose own pages or API decide what a
// stranger sees.
func (s *Server) Visitor(r *http.Request) (Visitor, bool) {
	email, sid := s.cookies.user(r)
	if email == "" {
		return Visitor{}, false
	}
	acct, ok := s.FindAccount(s.call(r, world.Client{}), email)
	return Visitor{Account: acct, sid: sid}, ok
}

// SignIn starts a browser session for the account of email if password
// is its password (a provider's own sign-in form).
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, email, password string) (Visitor, bool) {
	acct, ok := s.checkPassword(s.call(r, world.Client{}), email, password)
	if !ok {
		return Visitor{}, false
	}
	return Visitor{Account: acct, sid: s.cookies.signIn(w, acct.Email)}, true
}

// SignedIn returns the user signed in on the request's browser, or
// answers with the sign-in page (ok false): for a provider's own pages
// beyond the authorization endpoint (Microsoft's admin consent).
func (s *Server) SignedIn(w http.ResponseWriter, r *http.Request, client world.Client) (v Visitor, ok bool) {
	c := s.call(r, client)
	user, sid, _, shown := s.signIn(w, r, c)
	if shown {
		return Visitor{}, false
	}
	if user.Email == "" {
		s.pages.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", Client: clientName(client),
			Email: r.Form.Get("login_hint"), Action: formAction(r)})
		return Visitor{}, false
	}
	return Visitor{Account: user, sid: sid}, true
}

// Decision is a user's answer on the consent page.
type Decision uint8

// The answers to the consent page.
const (
	// Undecided is no answer: the page was not posted, or not with the
	// visitor's CSRF token.
	Undecided Decision = iota
	Allow
	Deny
)

// decisionOf reads the consent page's answer in its form: the button
// pressed, consent=allow or consent=deny.
func decisionOf(form url.Values) Decision {
	switch form.Get("consent") {
	case "allow":
		return Allow
	case "deny":
		return Deny
	}
	return Undecided
}

// AskConsent returns the visitor's decision on the consent page for
// scopes, Allow or Deny, or answers with that page (ok false).
func (s *Server) AskConsent(w http.ResponseWriter, r *http.Request, v Visitor, client world.Client, scopes []string) (decision Decision, ok bool) {
	if r.Method == http.MethodPost && s.cookies.validCSRF(v.sid, r.Form.Get("csrf")) {
		if d := decisionOf(r.Form); d != Undecided {
			return d, true
		}
	}
	s.pages.render(w, http.StatusOK, "consent", pageData{Title: "Consent", Client: clientName(client),
		Email: v.Email, Scopes: scopes, CSRF: s.cookies.csrf(v.sid), Action: formAction(r)})
	return Undecided, false
}

// Message answers with a page of the server showing title and lines.
func (s *Server) Message(w http.ResponseWriter, status int, title string, lines ...string) {
	s.pages.message(w, status, title, lines...)
}
