package serve

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
)

//go:embed templates/dashboard.html
var templateFS embed.FS

var dashboard = template.Must(template.ParseFS(templateFS, "templates/dashboard.html"))

// admin is the admin API and the dashboard (DESIGN.md's contract).
type admin struct {
	m        *mocks.Server
	manifest Manifest
	log      *slog.Logger // serve's own complaints; nil: none
	snaps    snapshots
}

func newAdmin(m *mocks.Server, manifest Manifest, logger *slog.Logger) http.Handler {
	a := &admin{m: m, manifest: manifest, log: logger}
	r := mux.NewRouter()
	r.HandleFunc("/", a.dashboard).Methods(http.MethodGet)
	r.HandleFunc("/healthz", a.healthz).Methods(http.MethodGet)
	r.HandleFunc("/api/manifest", a.manifestJSON).Methods(http.MethodGet)
	r.HandleFunc("/api/ca.pem", a.caPEM).Methods(http.MethodGet)
	r.HandleFunc("/api/messages", a.messages).Methods(http.MethodGet)
	r.HandleFunc("/api/events", a.events).Methods(http.MethodGet)
	r.HandleFunc("/api/device/approve", a.device(true)).Methods(http.MethodPost)
	r.HandleFunc("/api/device/deny", a.device(false)).Methods(http.MethodPost)
	r.HandleFunc("/api/clock/advance", a.advance).Methods(http.MethodPost)
	r.HandleFunc("/api/clock/set", a.setClock).Methods(http.MethodPost)
	r.HandleFunc("/api/reset", a.resetTo).Methods(http.MethodPost)
	r.HandleFunc("/api/snapshots", a.takeSnapshot).Methods(http.MethodPost)
	r.HandleFunc("/api/tokens", a.mintTokens).Methods(http.MethodPost)
	r.HandleFunc("/api/messages", a.deliver).Methods(http.MethodPost)
	r.HandleFunc("/api/openapi.json", a.openAPI).Methods(http.MethodGet)
	r.HandleFunc("/api/grants/revoke", a.revokeGrants).Methods(http.MethodPost)
	r.HandleFunc("/api/faults", a.armFault).Methods(http.MethodPost)
	r.HandleFunc("/api/faults", a.listFaults).Methods(http.MethodGet)
	r.HandleFunc("/api/faults", a.clearFaults).Methods(http.MethodDelete)
	a.routeWorld(r)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, apiError{"no such endpoint"})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, apiError{"method not allowed"})
	})
	return r
}

type apiError struct {
	Error string `json:"error"`
}

// adminJSON is the admin API's JSON: indented, never cached.
var adminJSON = authserver.JSONStyle{Header: http.Header{"Cache-Control": {"no-store"}}, Indent: true}

func writeJSON(w http.ResponseWriter, status int, v any) { adminJSON.Write(w, status, v) }

func (a *admin) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// manifestJSON is the manifest of the world as it is now: its clients,
// users and clock.
func (a *admin) manifestJSON(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.current())
}

// current is the manifest of the world as it is now.
func (a *admin) current() Manifest {
	return manifest(a.m, a.manifest.CAFile, a.manifest.AdminURL)
}

// messages is GET /api/messages?mailbox=EMAIL[&since=INSTANT][&limit=N]:
// what was delivered there, oldest first, streamed.
func (a *admin) messages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	mailbox := q.Get("mailbox")
	if mailbox == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"the mailbox parameter is required"})
		return
	}
	win, err := parseWindow(q)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	msgs := keep(win, a.m.World.Messages(mailbox), func(m *world.Message) time.Time { return m.Time })
	writeArray(w, msgs, messageWriter{w}.encode)
}

// events is GET /api/events[?since=INSTANT][&limit=N]: the audit log,
// oldest first, streamed.
func (a *admin) events(w http.ResponseWriter, r *http.Request) {
	win, err := parseWindow(r.URL.Query())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	ev := a.m.World.EventsSince(win.since, win.limit)
	writeArray(w, ev, func(buf *bytes.Buffer, e *world.Event) error { return encodeCompact(buf, e) })
}

// device is POST /api/device/approve and /api/device/deny (form user_code,
// email): what the user does on the verification page.
func (a *admin) device(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
			return
		}
		code, email := r.PostForm.Get("user_code"), r.PostForm.Get("email")
		if code == "" || email == "" {
			writeJSON(w, http.StatusBadRequest, apiError{"user_code and email are required"})
			return
		}
		var err error
		if approve {
			err = a.m.ApproveDevice(code, email)
		} else {
			err = a.m.DenyDevice(code, email)
		}
		switch {
		case err == nil:
			writeJSON(w, http.StatusOK, map[string]string{"status": map[bool]string{true: "approved", false: "denied"}[approve]})
		case errors.Is(err, authserver.ErrUnknownUser):
			writeJSON(w, http.StatusNotFound, apiError{"no such user: " + email})
		default:
			writeJSON(w, http.StatusNotFound, apiError{"no pending device authorization has this user code"})
		}
	}
}

