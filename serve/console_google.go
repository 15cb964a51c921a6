package serve

import (
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Google's console switches in the admin API: the Google Cloud console's
// (a consent screen's publishing status and test users, the Playground's
// client) and a Workspace's Admin console (API controls).
func init() {
	consoles[google.Name] = func(a *admin, r *mux.Router) {
		r.HandleFunc("/api/providers/google/testing", a.googleTesting).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/google/test-users", a.testUser(true)).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/google/test-users", a.testUser(false)).Methods(http.MethodDelete)
		r.HandleFunc("/api/providers/google/blocked-clients", a.blockedClient(true)).Methods(http.MethodPost)
		r.HandleFunc("/api/providers/google/blocked-clients", a.blockedClient(false)).Methods(http.MethodDelete)
		r.HandleFunc("/api/providers/google/playground", a.googlePlayground).Methods(http.MethodPost)
	}
}

// googleTesting is POST /api/providers/google/testing (client_id,
// testing): the client's consent screen in Testing or in production (G-08).
func (a *admin) googleTesting(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "client_id", "testing") {
		return
	}
	var testing bool
	if err := boolParam(r, "testing", &testing); err != nil {
		refuse(w, err)
		return
	}
	if err := google.SetTesting(a.m.World, r.Form.Get("client_id"), testing); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, google.Name, "testing", r.Form.Get("client_id")+"="+strconv.FormatBool(testing), map[string]bool{"testing": testing})
}

// testUser is POST and DELETE /api/providers/google/test-users
// (client_id, email): the consent screen's "Test users", ADD USERS and
// the bin beside one (G-14, F-33). A DELETE of an address that is not a
// test user is 404. The answer is the consent screen's status and list.
func (a *admin) testUser(add bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !form(w, r, "client_id", "email") {
			return
		}
		r.Form.Set("provider", google.Name)
		c, ok := a.client(w, r)
		if !ok {
			return
		}
		email := r.Form.Get("email")
		if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
			refuse(w, fmt.Errorf("email must be an address (user@domain), not %q", email))
			return
		}
		s, _ := c.Settings.(google.ClientSettings)
		change, verb := google.AddTestUsers, "add-test-user"
		if !add {
			if !slices.ContainsFunc(s.TestUsers, func(u string) bool { return strings.EqualFold(u, email) }) {
				notFound(w, fmt.Errorf("%s is not a test user of client %s", email, c.ID))
				return
			}
			change, verb = google.RemoveTestUsers, "remove-test-user"
		}
		if err := change(a.m.World, c.ID, email); err != nil {
			refuse(w, err)
			return
		}
		c, _ = a.m.World.Client(c.Realm, c.ID)
		s, _ = c.Settings.(google.ClientSettings)
		a.done(w, google.Name, verb, c.ID+" "+email, map[string]any{"testing": s.Testing, "test_users": world.Strings(s.TestUsers)})
	}
}

// domainName is a Workspace's primary or secondary domain: the part of
// its users' addresses after "@".
var domainName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// blockedClient is POST and DELETE /api/providers/google/blocked-clients
// (domain, client_id, [message] on POST: the admin's custom text): a
// Workspace admin blocking a client in Security > API controls > App
// access control, or trusting it again (G-14, F-34). Blocking takes a
// client of the world; a DELETE of a block the domain does not have is
// 404. The answer is the domain's API controls.
func (a *admin) blockedClient(block bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !form(w, r, "domain", "client_id") {
			return
		}
		domain, id := strings.ToLower(r.Form.Get("domain")), r.Form.Get("client_id")
		if !domainName.MatchString(domain) {
			refuse(w, fmt.Errorf("domain must be a domain name (the part of a user's address after @), not %q", r.Form.Get("domain")))
			return
		}
		verb := "add-blocked-client"
		if block {
			r.Form.Set("provider", google.Name)
			if _, ok := a.client(w, r); !ok {
				return
			}
			google.BlockClient(a.m.World, domain, id, r.Form.Get("message"))
		} else {
			if !google.UnblockClient(a.m.World, domain, id) {
				notFound(w, fmt.Errorf("%s does not block client %s", domain, id))
				return
			}
			verb = "remove-blocked-client"
		}
		p := google.WorkspaceOf(a.m.World, domain)
		a.done(w, google.Name, verb, domain+" "+id, map[string]any{"domain": domain,
			"blocked_clients": world.Strings(p.BlockedClients), "message": p.Message})
	}
}

// googlePlayground is POST /api/providers/google/playground (client_id,
// playground): the client is the OAuth 2.0 Playground's own, whose
// refresh tokens are revoked after 24 hours, or an ordinary one (G-17,
// F-36); tokens minted before keep their lifetime.
func (a *admin) googlePlayground(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "client_id", "playground") {
		return
	}
	var playground bool
	if err := boolParam(r, "playground", &playground); err != nil {
		refuse(w, err)
		return
	}
	r.Form.Set("provider", google.Name)
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	if err := google.SetPlayground(a.m.World, c.ID, playground); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, google.Name, "playground", c.ID+"="+strconv.FormatBool(playground), map[string]bool{"playground": playground})
}
