package serve

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// routeWorld adds the admin API's world actions: what a provider's console
// and a user's account page change, at run time (DESIGN.md's "per-object
// actions"). Each answers the changed object, and goes into the audit log.
func (a *admin) routeWorld(r *mux.Router) {
	r.HandleFunc("/api/world", a.getWorld).Methods(http.MethodGet)
	r.HandleFunc("/api/world", a.putWorld).Methods(http.MethodPut)
	r.HandleFunc("/api/users", a.addUser).Methods(http.MethodPost)
	r.HandleFunc("/api/users", a.removeUser).Methods(http.MethodDelete)
	r.HandleFunc("/api/clients", a.addClient).Methods(http.MethodPost)
	r.HandleFunc("/api/clients", a.removeClient).Methods(http.MethodDelete)
	r.HandleFunc("/api/clients/secrets", a.addSecret).Methods(http.MethodPost)
	r.HandleFunc("/api/clients/secrets/expire", a.expireSecrets).Methods(http.MethodPost)
	r.HandleFunc("/api/clients/secrets", a.removeSecret).Methods(http.MethodDelete)
	for name, route := range consoles {
		if a.m.Provider(name) != nil {
			route(a, r)
		}
	}
}

// consoles are the admin routes of each provider's console switches
// (/api/providers/NAME/...), by provider, each declared in its own file;
// a world serves those of the providers it runs.
var consoles = map[string]func(*admin, *mux.Router){}

// form parses a request's form (query and body) within the admin API's
// bounds, answering 400 itself when it cannot.
func form(w http.ResponseWriter, r *http.Request, required ...string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
		return false
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodDelete && mt == "application/x-www-form-urlencoded" {
		// net/http reads no body of a DELETE; curl -X DELETE -d sends one.
		raw, err := io.ReadAll(r.Body)
		body, perr := url.ParseQuery(string(raw))
		if err != nil || perr != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
			return false
		}
		for k, v := range body {
			r.Form[k] = append(r.Form[k], v...)
		}
	}
	var missing []string
	for _, k := range required {
		if r.Form.Get(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		writeJSON(w, http.StatusBadRequest, apiError{strings.Join(missing, ", ") + " required"})
		return false
	}
	return true
}

// done records an admin action and answers it.
func (a *admin) done(w http.ResponseWriter, provider, action, detail string, v any) {
	a.m.World.Record(world.Event{Provider: provider, Protocol: "admin", Mechanism: action, Outcome: "ok", Reason: detail})
	writeJSON(w, http.StatusOK, v)
}

// refuse answers a refused action with 400.
func refuse(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
}

// notFound answers an action on something that does not exist with 404.
func notFound(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusNotFound, apiError{err.Error()})
}

// getWorld is GET /api/world: the running world as a world file, JSON
// (default) or YAML (?format=yaml, or Accept: application/yaml); passwords
// only with ?passwords=true.
func (a *admin) getWorld(w http.ResponseWriter, r *http.Request) {
	passwords, _ := strconv.ParseBool(r.URL.Query().Get("passwords"))
	export := a.m.World.Export(mocks.Schemas(), passwords)
	if r.URL.Query().Get("format") == "yaml" || strings.Contains(r.Header.Get("Accept"), "yaml") {
		out, err := yaml.Marshal(export)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(out)
		return
	}
	writeJSON(w, http.StatusOK, export)
}

// putWorld is PUT /api/world: a whole world file (YAML or JSON) replaces
// the running world, which starts afresh (mocks.Server.LoadWorldFile).
func (a *admin) putWorld(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, world.MaxFileBytes))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{fmt.Sprintf("a world file is at most %d bytes", world.MaxFileBytes)})
		return
	}
	warnings, err := loadWorld(a.m, body)
	// The answer gets the whole write timeout, however long the load took.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(adminWriteTimeout))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	a.done(w, "world", "load", "", loaded{Status: "loaded", Warnings: warnings})
}

// loaded is PUT /api/world's answer: what a real console accepts in the
// file but that cannot work is in warnings.
type loaded struct {
	Status   string   `json:"status"`
	Warnings []string `json:"warnings,omitempty"`
}

// loadMemoryLimit is the soft memory limit while a world file loads: its
// YAML nodes take about 25 bytes per byte of the file until it is loaded
// (100 MB for the largest, 4 MiB), over serve's usual limit, under which
// the collector would run without end (runtime/debug.SetMemoryLimit).
const loadMemoryLimit = 160 << 20

// loading lets one world file load at a time: the memory limit is the
// process's.
var loading sync.Mutex

// loadWorld loads a world file into m, one at a time, with the soft
// memory limit raised to loadMemoryLimit (if lower) while it does.
func loadWorld(m *mocks.Server, body []byte) ([]string, error) {
	loading.Lock()
	defer loading.Unlock()
	if limit := debug.SetMemoryLimit(-1); limit < loadMemoryLimit {
		debug.SetMemoryLimit(loadMemoryLimit)
		defer debug.SetMemoryLimit(limit)
	}
	return m.LoadWorldFile(body)
}

