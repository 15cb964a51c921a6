package authserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
)

//go:embed templates/pages.html
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/pages.html"))

// pages renders the server's HTML pages: sign-in, consent, device code entry
// and messages. They are plain forms that work in a browser without
// JavaScript and that the harness's user agent fills in.
type pages struct{ provider string }

func newPages(provider string) *pages { return &pages{provider: provider} }

// pageData is what every template reads.
type pageData struct {
	Provider string
	Title    string
	Client   string
	Email    string
	Error    string
	Action   string
	Hidden   map[string]string
	Scopes   []string
	CSRF     string
	UserCode string
	Lines    []string
}

func (p *pages) render(w http.ResponseWriter, status int, name string, d pageData) {
	d.Provider = p.provider
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := templates.ExecuteTemplate(w, name, d); err != nil {
		slog.Error("authserver: rendering page", "page", name, "err", err)
	}
}

func (p *pages) message(w http.ResponseWriter, status int, title string, lines ...string) {
	p.render(w, status, "message", pageData{Title: title, Lines: lines})
}

// maxSignIns bounds the browser sessions remembered at once.
const maxSignIns = 10000

// signIns remembers who signed in on which browser, by a session cookie.
type signIns struct {
	cookie string
	key    []byte
	mu     sync.Mutex
	users  map[string]string // session id -> e-mail
}

func newSignIns(cookie string) *signIns {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &signIns{cookie: cookie, key: key, users: map[string]string{}}
}

// reset ends every browser session.
func (s *signIns) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = map[string]string{}
}

// user returns the signed-in user of the request's browser, if any, and its
// session id.
func (s *signIns) user(r *http.Request) (email, sid string) {
	c, err := r.Cookie(s.cookie)
	if err != nil {
		return "", ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[c.Value], c.Value
}

// signIn starts a browser session for email and returns its id.
func (s *signIns) signIn(w http.ResponseWriter, email string) string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	sid := base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	for k := range s.users {
		if len(s.users) < maxSignIns {
			break
		}
		delete(s.users, k) // any other session: the world's browsers are few
	}
	s.users[sid] = email
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return sid
}

// csrf is the anti-forgery token of a browser session's forms.
func (s *signIns) csrf(sid string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(sid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *signIns) validCSRF(sid, token string) bool {
	return sid != "" && hmac.Equal([]byte(s.csrf(sid)), []byte(token))
}

// formAction is the URL a page's form posts back to: the request's own path
// and query, so the flow's parameters travel with it.
func formAction(r *http.Request) string {
	u := url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	return u.String()
}
