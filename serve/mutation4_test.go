package serve_test

import (
	"net/http"
	"net/url"
	"testing"
)

// The tests of this file kill the mutants of the Microsoft console, the
// OpenAPI document, the server's start and the client keys
// (docs/testing.md, "Mutation", serve): each asserts on the status and the
// JSON of the answer.

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