// setClock is POST /api/clock/set (form time, RFC 3339): the world's time
// moves forward to that instant.
func (a *admin) setClock(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
		return
	}
	t, err := time.Parse(time.RFC3339, r.PostForm.Get("time"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"time must be an RFC 3339 instant, such as 2030-01-01T00:00:00Z"})
		return
	}
	if err := a.m.World.Clock.Set(t); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	a.m.World.Record(world.Event{Provider: "world", Protocol: "admin", Mechanism: "clock", Outcome: "ok", Reason: "set " + t.UTC().Format(time.RFC3339)})
	writeJSON(w, http.StatusOK, clockOf(a.m.World))
}

// reset is POST /api/reset: the world as serve started it (Server.Reset).
func (a *admin) reset(w http.ResponseWriter, _ *http.Request) {
	start := time.Now()
	a.m.Reset()
	a.m.World.Record(world.Event{Provider: "world", Protocol: "admin", Mechanism: "reset", Outcome: "ok"})
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "took_ms": float64(time.Since(start).Microseconds()) / 1000})
}

// faultRequest is what POST /api/faults reads, as a form or JSON.
type faultRequest struct {
	Target  string `json:"target"`
	Fault   string `json:"fault"`
	Count   *int   `json:"count"`
	DelayMS int    `json:"delay_ms"`
}

// armFault is POST /api/faults (form or JSON: target, fault, count,
// delay_ms): an error on demand (mocks.Server.ArmFault). count is 1 when
// not given; 0 arms the fault until it is cleared.
func (a *admin) armFault(w http.ResponseWriter, r *http.Request) {
	var req faultRequest
	if err := readInput(w, r, &req, func(form url.Values) error {
		req = faultRequest{Target: form.Get("target"), Fault: form.Get("fault")}
		if v := form.Get("count"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errors.New("count must be a whole number")
			}
			req.Count = &n
		}
		if v := form.Get("delay_ms"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errors.New("delay_ms must be a whole number")
			}
			req.DelayMS = n
		}
		return nil
	}); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	f := world.Fault{Target: req.Target, Kind: req.Fault, Count: 1, DelayMS: req.DelayMS}
	if req.Count != nil {
		f.Count = *req.Count
	}
	armed, err := a.m.World.ArmFault(f)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	a.m.World.Record(world.Event{Provider: "world", Protocol: "admin", Mechanism: "fault", Outcome: "ok",
		Reason: "armed " + armed.Kind + " at " + armed.Target + " (" + armed.ID + ")"})
	writeJSON(w, http.StatusOK, armed)
}

// listFaults is GET /api/faults: the armed faults and where they can be.
func (a *admin) listFaults(w http.ResponseWriter, _ *http.Request) {
	faults := a.m.World.Faults()
	if faults == nil {
		faults = []world.Fault{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": faults, "targets": a.m.FaultPoints(), "kinds": world.FaultKinds})
}

// clearFaults is DELETE /api/faults: every fault disarmed.
func (a *admin) clearFaults(w http.ResponseWriter, _ *http.Request) {
	n := a.m.World.ClearFaults()
	a.m.World.Record(world.Event{Provider: "world", Protocol: "admin", Mechanism: "fault", Outcome: "ok", Reason: "cleared"})
	writeJSON(w, http.StatusOK, map[string]int{"cleared": n})
}

// readInput reads a request's JSON body into v, or its form through
// fromForm.
func readInput(w http.ResponseWriter, r *http.Request, v any, fromForm func(url.Values) error) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	return readInputLimit(r, v, fromForm)
}

// readInputLimit is readInput within the bound already set on r.Body.
func readInputLimit(r *http.Request, v any, fromForm func(url.Values) error) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("the JSON body: %v", err)
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return errors.New("the form could not be parsed")
	}
	return fromForm(r.PostForm)
}

// revokeGrants is POST /api/grants/revoke (form provider, email,
// client_id): the user removes the client's access in their account at the
// provider (Trackdéchets' "Applications et API", T-06; Google's
// third-party connections). Every code and token the user granted the
// client stops working.
func (a *admin) revokeGrants(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
		return
	}
	provider, email, clientID := r.PostForm.Get("provider"), r.PostForm.Get("email"), r.PostForm.Get("client_id")
	if provider == "" || email == "" || clientID == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"provider, email and client_id are required"})
		return
	}
	p := a.m.Provider(provider)
	if p == nil {
		writeJSON(w, http.StatusNotFound, apiError{"no such provider: " + provider})
		return
	}
	_, user := a.m.World.FindAccount(provider, email)
	_, client := a.m.World.FindClient(provider, clientID)
	switch {
	case !user:
		writeJSON(w, http.StatusNotFound, apiError{"no such user: " + email})
	case !client:
		writeJSON(w, http.StatusNotFound, apiError{"no such client: " + clientID})
	default:
		p.RevokeAccess(email, clientID)
		writeJSON(w, http.StatusOK, map[string]string{"status": "revoked"})
	}
}

