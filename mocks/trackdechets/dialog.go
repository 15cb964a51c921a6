package trackdechets

import (
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

//go:embed templates/pages.html
var templateFS embed.FS

// pages are the user interface's pages, in French as the real ones.
type pages struct{ t *template.Template }

func newPages() *pages {
	return &pages{t: template.Must(template.ParseFS(templateFS, "templates/pages.html"))}
}

// pageData is what a page shows.
type pageData struct {
	Title, Action, Error, Email, ReturnTo string
	// The dialog's.
	Client, User, RedirectURI, TransactionID string
	// The account's list of authorized applications.
	Applications []authorizedApplication
}

func (p *pages) render(w http.ResponseWriter, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := p.t.ExecuteTemplate(w, name, d); err != nil {
		slog.Error("trackdechets: rendering a page", "page", name, "err", err)
	}
}

// signInFirst sends a browser with no session to the sign-in page, which
// brings it back here (the interface's returnTo).
func signInFirst(w http.ResponseWriter, r *http.Request) {
	back := url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	http.Redirect(w, r, LoginPath+"?"+url.Values{"returnTo": {back.String()}}.Encode(), http.StatusFound)
}

// login is the sign-in page (GET) and the API's POST /login: the session
// the dialog and the account pages need. A wrong password sends the
// browser back to the page with errorCode=INVALID_USER_OR_PASSWORD.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	returnTo := r.Form.Get("returnTo")
	if r.Method == http.MethodGet {
		d := pageData{Title: "Connexion", Action: LoginPath, ReturnTo: returnTo, Email: r.Form.Get("username")}
		if r.Form.Get("errorCode") != "" {
			d.Error = "Email ou mot de passe incorrect"
		}
		p.pages.render(w, "login", d)
		return
	}
	email := strings.TrimSpace(strings.ToLower(r.PostForm.Get("email")))
	if _, ok := p.SignIn(w, r, email, r.PostForm.Get("password")); !ok {
		q := url.Values{"errorCode": {"INVALID_USER_OR_PASSWORD"}, "username": {email}}
		if returnTo != "" {
			q.Set("returnTo", safeReturnTo(returnTo))
		}
		p.w.Record(world.Event{Provider: Name, Protocol: "oauth", Mechanism: "login", User: email,
			Outcome: "refused", Reason: "wrong_password"})
		http.Redirect(w, r, LoginPath+"?"+q.Encode(), http.StatusFound)
		return
	}
	http.Redirect(w, r, safeReturnTo(returnTo), http.StatusFound)
}

// apiError is an answer of the authorization API: its status and JSON.
type apiError struct {
	status int
	body   any
}

// notAuthorized is ensureLoggedIn's answer to a request with no session
// (T-02).
var notAuthorized = &apiError{http.StatusUnauthorized, map[string]string{"error": "Not Authorized"}}

// begin checks a dialog request as oauth2orize's authorization middleware
// does (T-02): response_type, then client_id, then the client and its
// redirect URI. It returns the transaction, or the API's refusal.
func (p *Provider) begin(r *http.Request) (*authserver.Transaction, *apiError) {
	q := r.URL.Query()
	record := func(reason, detail string) {
		p.w.Record(world.Event{Provider: Name, Protocol: "oauth", Mechanism: "authorize", Client: q.Get("client_id"),
			Outcome: "refused", Reason: reason, Detail: detail, Seen: authserver.AuthorizeSeen(q)})
	}
	refuse := func(status int, code, description string) *apiError {
		return &apiError{status, errorBody{Error: code, Description: description}}
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		record("invalid_request", "no response_type")
		return nil, refuse(http.StatusBadRequest, "invalid_request", "Missing required parameter: response_type")
	case rt != "code":
		record("unsupported_response_type", fmt.Sprintf("response_type %q; Trackdéchets serves code", rt))
		return nil, refuse(http.StatusNotImplemented, "unsupported_response_type", "Unsupported response type: "+rt)
	}
	id := q.Get("client_id")
	if id == "" {
		record("invalid_request", "no client_id")
		return nil, refuse(http.StatusBadRequest, "invalid_request", "Missing required parameter: client_id")
	}
	reg, ok := p.w.Client(Realm, id)
	switch {
	case !ok:
		record("unknown_client", fmt.Sprintf("no application with client_id %q", id))
		return nil, refuse(http.StatusForbidden, "unauthorized_client", "Invalid client id")
	case !slices.Contains(reg.RedirectURIs, q.Get("redirect_uri")):
		record("redirect_uri_mismatch", fmt.Sprintf("redirect_uri %q is not registered for %s (registered: %s)",
			q.Get("redirect_uri"), id, strings.Join(reg.RedirectURIs, " ")))
		return nil, refuse(http.StatusForbidden, "unauthorized_client", "Invalid redirect uri")
	}
	tx, f := p.BeginAuthorize(r)
	if f == nil {
		f = p.Fault(r)
	}
	if f != nil {
		record(string(f.Kind), f.Error())
		a := authorizeFailure(authserver.Call{}, *f)
		if a.JSON == nil {
			return nil, refuse(http.StatusBadRequest, f.ErrorCode(), f.Description)
		}
		return nil, &apiError{a.JSON.Status, a.JSON.Body}
	}
	return tx, nil
}