// realmOf is the realm a request names: its provider, and for Microsoft
// its tenant (when none is named, the manifest's first: the one whose
// endpoints the manifest gives, an organization, never the consumers
// tenant of personal accounts).
func (a *admin) realmOf(r *http.Request) (world.Realm, error) {
	provider := r.Form.Get("provider")
	p := a.m.Provider(provider)
	if p == nil {
		return world.Realm{}, fmt.Errorf("no such provider: %q", provider)
	}
	realms := a.m.World.Realms(provider)
	tenant := r.Form.Get("tenant")
	if ts := p.Describe().Tenants; tenant == "" && len(ts) > 0 {
		tenant = ts[0].Name
	}
	for _, realm := range realms {
		// No tenant named: the provider's own realm, or its first tenant.
		if realm.Tenant == tenant || (tenant == "" && realm.Tenant != "") {
			return realm, nil
		}
	}
	if tenant != "" {
		return world.Realm{}, fmt.Errorf("%s has no tenant %q", provider, tenant)
	}
	return world.Realm{Provider: provider}, nil
}

// addUser is POST /api/users (provider, [tenant], email, name, password):
// a new account, or new details for an existing one.
func (a *admin) addUser(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "email", "password") {
		return
	}
	realm, err := a.realmOf(r)
	if err != nil {
		notFound(w, err)
		return
	}
	acct := world.Account{Email: r.Form.Get("email"), Name: r.Form.Get("name"), ID: r.Form.Get("id"), Password: r.Form.Get("password")}
	if err := a.m.World.AddAccount(realm, acct); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, realm.Provider, "add-user", acct.Email, map[string]string{"email": acct.Email, "name": acct.Name, "realm": realm.String()})
}

// removeUser is DELETE /api/users (provider, email): the account and
// everything it granted end.
func (a *admin) removeUser(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "email") {
		return
	}
	if err := a.m.RemoveUser(r.Form.Get("provider"), r.Form.Get("email")); err != nil {
		notFound(w, err)
		return
	}
	a.done(w, r.Form.Get("provider"), "remove-user", r.Form.Get("email"), map[string]string{"status": "removed"})
}

// addClient is POST /api/clients?provider=P[&tenant=T]: the body is one
// client in the provider's world-file shape (YAML or JSON), registered
// (or replacing the one of its id).
func (a *admin) addClient(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{"a client is at most 64 KB"})
		return
	}
	r.Form = r.URL.Query()
	realm, err := a.realmOf(r)
	if err != nil {
		notFound(w, err)
		return
	}
	var node yaml.Node
	if err := yaml.Unmarshal(body, &node); err != nil || len(node.Content) == 0 {
		writeJSON(w, http.StatusBadRequest, apiError{"the body is one client as YAML or JSON, in the world file's keys (id, secret, redirect_uris...) or the manifest's (client_id, client_secret)"})
		return
	}
	err = worldClientKeys(node.Content[0])
	var c world.Client
	if err == nil {
		c, err = mocks.Schemas()[realm.Provider].DecodeClient(node.Content[0])
	}
	if err == nil {
		err = a.m.World.AddClient(realm, c)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	c, _ = a.m.World.Client(realm, c.ID)
	a.done(w, realm.Provider, "add-client", c.ID, clientView(c))
}

// removeClient is DELETE /api/clients (provider, client_id): the
// registration and every code and token issued to it end.
func (a *admin) removeClient(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id") {
		return
	}
	if err := a.m.RemoveClient(r.Form.Get("provider"), r.Form.Get("client_id")); err != nil {
		notFound(w, err)
		return
	}
	a.done(w, r.Form.Get("provider"), "remove-client", r.Form.Get("client_id"), map[string]string{"status": "removed"})
}

// client finds the client a request names (provider, client_id).
func (a *admin) client(w http.ResponseWriter, r *http.Request) (world.Client, bool) {
	c, ok := a.m.World.FindClient(r.Form.Get("provider"), r.Form.Get("client_id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{"no such client: " + r.Form.Get("provider") + " " + r.Form.Get("client_id")})
	}
	return c, ok
}

// addSecret is POST /api/clients/secrets (provider, client_id, [value],
// [id], [expires] RFC 3339): a new secret beside the others (a rotation);
// without a value, one is made.
func (a *admin) addSecret(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id") {
		return
	}
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	s := world.Secret{ID: r.Form.Get("id"), Value: r.Form.Get("value")}
	if s.Value == "" {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		s.Value = base64.RawURLEncoding.EncodeToString(b)
	}
	if e := r.Form.Get("expires"); e != "" {
		t, err := time.Parse(time.RFC3339, e)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"expires must be an RFC 3339 instant"})
			return
		}
		s.Expires = t
	}
	if err := a.m.World.AddSecret(c.Realm, c.ID, s); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, c.Realm.Provider, "add-secret", c.ID, s)
}

// expireSecrets is POST /api/clients/secrets/expire (provider, client_id,
// [secret]: its id or value; none: all): the secret stops working now.
func (a *admin) expireSecrets(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id") {
		return
	}
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	n, err := a.m.World.ExpireSecrets(c.Realm, c.ID, r.Form.Get("secret"))
	if err != nil {
		refuse(w, err)
		return
	}
	a.done(w, c.Realm.Provider, "expire-secret", c.ID, map[string]int{"expired": n})
}

// removeSecret is DELETE /api/clients/secrets (provider, client_id,
// secret: its id or value).
func (a *admin) removeSecret(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "provider", "client_id", "secret") {
		return
	}
	c, ok := a.client(w, r)
	if !ok {
		return
	}
	if err := a.m.World.RemoveSecret(c.Realm, c.ID, r.Form.Get("secret")); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, c.Realm.Provider, "remove-secret", c.ID, map[string]string{"status": "removed"})
}

// boolParam reads an optional boolean parameter into *to.
func boolParam(r *http.Request, name string, to *bool) error {
	v := r.Form.Get(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%s must be true or false", name)
	}
	*to = b
	return nil
}
