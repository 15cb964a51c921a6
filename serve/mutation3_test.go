package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
	"github.com/mailoauth/mailoauth/serve"
)

// The tests of this file kill the mutants of the admin API's world actions
// and logs (docs/testing.md, "Mutation", serve): each asserts on the
// status and the JSON of the answer.

// api is a request to the admin API with a form (in the body, also for
// DELETE, as curl -X DELETE -d sends it), its status and decoded JSON.
func api(t *testing.T, inst *serve.Instance, method, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	status, body := call(t, method, inst.Manifest.AdminURL+path, form)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%s %s: HTTP %d, not a JSON object: %s", method, path, status, body)
	}
	return status, out
}

// want fails t unless the answer has the status and, when errText is not
// empty, that error text.
func want(t *testing.T, what string, status int, out map[string]any, wantStatus int, errText string) {
	t.Helper()
	if status != wantStatus || (errText != "" && out["error"] != errText) {
		t.Errorf("%s: HTTP %d %v, want %d %q", what, status, out, wantStatus, errText)
	}
}

// lastEvent is the audit log's latest event.
func lastEvent(t *testing.T, inst *serve.Instance) map[string]any {
	t.Helper()
	var ev []map[string]any
	getJSON(t, inst.Manifest.AdminURL+"/api/events?limit=1", &ev)
	if len(ev) != 1 {
		t.Fatalf("GET /api/events?limit=1: %v", ev)
	}
	return ev[0]
}