// authorizeJSON is the API's GET /oauth2/authorize, which the dialog page
// calls with the user's session (T-02): a transaction id (held for this
// browser session) and what the dialog shows.
func (p *Provider) authorizeJSON(w http.ResponseWriter, r *http.Request) {
	v, ok := p.Visitor(r)
	if !ok {
		expressJSON.Write(w, notAuthorized.status, notAuthorized.body)
		return
	}
	tx, e := p.begin(r)
	if e != nil {
		oauth2orizeJSON.Write(w, e.status, e.body)
		return
	}
	expressJSON.Write(w, http.StatusOK, transaction{
		TransactionID: p.Hold(tx, v.Session()),
		User:          named{v.Name},
		Client:        named{clientName(tx.Client)},
		RedirectURI:   tx.RedirectURI,
	})
}

// transaction is the JSON of GET /oauth2/authorize, keys in Trackdéchets'
// order.
type transaction struct {
	TransactionID string `json:"transactionID"`
	User          named  `json:"user"`
	Client        named  `json:"client"`
	RedirectURI   string `json:"redirectURI"`
}

type named struct {
	Name string `json:"name"`
}

func clientName(c world.Client) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

// dialog is the consent dialog a browser is sent to (T-01): the sign-in
// page first if the browser has no session, then the page the interface
// renders from GET /oauth2/authorize, or that request's error message.
func (p *Provider) dialog(w http.ResponseWriter, r *http.Request) {
	if p.autoApprove(w, r) {
		return
	}
	v, ok := p.Visitor(r)
	if !ok {
		signInFirst(w, r)
		return
	}
	tx, e := p.begin(r)
	if e != nil {
		// The interface shows error_description, or a fallback.
		msg := "Une erreur est survenue"
		if b, ok := e.body.(errorBody); ok && b.Description != "" {
			msg = b.Description
		}
		p.pages.render(w, "dialog", pageData{Title: "Autorisation", Error: msg})
		return
	}
	p.pages.render(w, "dialog", pageData{Title: "Autorisation", Action: DecisionPath,
		Client: clientName(tx.Client), User: v.Name, RedirectURI: tx.RedirectURI, TransactionID: p.Hold(tx, v.Session())})
}

// autoApprove is serve's convenience (Options.AutoApprove): a dialog
// request carrying the login_hint of a known user, or with none where the
// world names an approve-as user, is approved at once. It reports whether
// it answered.
func (p *Provider) autoApprove(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	acct, ok := p.AutoApproved(r, authserver.Call{Now: p.w.Clock.Now(), Request: r})
	if !ok {
		return false
	}
	tx, e := p.begin(r)
	if e != nil {
		oauth2orizeJSON.Write(w, e.status, e.body)
		return true
	}
	p.CompleteAuthorize(w, r, tx, acct, true)
	return true
}

// decision is the API's POST /oauth2/authorize/decision (T-03): the
// transaction of this session named by transaction_id, allowed unless the
// form carries "cancel". Express's own error pages answer a request
// without a transaction id (400) or with one this session does not hold
// (403).
func (p *Provider) decision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	v, ok := p.Visitor(r)
	if !ok {
		expressJSON.Write(w, notAuthorized.status, notAuthorized.body)
		return
	}
	if err := r.ParseForm(); err != nil {
		expressError(w, http.StatusBadRequest)
		return
	}
	id := r.PostForm.Get("transaction_id")
	if id == "" {
		expressError(w, http.StatusBadRequest)
		return
	}
	tx, ok := p.Take(id, v.Session())
	if !ok {
		p.w.Record(world.Event{Provider: Name, Protocol: "oauth", Mechanism: "authorize", User: v.Email,
			Outcome: "refused", Reason: "unknown_transaction"})
		expressError(w, http.StatusForbidden)
		return
	}
	if r.PostForm.Has("cancel") {
		p.AuthorizeFailure(w, r, tx, authserver.Failure{Kind: authserver.AccessDenied})
		return
	}
	p.CompleteAuthorize(w, r, tx, v.Account, true)
}

// expressError is Express's final handler in production: the status's
// name in a bare HTML page.
func expressError(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>" +
		template.HTMLEscapeString(statusText(status)) + "</pre>\n</body>\n</html>\n"))
}

// statusText is Node's name of an HTTP status where it differs from Go's.
func statusText(status int) string {
	if status == http.StatusRequestEntityTooLarge {
		return "Payload Too Large"
	}
	return http.StatusText(status)
}
