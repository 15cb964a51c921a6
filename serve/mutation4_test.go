package serve_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/mailoauth/mailoauth/serve"
)

// The tests of this file kill the mutants of the Microsoft console, the
// OpenAPI document and the names the listeners give (docs/testing.md,
// "Mutation", serve): each asserts on what a client receives, an answer's
// status and JSON, a certificate, a URL.

// exchangeOf is a Microsoft console's answer of 200: the tenant's
// Exchange settings.
func exchangeOf(t *testing.T, what string, status int, out map[string]any) map[string]any {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("%s: HTTP %d %v", what, status, out)
	}
	return out
}

// TestMicrosoftConsoleThroughAdmin: the Entra admin center's and Exchange
// Online's switches (F-04, F-07, F-10, F-27, EX-01, EX-02, EX-08, EX-12):
// each answers 200 with the new settings and is in the audit log as
// add-... or remove-...; a value that is not a boolean is 400, an unknown
// tenant 404, a service principal without its object id 400.
func TestMicrosoftConsoleThroughAdmin(t *testing.T) {
	inst := start(t)
	ms := inst.Manifest.Providers["microsoft"]
	tenant := ms.Tenants[0].Name
	web := clientID(inst, "microsoft", "web")
	const base = "/api/providers/microsoft/"

	status, out := api(t, inst, http.MethodPost, base+"apps", url.Values{"client_id": {web}, "admin_consent": {"true"}, "allow_public_client_flows": {"true"}})
	if status != http.StatusOK || out["admin_consent"] != true || out["allow_public_client_flows"] != true {
		t.Errorf("app switches on: HTTP %d %v", status, out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "app" || ev["reason"] != web+" admin_consent=true allow_public_client_flows=true" {
		t.Errorf("app switches logged as %v", ev)
	}
	status, out = api(t, inst, http.MethodPost, base+"apps", url.Values{"client_id": {web}, "admin_consent": {"yes please"}})
	want(t, "admin_consent not a boolean", status, out, http.StatusBadRequest, "admin_consent must be true or false")

	status, out = api(t, inst, http.MethodPost, base+"tenants", url.Values{"tenant": {"nowhere"}})
	want(t, "an unknown tenant", status, out, http.StatusNotFound, "no such tenant: nowhere")
	status, out = api(t, inst, http.MethodPost, base+"tenants", url.Values{"tenant": {tenant}, "security_defaults": {"maybe"}})
	want(t, "security_defaults not a boolean", status, out, http.StatusBadRequest, "security_defaults must be true or false")
	status, out = api(t, inst, http.MethodPost, base+"tenants", url.Values{"tenant": {tenant}, "smtp_auth_disabled": {"true"},
		"smtp_auth_disabled_for": {" a@contoso.test , ,b@contoso.test"}})
	if status != http.StatusOK || out["smtp_auth_disabled"] != true || !sameList(out["smtp_auth_disabled_for"], "a@contoso.test", "b@contoso.test") {
		t.Errorf("tenant switches: HTTP %d %v", status, out)
	}

	status, out = api(t, inst, http.MethodPost, base+"service-principals", url.Values{"tenant": {tenant}, "app_id": {"app-1"}})
	want(t, "a service principal without object_id", status, out, http.StatusBadRequest, "object_id required: the enterprise application's object id")
	status, out = api(t, inst, http.MethodPost, base+"service-principals", url.Values{"tenant": {"nowhere"}, "app_id": {"app-1"}, "object_id": {"obj-1"}})
	want(t, "a service principal in an unknown tenant", status, out, http.StatusNotFound, "no such tenant: nowhere")
	status, out = api(t, inst, http.MethodPost, base+"service-principals", url.Values{"tenant": {tenant}, "app_id": {"app-1"}, "object_id": {"obj-1"}})
	if !hasEntry(exchangeOf(t, "add a service principal", status, out)["service_principals"], "app_id", "app-1") {
		t.Errorf("service principal not added: %v", out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "add-service-principal" || ev["reason"] != tenant {
		t.Errorf("add a service principal logged as %v", ev)
	}
	status, out = api(t, inst, http.MethodDelete, base+"service-principals", url.Values{"tenant": {tenant}, "app_id": {"APP-1"}})
	if hasEntry(exchangeOf(t, "remove a service principal", status, out)["service_principals"], "app_id", "app-1") {
		t.Errorf("service principal not removed: %v", out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "remove-service-principal" {
		t.Errorf("remove a service principal logged as %v", ev)
	}

	status, out = api(t, inst, http.MethodPost, base+"cas-mailboxes", url.Values{"tenant": {"nowhere"}, "mailbox": {"a@contoso.test"}})
	want(t, "a CAS mailbox in an unknown tenant", status, out, http.StatusNotFound, "no such tenant: nowhere")
	status, out = api(t, inst, http.MethodPost, base+"cas-mailboxes", url.Values{"tenant": {tenant}, "mailbox": {"a@contoso.test"}, "pop_enabled": {"off?"}})
	want(t, "pop_enabled not a boolean", status, out, http.StatusBadRequest, "pop_enabled must be true or false")
	status, out = api(t, inst, http.MethodPost, base+"cas-mailboxes", url.Values{"tenant": {tenant}, "mailbox": {"a@contoso.test"}, "imap_enabled": {"false"}})
	ex := exchangeOf(t, "IMAP off", status, out)
	if !sameList(ex["imap_disabled_for"], "a@contoso.test") || !sameList(ex["pop_disabled_for"]) {
		t.Errorf("IMAP off for a@contoso.test: %v", ex)
	}
}

// hasEntry reports whether v, a JSON array of objects, has one whose key
// is value.
func hasEntry(v any, key, value string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if m, _ := x.(map[string]any); m[key] == value {
			return true
		}
	}
	return false
}

// TestOpenAPIShapes: GET /api/openapi.json gives a route with a query its
// parameters and one without none; a form's schema its required fields
// and one whose fields are all optional no "required"; PUT /api/world a
// world file's body, POST /api/clients a client's, a form route the form
// and JSON; the dashboard HTML, /api/ca.pem PEM, a list route an array.
func TestOpenAPIShapes(t *testing.T) {
	inst := start(t)
	var doc struct {
		Paths map[string]map[string]map[string]any `json:"paths"`
	}
	getJSON(t, inst.Manifest.AdminURL+"/api/openapi.json", &doc)
	op := func(method, path string) map[string]any {
		o, ok := doc.Paths[path][method]
		if !ok {
			t.Fatalf("no %s %s in %v", method, path, doc.Paths[path])
		}
		return o
	}
	at := func(v any, keys ...string) any {
		for _, k := range keys {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		return v
	}
	if p, _ := op("get", "/api/events")["parameters"].([]any); len(p) != 2 || at(p[1], "name") != "limit" || at(p[1], "in") != "query" {
		t.Errorf("GET /api/events parameters: %v", p)
	}
	if p, ok := op("get", "/healthz")["parameters"]; ok {
		t.Errorf("GET /healthz has parameters %v", p)
	}
	form := func(method, path string) map[string]any {
		s, _ := at(op(method, path), "requestBody", "content", "application/x-www-form-urlencoded", "schema").(map[string]any)
		if s == nil || at(op(method, path), "requestBody", "content", "application/json", "schema") == nil {
			t.Fatalf("%s %s: no form and JSON body: %v", method, path, op(method, path)["requestBody"])
		}
		return s
	}
	if r := form("post", "/api/clock/advance")["required"]; !sameList(r, "seconds") {
		t.Errorf("POST /api/clock/advance required %v", r)
	}
	if r, ok := form("post", "/api/reset")["required"]; ok {
		t.Errorf("POST /api/reset (snapshot optional) required %v", r)
	}
	if b := op("put", "/api/world")["requestBody"]; at(b, "description") != "a world file (docs/serve.md)" || at(b, "content", "application/yaml") == nil {
		t.Errorf("PUT /api/world body %v", b)
	}
	if b := op("post", "/api/clients")["requestBody"]; at(b, "required") != true || at(b, "content", "application/yaml") == nil ||
		at(b, "description") != "one client in the world file's keys, or the manifest's client_id and client_secret for id and secret" {
		t.Errorf("POST /api/clients body %v", b)
	}
	answer := func(method, path string) map[string]any {
		c, _ := at(op(method, path), "responses", "200", "content").(map[string]any)
		return c
	}
	if c := answer("get", "/"); len(c) != 1 || c["text/html"] == nil {
		t.Errorf("GET / answers %v", c)
	}
	if c := answer("get", "/api/ca.pem"); len(c) != 1 || c["application/x-pem-file"] == nil {
		t.Errorf("GET /api/ca.pem answers %v", c)
	}
	if s := at(answer("get", "/api/events"), "application/json", "schema"); at(s, "type") != "array" || at(s, "items", "$ref") != "#/components/schemas/Event" {
		t.Errorf("GET /api/events answers %v", s)
	}
}

// TestLoopbackHostNotANameOfItsOwn: serve on 127.0.0.1 (the default) gives
// the listeners' certificate the loopback addresses once each, as a world
// without hosts: the host is added to the certificate's names only when it
// is neither loopback nor unspecified.
func TestLoopbackHostNotANameOfItsOwn(t *testing.T) {
	inst := start(t)
	imap := inst.Manifest.Providers["google"].Mail["imap"]
	pem, err := os.ReadFile(inst.Manifest.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", net.JoinHostPort(imap.Host, strconv.Itoa(imap.Port)), &tls.Config{RootCAs: roots, ServerName: imap.Host})
	if err != nil {
		t.Fatalf("IMAPS at %s:%d: %v", imap.Host, imap.Port, err)
	}
	defer conn.Close()
	leaf := conn.ConnectionState().PeerCertificates[0]
	if ips := leaf.IPAddresses; len(ips) != 2 || !ips[0].Equal(net.IPv4(127, 0, 0, 1)) || !ips[1].Equal(net.IPv6loopback) {
		t.Errorf("the certificate's IP addresses: %v, want [127.0.0.1 ::1]", ips)
	}
}

// TestWildcardListenNamesLoopback: serve on 0.0.0.0 (every interface, as in
// a container) names 127.0.0.1 in its URLs, which a client can dial, not
// the wildcard address it listens on.
func TestWildcardListenNamesLoopback(t *testing.T) {
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir(), Host: "0.0.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	for _, u := range []string{inst.Manifest.AdminURL, inst.Manifest.Providers["google"].TokenEndpoint} {
		if p, err := url.Parse(u); err != nil || p.Hostname() != "127.0.0.1" {
			t.Errorf("%s does not name 127.0.0.1", u)
		}
	}
	if h := inst.Manifest.Providers["google"].Mail["imap"].Host; h != "127.0.0.1" {
		t.Errorf("the IMAP endpoint names %s", h)
	}
	if status, _ := call(t, http.MethodGet, inst.Manifest.AdminURL+"/healthz", nil); status != http.StatusOK {
		t.Errorf("GET /healthz at %s: HTTP %d", inst.Manifest.AdminURL, status)
	}
}
