package serve

import (
	"net/http"
	"strings"
)

// apiRoute is one admin route as the OpenAPI document describes it.
type apiRoute struct {
	method, path string
	// provider is the provider whose console the route is ("": every
	// world has it).
	provider string
	summary  string
	// query are query parameters; form are the body's fields, as a form
	// or a JSON object (body says otherwise).
	query, form []param
	// body is a request body of its own kind: "world" (a world file),
	// "client" (one client in the world file's keys).
	body string
	// response is the 200 answer's schema: a component's name, "[Name]"
	// for an array of them, "html" for the dashboard.
	response string
}

// param is a parameter: its name, type ("string", "integer", "boolean"),
// whether it is required, and what it is.
type param struct {
	name, typ string
	required  bool
	about     string
}

func req(name, about string) param { return param{name, "string", true, about} }
func opt(name, about string) param { return param{name, "string", false, about} }

// adminRoutes are every admin route, in the order docs/serve.md lists them.
var adminRoutes = []apiRoute{
	{method: "GET", path: "/", summary: "The dashboard: recent events and messages.", response: "html"},
	{method: "GET", path: "/healthz", summary: "ok once every listener accepts.", response: "Status"},
	{method: "GET", path: "/api/openapi.json", summary: "This document.", response: "Object"},
	{method: "GET", path: "/api/manifest", summary: "The manifest of the world as it is now.", response: "Manifest"},
	{method: "GET", path: "/api/ca.pem", summary: "The CA certificate every listener's certificate chains to (ca_file).", response: "pem"},
	{method: "GET", path: "/api/messages", summary: "Messages delivered to a mailbox, oldest first.",
		query: []param{req("mailbox", "the mailbox's address"), opt("since", "only those delivered after this RFC 3339 instant"),
			{"limit", "integer", false, "at most this many, the newest"}}, response: "[Message]"},
	{method: "POST", path: "/api/messages", summary: "Deliver a message into a mailbox's INBOX, as if received.",
		form: []param{req("mailbox", "the mailbox's address"), opt("raw", "a whole RFC 5322 message; without it the message is made of from, to, subject and body"),
			opt("from", "the From addresses"), opt("to", "the To addresses (default: mailbox)"), opt("subject", "the subject"),
			opt("body", "the plain-text body")}, response: "Message"},
	{method: "GET", path: "/api/events", summary: "The audit log, oldest first.",
		query:    []param{opt("since", "only those after this RFC 3339 instant"), {"limit", "integer", false, "at most this many, the newest"}},
		response: "[Event]"},
	{method: "POST", path: "/api/tokens", summary: "The tokens a user (or, without email, the client itself) obtains through the real authorization and exchange, answered as the token endpoint answered (its error too).",
		form: []param{req("provider", "google, microsoft or trackdechets"), opt("client", "the client's name or client id (default: web)"),
			opt("client_id", "the client id, when client is not given"), opt("email", "the user who signs in; none: client credentials"),
			opt("scope", "space-separated scopes"), opt("tenant", "Microsoft: the tenant segment (default: the client's own)"),
			{"offline", "boolean", false, "ask for a refresh token the provider's way"}}, response: "TokenResponse"},
	{method: "POST", path: "/api/snapshots", summary: "Keep the world as it is now (grants, consents, mail, registrations, clock offset) for POST /api/reset with snapshot.",
		response: "Snapshot"},
	{method: "POST", path: "/api/reset", summary: "Back to a snapshot, or without one to the world serve started with.",
		form: []param{opt("snapshot", "a snapshot's id")}, response: "Reset"},
	{method: "POST", path: "/api/device/approve", summary: "The user approves a pending device authorization.",
		form: []param{req("user_code", "the code the device shows"), req("email", "the user")}, response: "Status"},
	{method: "POST", path: "/api/device/deny", summary: "The user denies a pending device authorization.",
		form: []param{req("user_code", "the code the device shows"), req("email", "the user")}, response: "Status"},
	{method: "POST", path: "/api/clock/advance", summary: "Move the world's time forward.",
		form: []param{{"seconds", "integer", true, "1 to 315360000"}}, response: "Clock"},
	{method: "POST", path: "/api/clock/set", summary: "Move the world's time forward to an instant.",
		form: []param{req("time", "an RFC 3339 instant, after the world's time")}, response: "Clock"},
	{method: "POST", path: "/api/grants/revoke", summary: "The user removes a client's access at the provider.",
		form: []param{req("provider", "the provider"), req("email", "the user"), req("client_id", "the client")}, response: "Status"},
	{method: "POST", path: "/api/faults", summary: "Arm an error on demand.",
		form: []param{req("target", "provider.point, as GET /api/faults lists them"), req("fault", "the kind, as GET /api/faults lists them"),
			{"count", "integer", false, "how many requests it answers (default 1; 0: until cleared)"},
			{"delay_ms", "integer", false, "for a delay fault"}}, response: "Fault"},
	{method: "GET", path: "/api/faults", summary: "The armed faults, the targets and the kinds.", response: "Faults"},
	{method: "DELETE", path: "/api/faults", summary: "Disarm every fault.", response: "Cleared"},
	{method: "GET", path: "/api/world", summary: "The running world as a world file.",
		query: []param{opt("format", "yaml for YAML (default JSON)"), {"passwords", "boolean", false, "include passwords"}}, response: "Object"},
	{method: "PUT", path: "/api/world", summary: "Replace the running world with a world file (YAML or JSON); it starts afresh.",
		body: "world", response: "Loaded"},
	{method: "POST", path: "/api/users", summary: "Add an account, or change one.",
		form: []param{req("provider", "the provider"), opt("tenant", "Microsoft: the tenant"), req("email", "the address"),
			opt("name", "the display name"), req("password", "for the sign-in page"), opt("id", "the account's id at the provider")},
		response: "Object"},
	{method: "DELETE", path: "/api/users", summary: "Remove an account; everything it granted ends.",
		form: []param{req("provider", "the provider"), req("email", "the address")}, response: "Status"},
	{method: "POST", path: "/api/clients", summary: "Register a client (the body: one client in the world file's keys or the manifest's client_id and client_secret, YAML or JSON), or replace the one of its id.",
		query: []param{req("provider", "the provider"), opt("tenant", "Microsoft: the tenant")}, body: "client", response: "Client"},
	{method: "DELETE", path: "/api/clients", summary: "Remove a registration; its codes and tokens end.",
		form: []param{req("provider", "the provider"), req("client_id", "the client")}, response: "Status"},
	{method: "POST", path: "/api/clients/secrets", summary: "Add a secret beside the others (a rotation).",
		form: []param{req("provider", "the provider"), req("client_id", "the client"), opt("value", "the secret (default: one is made)"),
			opt("id", "its id"), opt("expires", "an RFC 3339 instant")}, response: "Object"},
	{method: "POST", path: "/api/clients/secrets/expire", summary: "A secret (or, without one, every secret) stops working now.",
		form: []param{req("provider", "the provider"), req("client_id", "the client"), opt("secret", "its id or value")}, response: "Object"},
	{method: "DELETE", path: "/api/clients/secrets", summary: "Remove a secret.",
		form: []param{req("provider", "the provider"), req("client_id", "the client"), req("secret", "its id or value")}, response: "Status"},
	{method: "POST", path: "/api/providers/google/testing", provider: "google", summary: "The consent screen in Testing or in production (G-08).",
		form: []param{req("client_id", "the client"), {"testing", "boolean", true, "Testing"}}, response: "Object"},
	{method: "POST", path: "/api/providers/google/test-users", provider: "google", summary: "Add a test user to the client's consent screen (G-14, F-33).",
		form: []param{req("client_id", "the client"), req("email", "the user's address")}, response: "Object"},
	{method: "DELETE", path: "/api/providers/google/test-users", provider: "google", summary: "Remove a test user; a Testing app left with none admits no one (G-14).",
		form: []param{req("client_id", "the client"), req("email", "the user's address")}, response: "Object"},
	{method: "POST", path: "/api/providers/google/blocked-clients", provider: "google", summary: "A Workspace admin blocks a client in the domain's API controls (G-14, F-34).",
		form: []param{req("domain", "the Workspace's domain (the part of its users' addresses after @)"), req("client_id", "the client"),
			opt("message", "the admin's custom text, the token endpoint's error_description")}, response: "Object"},
	{method: "DELETE", path: "/api/providers/google/blocked-clients", provider: "google", summary: "The Workspace admin trusts the client again (G-14).",
		form: []param{req("domain", "the Workspace's domain"), req("client_id", "the client")}, response: "Object"},
	{method: "POST", path: "/api/providers/google/playground", provider: "google", summary: "The client is the OAuth 2.0 Playground's own: refresh tokens minted from then on are revoked after 24 hours (G-17, F-36).",
		form: []param{req("client_id", "the client"), {"playground", "boolean", true, "the Playground's own"}}, response: "Object"},
	{method: "POST", path: "/api/providers/microsoft/apps", provider: "microsoft", summary: "An app registration's switches in the Entra admin center.",
		form: []param{req("client_id", "the application id"), {"admin_consent", "boolean", false, "admin consent granted"},
			{"allow_public_client_flows", "boolean", false, "public client flows allowed"}}, response: "Object"},
	{method: "POST", path: "/api/providers/microsoft/tenants", provider: "microsoft", summary: "A tenant's and Exchange's settings.",
		form: []param{req("tenant", "the tenant"), {"user_consent_disabled", "boolean", false, "users may not consent"},
			{"security_defaults", "boolean", false, "Entra's Security Defaults on: a password to SMTP AUTH is refused (F-27)"},
			{"smtp_auth_disabled", "boolean", false, "SMTP AUTH off for the organization"},
			opt("smtp_auth_disabled_for", "comma-separated mailboxes with SMTP AUTH off")}, response: "Object"},
	{method: "POST", path: "/api/providers/microsoft/service-principals", provider: "microsoft", summary: "Exchange's New-ServicePrincipal.",
		form:     []param{req("tenant", "the tenant"), req("app_id", "the application id"), req("object_id", "the enterprise application's object id")},
		response: "Object"},
	{method: "DELETE", path: "/api/providers/microsoft/service-principals", provider: "microsoft", summary: "Exchange's Remove-ServicePrincipal.",
		form: []param{req("tenant", "the tenant"), req("app_id", "the application id"), opt("object_id", "the object id")}, response: "Object"},
	{method: "POST", path: "/api/providers/microsoft/mailbox-permissions", provider: "microsoft", summary: "Exchange's Add-MailboxPermission.",
		form:     []param{req("tenant", "the tenant"), req("mailbox", "the mailbox"), req("user", "a service principal's object id or a user's address")},
		response: "Object"},
	{method: "DELETE", path: "/api/providers/microsoft/mailbox-permissions", provider: "microsoft", summary: "Exchange's Remove-MailboxPermission.",
		form:     []param{req("tenant", "the tenant"), req("mailbox", "the mailbox"), req("user", "a service principal's object id or a user's address")},
		response: "Object"},
	{method: "POST", path: "/api/providers/microsoft/recipient-permissions", provider: "microsoft", summary: "Exchange's Add-RecipientPermission -AccessRights SendAs (EX-12).",
		form:     []param{req("tenant", "the tenant"), req("mailbox", "the address to send as"), req("trustee", "a user's address or a service principal's object id")},
		response: "Object"},
	{method: "DELETE", path: "/api/providers/microsoft/recipient-permissions", provider: "microsoft", summary: "Exchange's Remove-RecipientPermission.",
		form:     []param{req("tenant", "the tenant"), req("mailbox", "the address to send as"), req("trustee", "a user's address or a service principal's object id")},
		response: "Object"},
	{method: "POST", path: "/api/providers/microsoft/cas-mailboxes", provider: "microsoft", summary: "Exchange's Set-CASMailbox -ImapEnabled / -PopEnabled (EX-08).",
		form: []param{req("tenant", "the tenant"), req("mailbox", "the mailbox"), {"imap_enabled", "boolean", false, "IMAP on for the mailbox"},
			{"pop_enabled", "boolean", false, "POP on for the mailbox"}}, response: "Object"},
	{method: "GET", path: "/api/providers/trackdechets/settings", provider: "trackdechets", summary: "Trackdéchets' settings.", response: "Object"},
	{method: "POST", path: "/api/providers/trackdechets/settings", provider: "trackdechets", summary: "Whether the token endpoint refuses client credentials in the body (F-18).",
		form: []param{{"strict_client_auth", "boolean", true, "refuse them"}}, response: "Object"},
}

