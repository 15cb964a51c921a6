package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
)

// maxSteps bounds how many pages the browser goes through in one flow.
const maxSteps = 12

// Browser is the user's web browser: it keeps cookies, follows redirects
// (to the application's loopback listener too), and fills the provider's
// sign-in, consent and device-code forms the way a person would.
type Browser struct {
	// Email and Password are what the user types on the sign-in page.
	Email, Password string
	// Consent is the button the user presses on the consent page: "allow"
	// or "deny".
	Consent string
	// UserCode is what the user types on the device page.
	UserCode string

	http     *http.Client
	recorder *Recorder
	filled   []string
	// target is the form Submit presses once the browser reaches it.
	target string
}

// Page is where the browser stopped: the last page it showed.
type Page struct {
	URL    string
	Status int
	Title  string
	Text   string
	// Forms lists the ids of the forms the page still shows.
	Forms []string
	// Inputs are the values of the page's form fields, by name.
	Inputs map[string]string
}

// NewBrowser returns a browser with an empty cookie jar that trusts tlsConfig's roots.
func NewBrowser(tlsConfig *tls.Config) *Browser {
	jar, _ := cookiejar.New(nil)
	rec := &Recorder{Base: newTransport(tlsConfig)}
	return &Browser{
		Consent:  "allow",
		http:     &http.Client{Jar: jar, Transport: rec},
		recorder: rec,
	}
}

// Filled lists the ids of the forms the user filled in during the last
// Visit ("signin", "consent", "device"), in order.
func (b *Browser) Filled() []string { return slices.Clone(b.filled) }

// Last returns the browser's last exchange with a server.
func (b *Browser) Last() (Exchange, bool) { return b.recorder.Last() }

// Visit opens rawURL and goes through the provider's pages, filling each
// form it recognises, until a page it cannot go past: the application's
// "you may close this window" page, a message, or an error page. It
// returns that page.
func (b *Browser) Visit(ctx context.Context, rawURL string) (Page, error) {
	b.target = ""
	return b.visit(ctx, rawURL)
}

// Submit opens rawURL like Visit and, once on the page that shows the form
// formID (after signing in, if the site asks), submits it as it is and
// goes on to the page that answers.
func (b *Browser) Submit(ctx context.Context, rawURL, formID string) (Page, error) {
	b.target = formID
	defer func() { b.target = "" }()
	p, err := b.visit(ctx, rawURL)
	if err == nil && b.target != "" {
		return p, fmt.Errorf("client: no page showed the form %q", formID)
	}
	return p, err
}

// Fetch is the page's script calling the site's API with the browser's
// cookies: a GET, or a form POST when form is not nil; redirects are
// followed. The reply is the browser's Last exchange.
func (b *Browser) Fetch(ctx context.Context, rawURL string, form url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if form != nil {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	}
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (b *Browser) visit(ctx context.Context, rawURL string) (Page, error) {
	b.filled = nil
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Page{}, err
	}
	for range maxSteps {
		resp, err := b.http.Do(req)
		if err != nil {
			return Page{}, err
		}
		p, err := parsePage(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return Page{}, err
		}
		shown := Page{URL: resp.Request.URL.String(), Status: resp.StatusCode, Title: p.Title, Text: p.Text}
		shown.Inputs = map[string]string{}
		for _, f := range p.Forms {
			shown.Forms = append(shown.Forms, f.ID)
			for name := range f.Fields {
				shown.Inputs[name] = f.Fields.Get(name)
			}
		}
		next, ok := b.fill(p)
		if !ok || resp.StatusCode != http.StatusOK {
			return shown, nil
		}
		if next.ID != "" {
			b.filled = append(b.filled, next.ID)
		}
		req, err = next.request(ctx, resp.Request.URL)
		if err != nil {
			return Page{}, err
		}
	}
	return Page{}, fmt.Errorf("client: more than %d pages without an end", maxSteps)
}

// fill returns the form submitted on p: the one its script submits on
// load, or one the browser knows, filled in, if the user has what it asks
// for.
func (b *Browser) fill(p page) (form, bool) {
	if p.AutoSubmit && len(p.Forms) > 0 {
		return p.Forms[0], true
	}
	if f, ok := p.form(b.target); ok && b.target != "" {
		b.target = ""
		return f, true
	}
	if f, ok := p.form("signin"); ok && b.Email != "" {
		if slices.Contains(b.filled, "signin") {
			// The site shows the sign-in form again: the password was wrong.
			return form{}, false
		}
		f.Fields.Set("email", b.Email)
		f.Fields.Set("password", b.Password)
		return f, true
	}
	if f, ok := p.form("consent"); ok {
		return b.decide(f)
	}
	if f, ok := p.form("device"); ok && b.UserCode != "" && !strings.Contains(p.Text, "Invalid code") {
		f.Fields.Set("user_code", b.UserCode)
		return f, true
	}
	return form{}, false
}

// decide presses the consent form's button for the user's decision: a
// "consent" button of that value, or, on a form whose only named button is
// "cancel" (oauth2orize's convention, Trackdéchets), the unnamed button to
// allow and "cancel" to deny.
func (b *Browser) decide(f form) (form, bool) {
	switch {
	case slices.Contains(f.Buttons["consent"], b.Consent):
		f.Fields.Set("consent", b.Consent)
		return f, true
	case len(f.Buttons["cancel"]) > 0 && b.Consent == "allow":
		return f, true
	case len(f.Buttons["cancel"]) > 0 && b.Consent == "deny":
		f.Fields.Set("cancel", f.Buttons["cancel"][0])
		return f, true
	}
	return form{}, false
}

// request builds the submission of f, resolved against the page's URL.
func (f form) request(ctx context.Context, base *url.URL) (*http.Request, error) {
	target, err := base.Parse(f.Action)
	if err != nil {
		return nil, err
	}
	if f.Method != http.MethodPost {
		target.RawQuery = f.Fields.Encode()
		return http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(f.Fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