// TestSecretsThroughAdmin: POST /api/clients/secrets adds a secret (made
// when no value is given), .../expire expires one or all and says how
// many, DELETE removes one (its form in the body); each refusal has its
// status and text, and each change is in the audit log.
func TestSecretsThroughAdmin(t *testing.T) {
	inst := start(t)
	web := clientID(inst, "google", "web")
	base := url.Values{"provider": {"google"}, "client_id": {web}}
	with := func(kv ...string) url.Values {
		f := url.Values{"provider": base["provider"], "client_id": base["client_id"]}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	status, out := api(t, inst, http.MethodPost, "/api/clients/secrets", with("id", "k2", "value", "s2", "expires", "2031-01-01T00:00:00Z"))
	if status != http.StatusOK || out["id"] != "k2" || out["value"] != "s2" || out["expires"] != "2031-01-01T00:00:00Z" {
		t.Fatalf("add k2: HTTP %d %v", status, out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "add-secret" || ev["provider"] != "google" || ev["protocol"] != "admin" || ev["reason"] != web {
		t.Errorf("add k2 logged as %v", ev)
	}
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets", base)
	if v, _ := out["value"].(string); status != http.StatusOK || len(v) != 32 {
		t.Fatalf("add a made secret: HTTP %d %v, want 24 random bytes, base64url", status, out)
	}
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets", with("expires", "tomorrow"))
	want(t, "expires tomorrow", status, out, http.StatusBadRequest, "expires must be an RFC 3339 instant")
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets", url.Values{"provider": {"google"}, "client_id": {"nope"}})
	want(t, "an unknown client", status, out, http.StatusNotFound, "no such client: google nope")
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets", url.Values{"provider": {"google"}})
	want(t, "no client_id", status, out, http.StatusBadRequest, "client_id required")

	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets/expire", with("secret", "k2"))
	if status != http.StatusOK || out["expired"] != 1.0 {
		t.Errorf("expire k2: HTTP %d %v", status, out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "expire-secret" || ev["reason"] != web {
		t.Errorf("expire k2 logged as %v", ev)
	}
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets/expire", base)
	if status != http.StatusOK || out["expired"] != 3.0 {
		t.Errorf("expire all three: HTTP %d %v", status, out)
	}
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets/expire", with("secret", "nope"))
	want(t, "expire an unknown secret", status, out, http.StatusBadRequest, "")
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets/expire", url.Values{"provider": {"google"}, "client_id": {"nope"}})
	want(t, "expire at an unknown client", status, out, http.StatusNotFound, "no such client: google nope")
	status, out = api(t, inst, http.MethodPost, "/api/clients/secrets/expire", url.Values{"client_id": {web}})
	want(t, "expire without provider", status, out, http.StatusBadRequest, "provider required")

	status, out = api(t, inst, http.MethodDelete, "/api/clients/secrets", with("secret", "k2"))
	if status != http.StatusOK || out["status"] != "removed" {
		t.Errorf("remove k2: HTTP %d %v", status, out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "remove-secret" || ev["reason"] != web {
		t.Errorf("remove k2 logged as %v", ev)
	}
	status, out = api(t, inst, http.MethodDelete, "/api/clients/secrets", with("secret", "k2"))
	want(t, "remove k2 again", status, out, http.StatusBadRequest, "")
	status, out = api(t, inst, http.MethodDelete, "/api/clients/secrets", base)
	want(t, "remove without secret", status, out, http.StatusBadRequest, "secret required")
	status, out = api(t, inst, http.MethodDelete, "/api/clients/secrets", url.Values{"provider": {"google"}, "client_id": {"nope"}, "secret": {"k2"}})
	want(t, "remove at an unknown client", status, out, http.StatusNotFound, "no such client: google nope")
}

// TestUsersThroughAdmin: POST /api/users adds an account in the realm
// named (Microsoft's first tenant when none is), DELETE /api/users
// removes it; unknown providers and tenants are 404, missing fields 400.
func TestUsersThroughAdmin(t *testing.T) {
	inst := start(t)
	for _, c := range []struct {
		form  url.Values
		realm string
	}{
		{url.Values{"provider": {"google"}, "email": {"dave@gmail.test"}, "name": {"Dave"}, "password": {"p"}}, "google"},
		{url.Values{"provider": {"microsoft"}, "email": {"dave@contoso.test"}, "name": {"Dave"}, "password": {"p"}}, "microsoft/contoso"},
		{url.Values{"provider": {"microsoft"}, "tenant": {"fabrikam"}, "email": {"dave@fabrikam.test"}, "name": {"Dave"}, "password": {"p"}}, "microsoft/fabrikam"},
	} {
		status, out := api(t, inst, http.MethodPost, "/api/users", c.form)
		if status != http.StatusOK || out["realm"] != c.realm || out["email"] != c.form.Get("email") || out["name"] != "Dave" {
			t.Errorf("add %v: HTTP %d %v, want realm %s", c.form, status, out, c.realm)
		}
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "add-user" || ev["provider"] != "microsoft" || ev["reason"] != "dave@fabrikam.test" {
		t.Errorf("add-user logged as %v", ev)
	}
	status, out := api(t, inst, http.MethodPost, "/api/users", url.Values{"provider": {"microsoft"}, "tenant": {"nope"}, "email": {"x@nope.test"}, "password": {"p"}})
	want(t, "an unknown tenant", status, out, http.StatusNotFound, `microsoft has no tenant "nope"`)
	status, out = api(t, inst, http.MethodPost, "/api/users", url.Values{"provider": {"nope"}, "email": {"x@nope.test"}, "password": {"p"}})
	want(t, "an unknown provider", status, out, http.StatusNotFound, `no such provider: "nope"`)
	status, out = api(t, inst, http.MethodPost, "/api/users", url.Values{"provider": {"google"}, "email": {"not an address"}, "password": {"p"}})
	want(t, "not an address", status, out, http.StatusBadRequest, "")
	status, out = api(t, inst, http.MethodPost, "/api/users", url.Values{"provider": {"google"}})
	want(t, "no email, no password", status, out, http.StatusBadRequest, "email, password required")

	status, out = api(t, inst, http.MethodDelete, "/api/users", url.Values{"provider": {"google"}, "email": {"dave@gmail.test"}})
	if status != http.StatusOK || out["status"] != "removed" {
		t.Errorf("remove dave: HTTP %d %v", status, out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "remove-user" || ev["provider"] != "google" || ev["reason"] != "dave@gmail.test" {
		t.Errorf("remove-user logged as %v", ev)
	}
	status, out = api(t, inst, http.MethodDelete, "/api/users", url.Values{"provider": {"google"}, "email": {"dave@gmail.test"}})
	want(t, "remove dave again", status, out, http.StatusNotFound, "")
	status, out = api(t, inst, http.MethodDelete, "/api/users", url.Values{"provider": {"google"}})
	want(t, "remove without email", status, out, http.StatusBadRequest, "email required")
}

// TestRemoveClientThroughAdmin: DELETE /api/clients removes the
// registration (then 404), logged.
func TestRemoveClientThroughAdmin(t *testing.T) {
	inst := start(t)
	tv := clientID(inst, "google", "tv")
	status, out := api(t, inst, http.MethodDelete, "/api/clients", url.Values{"provider": {"google"}, "client_id": {tv}})
	if status != http.StatusOK || out["status"] != "removed" {
		t.Fatalf("remove tv: HTTP %d %v", status, out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "remove-client" || ev["reason"] != tv {
		t.Errorf("remove-client logged as %v", ev)
	}
	status, out = api(t, inst, http.MethodDelete, "/api/clients", url.Values{"provider": {"google"}, "client_id": {tv}})
	want(t, "remove tv again", status, out, http.StatusNotFound, "")
	status, out = api(t, inst, http.MethodDelete, "/api/clients", url.Values{"provider": {"google"}})
	want(t, "remove without client_id", status, out, http.StatusBadRequest, "client_id required")
}

// TestDashboardShowsTheLatest: the dashboard shows the latest 20 events
// and the latest 20 messages of a mailbox, the clock's offset once it runs
// ahead, and Trackdéchets' strict client authentication once it is set.
func TestDashboardShowsTheLatest(t *testing.T) {
	inst := start(t)
	page := func() string {
		t.Helper()
		status, body := call(t, http.MethodGet, inst.Manifest.AdminURL+"/", nil)
		if status != http.StatusOK {
			t.Fatalf("GET /: HTTP %d", status)
		}
		return body
	}
	if p := page(); !strings.Contains(p, `<td id="clock">the real time</td>`) || !strings.Contains(p, `<td id="strict">HTTP Basic or the body`) {
		t.Fatalf("a fresh world's dashboard: no real time or no lax client authentication:\n%s", p)
	}
	for i := 1; i <= 21; i++ {
		if status, out := postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"bob@gmail.test"}, "subject": {fmt.Sprintf("subject-%02d", i)}, "body": {"b"}}); status != http.StatusOK {
			t.Fatalf("message %d: HTTP %d %v", i, status, out)
		}
	}
	for i := 1; i <= 25; i++ {
		if status, out := postJSON(t, inst, "/api/clock/set", url.Values{"time": {fmt.Sprintf("2031-01-01T00:00:%02dZ", i)}}); status != http.StatusOK {
			t.Fatalf("clock set %d: HTTP %d %v", i, status, out)
		}
	}
	if status, out := postJSON(t, inst, "/api/providers/trackdechets/settings", url.Values{"strict_client_auth": {"true"}}); status != http.StatusOK || out["strict_client_auth"] != true {
		t.Fatalf("strict_client_auth=true: HTTP %d %v", status, out)
	}
	p := page()
	for _, s := range []string{">subject-21<", ">subject-02<", "set 2031-01-01T00:00:25Z", "set 2031-01-01T00:00:07Z",
		`<td id="clock"><strong>&#43;`, `<td id="strict">HTTP Basic only (strict, F-18)`} {
		if !strings.Contains(p, s) {
			t.Errorf("the dashboard does not show %s", s)
		}
	}
	// The latest 20 events: the setting, and the clock set to :06 to :25.
	for _, s := range []string{">subject-01<", "set 2031-01-01T00:00:06Z<"} {
		if strings.Contains(p, s) {
			t.Errorf("the dashboard shows %s, not among the latest 20", s)
		}
	}
}

// TestDeviceDenyThroughAdmin: POST /api/device/deny answers "denied", and
// the device's next poll is access_denied.
func TestDeviceDenyThroughAdmin(t *testing.T) {
	inst := start(t)
	g := inst.Manifest.Providers["google"]
	tv := clientOfType(t, g, "limited-input")
	da := deviceCode(t, inst, tv, "email")
	status, out := postJSON(t, inst, "/api/device/deny", url.Values{"user_code": {da.UserCode}, "email": {"alice@gmail.test"}})
	if status != http.StatusOK || out["status"] != "denied" {
		t.Fatalf("deny: HTTP %d %v", status, out)
	}
	da = deviceCode(t, inst, tv, "email")
	status, out = postJSON(t, inst, "/api/device/approve", url.Values{"user_code": {da.UserCode}, "email": {"alice@gmail.test"}})
	if status != http.StatusOK || out["status"] != "approved" {
		t.Fatalf("approve: HTTP %d %v", status, out)
	}
	status, out = postJSON(t, inst, "/api/device/deny", url.Values{"user_code": {"WXYZ-WXYZ"}, "email": {"nobody@gmail.test"}})
	want(t, "deny as nobody", status, out, http.StatusNotFound, "")
}

// TestFaultFormsThroughAdmin: POST /api/faults reads count and delay_ms
// from a form, refuses them when not whole numbers and a JSON body that
// does not decode, each with its text; GET /api/faults lists no fault as
// an empty list, not null.
func TestFaultFormsThroughAdmin(t *testing.T) {
	inst := start(t)
	if _, body := call(t, http.MethodGet, inst.Manifest.AdminURL+"/api/faults", nil); !strings.Contains(body, `"faults": [],`) {
		t.Errorf("no fault armed: %s", body)
	}
	status, out := postJSON(t, inst, "/api/faults", url.Values{"target": {"google.token"}, "fault": {"delay"}, "delay_ms": {"250"}, "count": {"3"}})
	if status != http.StatusOK || out["delay_ms"] != 250.0 || out["count"] != 3.0 || out["fault"] != "delay" || out["target"] != "google.token" {
		t.Fatalf("arm a delay of 250 ms, 3 times: HTTP %d %v", status, out)
	}
	if ev := lastEvent(t, inst); ev["mechanism"] != "fault" || ev["reason"] != "armed delay at google.token ("+out["id"].(string)+")" {
		t.Errorf("the fault logged as %v", ev)
	}
	status, out = postJSON(t, inst, "/api/faults", url.Values{"target": {"google.token"}, "fault": {"delay"}, "delay_ms": {"soon"}})
	want(t, "delay_ms soon", status, out, http.StatusBadRequest, "delay_ms must be a whole number")
	status, out = postJSON(t, inst, "/api/faults", url.Values{"target": {"google.token"}, "fault": {"unavailable"}, "count": {"many"}})
	want(t, "count many", status, out, http.StatusBadRequest, "count must be a whole number")
	resp, err := http.Post(inst.Manifest.AdminURL+"/api/faults", "application/x-www-form-urlencoded", strings.NewReader("target=%zz"))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	want(t, "a form that does not parse", resp.StatusCode, out, http.StatusBadRequest, "the form could not be parsed")
	req, _ := http.NewRequest(http.MethodPost, inst.Manifest.AdminURL+"/api/faults", strings.NewReader(`{"target":"google.token","fault":"unavailable","colour":1}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out = nil
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if e, _ := out["error"].(string); resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(e, "the JSON body: ") || !strings.Contains(e, "colour") {
		t.Errorf("a JSON body with an unknown field: HTTP %d %v", resp.StatusCode, out)
	}
}

// TestClockAdvanceSecondsLeft: the refusal past a century says how many
// seconds are left; 0 seconds is refused.
func TestClockAdvanceSecondsLeft(t *testing.T) {
	inst := start(t)
	status, out := postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"0"}})
	want(t, "0 seconds", status, out, http.StatusBadRequest, "seconds must be a whole number from 1 to 315360000")
	if status, out := postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"1"}}); status != http.StatusOK || out["offset_seconds"] != 1.0 {
		t.Fatalf("advance 1 s: HTTP %d %v", status, out)
	}
	for i := range 9 {
		if status, out := postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"315360000"}}); status != http.StatusOK {
			t.Fatalf("advance %d: HTTP %d %v", i+1, status, out)
		}
	}
	status, out = postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"315360000"}})
	want(t, "ten years more", status, out, http.StatusBadRequest, "the world's clock may run at most 100 years ahead of the real time: 315359999 seconds are left")
	if status, out := postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"315359999"}}); status != http.StatusOK || out["offset_seconds"] != 3153600000.0 {
		t.Errorf("advance what is left: HTTP %d %v", status, out)
	}
}

// TestGetAndPutWorld: GET /api/world is JSON without passwords by default,
// YAML when the Accept header asks for it, with passwords only when
// asked; PUT /api/world answers 413 over world.MaxFileBytes and 400 for a
// file that does not load, logs a load, and leaves the process's memory
// limit as it found it when that is over loadMemoryLimit.
func TestGetAndPutWorld(t *testing.T) {
	inst := start(t)
	a := inst.Manifest.AdminURL
	get := func(query, accept string) (string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, a+"/api/world"+query, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("Content-Type"), string(b)
	}
	if ct, body := get("", ""); !strings.HasPrefix(ct, "application/json") || !strings.HasPrefix(body, "{") || strings.Contains(body, "alice-password") {
		t.Errorf("GET /api/world: %s, passwords or not JSON:\n%.300s", ct, body)
	}
	if ct, body := get("?passwords=true", "application/yaml"); !strings.HasPrefix(ct, "application/yaml") || strings.HasPrefix(body, "{") || !strings.Contains(body, "alice-password") {
		t.Errorf("GET /api/world?passwords=true, Accept: application/yaml: %s, no password or not YAML:\n%.300s", ct, body)
	}
	put := func(body io.Reader) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, a+"/api/world", body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := put(strings.NewReader(strings.Repeat("#", world.MaxFileBytes+1)))
	want(t, "a world file of 4 MiB and a byte", status, out, http.StatusRequestEntityTooLarge, fmt.Sprintf("a world file is at most %d bytes", world.MaxFileBytes))
	status, out = put(strings.NewReader("providers: [not, a, map]"))
	want(t, "a world file that does not load", status, out, http.StatusBadRequest, "")
	const over = 200 << 20
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(over))
	_, seeded := get("?format=yaml&passwords=true", "")
	if status, out := put(strings.NewReader(seeded)); status != http.StatusOK || out["status"] != "loaded" {
		t.Fatalf("PUT the seeded world back: HTTP %d %v", status, out)
	}
	if limit := debug.SetMemoryLimit(-1); limit != over {
		t.Errorf("the memory limit is %d after the load, want the %d it was", limit, over)
	}
	if ev := lastEvent(t, inst); ev["provider"] != "world" || ev["mechanism"] != "load" {
		t.Errorf("the load logged as %v", ev)
	}
}

// TestBoolParamThroughAdmin: a console switch's boolean (Google's testing,
// G-08) is read as given, and refused with its name when it is not true
// or false.
func TestBoolParamThroughAdmin(t *testing.T) {
	inst := start(t)
	web := clientID(inst, "google", "web")
	for _, v := range []bool{true, false} {
		status, out := postJSON(t, inst, "/api/providers/google/testing", url.Values{"client_id": {web}, "testing": {strconv.FormatBool(v)}})
		if status != http.StatusOK || out["testing"] != v {
			t.Errorf("testing=%t: HTTP %d %v", v, status, out)
		}
	}
	status, out := postJSON(t, inst, "/api/providers/google/testing", url.Values{"client_id": {web}, "testing": {"maybe"}})
	want(t, "testing=maybe", status, out, http.StatusBadRequest, "testing must be true or false")
}

// TestManifestRewriteErrorLogged: a change through the admin API that
// rewrites the manifest file logs nothing; once the file cannot be
// written (its directory is gone), the change still answers 200 and the
// failure is logged.
func TestManifestRewriteErrorLogged(t *testing.T) {
	dir := t.TempDir()
	var log lockedBuffer
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir(), ManifestFile: filepath.Join(dir, "m", "manifest.json"),
		Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	if err == nil {
		_ = inst.Close(context.Background())
		t.Fatal("a manifest file in a directory that does not exist: started")
	}
	if err := os.Mkdir(filepath.Join(dir, "m"), 0o755); err != nil {
		t.Fatal(err)
	}
	inst, err = serve.Start(serve.Config{StateDir: t.TempDir(), ManifestFile: filepath.Join(dir, "m", "manifest.json"),
		Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	if status, out := postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"60"}}); status != http.StatusOK {
		t.Fatalf("advance: HTTP %d %v", status, out)
	}
	if strings.Contains(log.String(), "rewriting the manifest") {
		t.Fatalf("a manifest rewritten logs an error:\n%s", log.String())
	}
	if err := os.RemoveAll(filepath.Join(dir, "m")); err != nil {
		t.Fatal(err)
	}
	if status, out := postJSON(t, inst, "/api/clock/advance", url.Values{"seconds": {"60"}}); status != http.StatusOK {
		t.Fatalf("advance with no manifest directory: HTTP %d %v", status, out)
	}
	if !strings.Contains(log.String(), `"msg":"serve: rewriting the manifest"`) {
		t.Fatalf("a manifest that cannot be written is not logged:\n%s", log.String())
	}
}

// TestMessageOfExactlyAChunk: a message whose raw text is exactly one
// chunk of the streamed encoding (32 KB) is listed whole by GET
// /api/messages.
func TestMessageOfExactlyAChunk(t *testing.T) {
	inst := start(t)
	head := "Subject: chunk\r\n\r\n"
	raw := head + strings.Repeat("a", 32<<10-len(head))
	if status, out := postJSON(t, inst, "/api/messages", url.Values{"mailbox": {"bob@gmail.test"}, "raw": {raw}}); status != http.StatusOK {
		t.Fatalf("deliver: HTTP %d %v", status, out)
	}
	var listed []map[string]any
	getJSON(t, inst.Manifest.AdminURL+"/api/messages?mailbox=bob@gmail.test", &listed)
	if len(listed) != 1 || listed[0]["raw"] != raw {
		t.Fatalf("listed %d messages, the raw text not the 32 KB delivered", len(listed))
	}
}