// openAPI is GET /api/openapi.json: an OpenAPI 3 document of every admin
// route of this world (its providers' consoles included).
func (a *admin) openAPI(w http.ResponseWriter, _ *http.Request) {
	paths := map[string]map[string]any{}
	for _, rt := range adminRoutes {
		if rt.provider != "" && a.m.Provider(rt.provider) == nil {
			continue
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = rt.operation()
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "mailoauth serve admin API", "version": "1",
			"description": "Plain HTTP on loopback; JSON out; form or JSON in. Errors are {\"error\": \"...\"} with a 4xx status."},
		"servers":    []map[string]string{{"url": a.manifest.AdminURL}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas},
	})
}

// operation is rt as an OpenAPI operation.
func (rt apiRoute) operation() map[string]any {
	op := map[string]any{"summary": rt.summary, "responses": map[string]any{
		"200":     map[string]any{"description": "done", "content": rt.responseContent()},
		"default": map[string]any{"description": "refused", "content": jsonOf(ref("Error"))},
	}}
	var params []map[string]any
	for _, p := range rt.query {
		params = append(params, map[string]any{"name": p.name, "in": "query", "required": p.required, "description": p.about,
			"schema": map[string]string{"type": p.typ}})
	}
	if params != nil {
		op["parameters"] = params
	}
	switch {
	case rt.body == "world":
		op["requestBody"] = map[string]any{"required": true, "description": "a world file (docs/serve.md)", "content": map[string]any{
			"application/yaml": map[string]any{"schema": map[string]string{"type": "string"}},
			"application/json": map[string]any{"schema": map[string]string{"type": "object"}}}}
	case rt.body == "client":
		op["requestBody"] = map[string]any{"required": true, "description": "one client in the world file's keys, or the manifest's client_id and client_secret for id and secret", "content": map[string]any{
			"application/yaml": map[string]any{"schema": map[string]string{"type": "string"}},
			"application/json": map[string]any{"schema": map[string]string{"type": "object"}}}}
	case rt.form != nil:
		props, required := map[string]any{}, []string{}
		for _, p := range rt.form {
			props[p.name] = map[string]string{"type": p.typ, "description": p.about}
			if p.required {
				required = append(required, p.name)
			}
		}
		schema := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			schema["required"] = required
		}
		op["requestBody"] = map[string]any{"content": map[string]any{
			"application/x-www-form-urlencoded": map[string]any{"schema": schema},
			"application/json":                  map[string]any{"schema": schema}}}
	}
	return op
}