// advance is POST /api/clock/advance (form seconds): the world's time moves.
func (a *admin) advance(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
		return
	}
	n, err := strconv.ParseInt(r.PostForm.Get("seconds"), 10, 64)
	if err != nil || n <= 0 || n > 10*365*24*3600 {
		writeJSON(w, http.StatusBadRequest, apiError{"seconds must be a whole number from 1 to 315360000"})
		return
	}
	d := time.Duration(n) * time.Second
	if left := world.MaxOffset - a.m.World.Clock.Offset(); d > left {
		writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("the world's clock may run at most 100 years ahead of the real time: %d seconds are left", int64(left/time.Second))})
		return
	}
	a.m.World.Clock.Advance(d)
	writeJSON(w, http.StatusOK, clockOf(a.m.World))
}

// dashboardData is what the dashboard shows.
type dashboardData struct {
	Manifest Manifest
	// StrictClientAuth is Trackdéchets' setting (F-18).
	StrictClientAuth bool
	Now              string
	// Offset is how far the world's time runs ahead of the real time;
	// empty when it does not.
	Offset    string
	Faults    []world.Fault
	Events    []world.Event
	Exchange  []exchangeView
	Mailboxes []mailboxView
}

type mailboxView struct {
	Address  string
	Messages []world.Message
}

// exchangeView is a Microsoft tenant's Exchange Online settings beside its
// app registrations: what EX-02's service principal must match.
type exchangeView struct {
	Tenant   string
	TenantID string
	Exchange microsoft.Exchange
	Apps     []appView
	// ServicePrincipals and Permissions are Exchange's, beside the apps.
	ServicePrincipals []spView
	Permissions       []permView
}

// appView is an app registration with the object ids Exchange's
// New-ServicePrincipal is about.
type appView struct {
	Name, AppID, ObjectID, EnterpriseObjectID string
	Delegated, Application                    []string
	AdminConsent                              bool
}

// dashboardEvents is how many of the latest events the dashboard shows.
const dashboardEvents = 20

// dashboard is GET /: the world's state (clock, faults, Exchange) and its
// latest events and messages, server-rendered.
func (a *admin) dashboard(w http.ResponseWriter, _ *http.Request) {
	ev := a.m.World.Events()
	slices.Reverse(ev)
	if len(ev) > dashboardEvents {
		ev = ev[:dashboardEvents]
	}
	d := dashboardData{Manifest: a.current(), Now: a.m.World.Clock.Now().UTC().Format(time.RFC3339), Events: ev,
		Faults: a.m.World.Faults(), StrictClientAuth: a.m.Trackdechets != nil && strictClientAuth(a.m.World)}
	if off := a.m.World.Clock.Offset(); off > 0 {
		d.Offset = "+" + off.Round(time.Second).String()
	}
	if a.m.Microsoft != nil {
		d.Exchange = exchangeViews(a.m.World, d.Manifest.Providers[microsoft.Name])
	}
	for _, addr := range a.m.World.Mailboxes() {
		msgs := a.m.World.Messages(addr)
		slices.Reverse(msgs)
		if len(msgs) > 20 {
			msgs = msgs[:20]
		}
		d.Mailboxes = append(d.Mailboxes, mailboxView{Address: addr, Messages: msgs})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := dashboard.Execute(w, d); err != nil && a.log != nil {
		a.log.Error("serve: rendering the dashboard", "err", err)
	}
}

// exchangeViews are the Microsoft tenants' Exchange settings and app
// registrations, in the manifest's order.
func exchangeViews(w *world.World, p Provider) []exchangeView {
	var out []exchangeView
	for _, t := range p.Tenants {
		realm := world.Realm{Provider: microsoft.Name, Tenant: t.Name}
		settings, _ := microsoft.TenantOf(w, realm)
		v := exchangeView{Tenant: t.Name, TenantID: t.TenantID, Exchange: settings.Exchange}
		for _, c := range p.Clients {
			if c.Tenant != t.Name {
				continue
			}
			reg, _ := w.Client(realm, c.ClientID)
			app, _ := reg.Settings.(microsoft.App)
			v.Apps = append(v.Apps, appView{Name: c.Name, AppID: c.ClientID, ObjectID: app.ObjectID, EnterpriseObjectID: app.EnterpriseObjectID,
				Delegated: app.Delegated, Application: app.Application, AdminConsent: app.AdminConsent})
		}
		v.ServicePrincipals = servicePrincipalViews(settings.Exchange, v.Apps)
		v.Permissions = permissionViews(settings.Exchange, v.ServicePrincipals)
		out = append(out, v)
	}
	return out
}