func (rt apiRoute) responseContent() map[string]any {
	switch {
	case rt.response == "html":
		return map[string]any{"text/html": map[string]any{"schema": map[string]string{"type": "string"}}}
	case rt.response == "pem":
		return map[string]any{"application/x-pem-file": map[string]any{"schema": map[string]string{"type": "string"}}}
	case strings.HasPrefix(rt.response, "["):
		return jsonOf(map[string]any{"type": "array", "items": ref(strings.Trim(rt.response, "[]"))})
	}
	return jsonOf(ref(rt.response))
}

func jsonOf(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func ref(name string) map[string]string {
	return map[string]string{"$ref": "#/components/schemas/" + name}
}

// obj is an object schema of these properties, each "type" or a schema.
func obj(props map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range props {
		if t, ok := v.(string); ok {
			v = map[string]string{"type": t}
		}
		out[k] = v
	}
	return map[string]any{"type": "object", "properties": out}
}

func arrayOf(item any) map[string]any { return map[string]any{"type": "array", "items": item} }

var stringList = arrayOf(map[string]string{"type": "string"})

// schemas are the answers' shapes.
var schemas = map[string]any{
	"Object": map[string]string{"type": "object"},
	"Error":  obj(map[string]any{"error": "string"}),
	"Status": obj(map[string]any{"status": "string"}),
	"Loaded": obj(map[string]any{"status": "string", "warnings": stringList}),
	"Clock":  obj(map[string]any{"now": "string", "offset_seconds": "integer"}),
	"Message": obj(map[string]any{"time": "string", "from": "string", "to": stringList, "subject": "string",
		"size": "integer", "raw": "string"}),
	"Event": obj(map[string]any{"time": "string", "provider": "string", "protocol": "string", "mechanism": "string",
		"user": "string", "client": "string", "outcome": "string", "reason": "string", "detail": "string",
		"seen": map[string]any{"type": "object", "additionalProperties": map[string]string{"type": "string"}}}),
	"TokenResponse": func() map[string]any {
		s := obj(map[string]any{"access_token": "string", "token_type": "string", "expires_in": "integer",
			"refresh_token": "string", "scope": "string", "id_token": "string"})
		s["additionalProperties"] = true
		return s
	}(),
	"Snapshot": obj(map[string]any{"id": "string", "clock": ref("Clock")}),
	"Reset":    obj(map[string]any{"status": "string", "snapshot": "string", "took_ms": "number"}),
	"Fault": obj(map[string]any{"id": "string", "target": "string", "fault": "string", "count": "integer",
		"delay_ms": "integer", "hits": "integer"}),
	"Faults":  obj(map[string]any{"faults": arrayOf(ref("Fault")), "targets": stringList, "kinds": stringList}),
	"Cleared": obj(map[string]any{"cleared": "integer"}),
	"Client": obj(map[string]any{"name": "string", "client_id": "string", "client_secret": "string",
		"redirect_uris": stringList, "type": "string", "tenant": "string", "flows": stringList, "public": "boolean",
		"purpose": "string", "permissions": obj(map[string]any{"delegated": stringList, "application": stringList}),
		"admin_consent": "boolean", "mailboxes": stringList}),
	"User": obj(map[string]any{"email": "string", "name": "string", "password": "string", "tenant": "string"}),
	"Manifest": obj(map[string]any{"schema": "integer", "ca_file": "string", "admin_url": "string", "approve_as": stringList,
		"clock": ref("Clock"), "providers": map[string]any{"type": "object", "additionalProperties": obj(map[string]any{
			"base_url": "string", "issuer": "string", "authorization_endpoint": "string", "token_endpoint": "string",
			"device_authorization_endpoint": "string", "revocation_endpoint": "string", "mail": map[string]string{"type": "object"},
			"clients": arrayOf(ref("Client")), "users": arrayOf(ref("User"))})}}),
}
