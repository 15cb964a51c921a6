package serve_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
	"github.com/mailoauth/mailoauth/mocks/world"
	"github.com/mailoauth/mailoauth/serve"
)

func start(t *testing.T) *serve.Instance {
	t.Helper()
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	return inst
}

func call(t *testing.T, method, u string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestManifest(t *testing.T) {
	t.Parallel()
	inst := start(t)
	m := inst.Manifest
	if m.Schema != 1 || !strings.HasPrefix(m.AdminURL, "http://127.0.0.1:") {
		t.Fatalf("manifest %+v", m)
	}
	if pem, err := os.ReadFile(m.CAFile); err != nil || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Fatalf("ca_file %s: %v", m.CAFile, err)
	}
	g, ok := m.Providers["google"]
	if !ok || !strings.HasPrefix(g.TokenEndpoint, "https://127.0.0.1:") || g.Mail["smtp"].Security != "starttls" || g.Mail["imap"].Security != "tls" ||
		g.Mail["pop3"].Security != "tls" || g.Mail["pop3_starttls"].Security != "starttls" {
		t.Fatalf("google %+v", g)
	}
	types := map[string]bool{}
	for _, c := range g.Clients {
		types[c.Type] = true
	}
	if !types["web"] || !types["desktop"] || !types["limited-input"] || len(g.Users) < 2 {
		t.Fatalf("the default world lacks a client type or users: %+v %+v", g.Clients, g.Users)
	}
	raw, _ := json.Marshal(m)
	for _, key := range []string{`"schema"`, `"ca_file"`, `"admin_url"`, `"authorization_endpoint"`, `"token_endpoint"`,
		`"device_authorization_endpoint"`, `"revocation_endpoint"`, `"client_id"`, `"client_secret"`, `"redirect_uris"`, `"email"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("manifest lacks %s", key)
		}
	}
}

// TestMicrosoftManifest: the first tenant's authority and endpoints, and
// a client credentials token from them with the manifest's secret.
func TestMicrosoftManifest(t *testing.T) {
	t.Parallel()
	inst := start(t)
	ms, ok := inst.Manifest.Providers["microsoft"]
	if !ok || ms.TenantID == "" || ms.Authority != ms.BaseURL+"/"+ms.TenantID ||
		ms.TokenEndpoint != ms.Authority+"/oauth2/v2.0/token" || ms.Mail["smtp"].Security != "starttls" {
		t.Fatalf("microsoft %+v", ms)
	}
	var daemon serve.Client
	for _, c := range ms.Clients {
		if c.Name == "daemon" {
			daemon = c
		}
	}
	hc := inst.Mocks.Client()
	resp, err := hc.PostForm(ms.TokenEndpoint, url.Values{"grant_type": {"client_credentials"}, "client_id": {daemon.ClientID},
		"client_secret": {daemon.ClientSecret}, "scope": {"https://outlook.office365.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok["access_token"] == nil {
		t.Fatalf("client credentials at %s: HTTP %d %v %v", ms.TokenEndpoint, resp.StatusCode, tok, err)
	}
}

// TestMicrosoftManifestTenants: every tenant with its authority, the JWKS
// and admin consent endpoints answer, and the dashboard shows them.
func TestMicrosoftManifestTenants(t *testing.T) {
	t.Parallel()
	inst := start(t)
	ms := inst.Manifest.Providers["microsoft"]
	if len(ms.Tenants) < 2 || ms.Tenants[0].TenantID != ms.TenantID || len(ms.Tenants[0].Domains) == 0 {
		t.Fatalf("tenants %+v", ms.Tenants)
	}
	hc := inst.Mocks.Client()
	for _, tenant := range ms.Tenants {
		resp, err := hc.Get(tenant.Authority + "/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("discovery of %s: HTTP %d", tenant.Name, resp.StatusCode)
		}
	}
	var web serve.Client
	for _, c := range ms.Clients {
		if c.Name == "web" {
			web = c
		}
	}
	for _, u := range []string{ms.JWKSURI, ms.AdminConsentEndpoint + "?client_id=" + web.ClientID + "&redirect_uri=" + url.QueryEscape(web.RedirectURIs[0])} {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
		}
	}
	a := inst.Manifest.AdminURL
	if status, body := call(t, "POST", a+"/api/faults", url.Values{"target": {"microsoft.smtp"}, "fault": {"unavailable"}, "count": {"0"}}); status != 200 {
		t.Fatalf("arm: %d %s", status, body)
	}
	if status, body := call(t, "POST", a+"/api/clock/advance", url.Values{"seconds": {"3600"}}); status != 200 {
		t.Fatalf("advance: %d %s", status, body)
	}
	if err := microsoft.UpdateTenant(inst.Mocks.World, ms.Tenants[0].Name, func(tn *microsoft.Tenant) {
		tn.Exchange.SMTPAuthDisabledFor = append(tn.Exchange.SMTPAuthDisabledFor, "smtp-off@contoso.test")
	}); err != nil {
		t.Fatal(err)
	}
	contoso, _ := microsoft.TenantOf(inst.Mocks.World, world.Realm{Provider: microsoft.Name, Tenant: ms.Tenants[0].Name})
	sp, perm := contoso.Exchange.ServicePrincipals[0], contoso.Exchange.MailboxPermissions[0]
	reg, _ := inst.Mocks.World.Client(world.Realm{Provider: microsoft.Name, Tenant: web.Tenant}, web.ClientID)
	_, page := call(t, "GET", a+"/", nil)
	for _, want := range []string{"microsoft", ms.Authority, ms.AdminConsentEndpoint, ms.Tenants[1].TenantID,
		`<td id="clock"><strong>&#43;1h0m0s</strong>`, "<code>microsoft.smtp</code>", `class="refused">unavailable`, "armed unavailable at microsoft.smtp",
		sp.AppID, sp.ObjectID, perm.Mailbox, perm.User, "smtp-off@contoso.test", reg.Settings.(microsoft.App).EnterpriseObjectID} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
	if i, j := strings.Index(page, `id="events"`), strings.Index(page, "<h2>Providers</h2>"); i < 0 || i > j {
		t.Errorf("the latest events are not above the providers")
	}
}

// TestMicrosoftDeviceApprovalThroughAdmin: a device code of the tenant's
// devicecode endpoint approved with the admin API.
func TestMicrosoftDeviceApprovalThroughAdmin(t *testing.T) {
	t.Parallel()
	inst := start(t)
	ms := inst.Manifest.Providers["microsoft"]
	desktop := clientOfType(t, ms, "public")
	hc := inst.Mocks.Client()
	resp, err := hc.PostForm(ms.DeviceAuthorizationEndpoint, url.Values{"client_id": {desktop.ClientID},
		"scope": {"https://outlook.office.com/SMTP.Send offline_access"}})
	if err != nil {
		t.Fatal(err)
	}
	var da deviceAuthorization
	err = json.NewDecoder(resp.Body).Decode(&da)
	resp.Body.Close()
	if err != nil || da.UserCode == "" {
		t.Fatalf("devicecode: HTTP %d %v", resp.StatusCode, err)
	}
	if status, body := call(t, "POST", inst.Manifest.AdminURL+"/api/device/approve",
		url.Values{"user_code": {da.UserCode}, "email": {"alice@contoso.test"}}); status != 200 {
		t.Fatalf("approve: %d %s", status, body)
	}
	inst.Mocks.World.Clock.Advance(6 * time.Second)
	resp, err = hc.PostForm(ms.TokenEndpoint, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da.DeviceCode}, "client_id": {desktop.ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || tok["refresh_token"] == nil {
		t.Fatalf("poll after approval: HTTP %d %v", resp.StatusCode, tok)
	}
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	inst := start(t)
	a := inst.Manifest.AdminURL
	cases := []struct {
		method, path string
		form         url.Values
		status       int
		contains     string
	}{
		{"GET", "/healthz", nil, 200, `"ok"`},
		{"GET", "/api/messages", nil, 400, "mailbox"},
		{"GET", "/api/messages?mailbox=alice@gmail.test", nil, 200, "[]"},
		{"GET", "/api/events", nil, 200, "["},
		{"POST", "/api/clock/advance", url.Values{"seconds": {"3600"}}, 200, `"offset_seconds": 3600`},
		{"POST", "/api/clock/advance", url.Values{"seconds": {"-5"}}, 400, "seconds"},
		{"POST", "/api/clock/advance", url.Values{"seconds": {"soon"}}, 400, "seconds"},
		{"POST", "/api/device/approve", url.Values{"user_code": {"ABCD-EFGH"}, "email": {"alice@gmail.test"}}, 404, "user code"},
		{"POST", "/api/device/deny", url.Values{"user_code": {"ABCD-EFGH"}}, 400, "required"},
		{"GET", "/api/clock/advance", nil, 405, "method"},
		{"GET", "/nothing", nil, 404, "no such endpoint"},
		{"GET", "/", nil, 200, "mailoauth serve"},
	}
	for _, c := range cases {
		status, body := call(t, c.method, a+c.path, c.form)
		if status != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s %s: %d %q, want %d containing %q", c.method, c.path, status, body, c.status, c.contains)
		}
	}
}

// TestDeviceApprovalThroughAdmin: a device code approved with the admin
// API, as a CI pipeline does instead of the verification page.
func TestDeviceApprovalThroughAdmin(t *testing.T) {
	t.Parallel()
	inst := start(t)
	g := inst.Manifest.Providers["google"]
	tv := clientOfType(t, g, "limited-input")
	da := deviceCode(t, inst, tv, "email")
	hc := inst.Mocks.Client()
	if status, body := call(t, "POST", inst.Manifest.AdminURL+"/api/device/approve",
		url.Values{"user_code": {da.UserCode}, "email": {"nobody@gmail.test"}}); status != 404 || !strings.Contains(body, "no such user") {
		t.Fatalf("approve as an unknown user: %d %s", status, body)
	}
	if status, body := call(t, "POST", inst.Manifest.AdminURL+"/api/device/approve",
		url.Values{"user_code": {da.UserCode}, "email": {"alice@gmail.test"}}); status != 200 {
		t.Fatalf("approve: %d %s", status, body)
	}
	inst.Mocks.World.Clock.Advance(6 * time.Second)
	resp, err := hc.PostForm(g.TokenEndpoint, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da.DeviceCode}, "client_id": {tv.ClientID}, "client_secret": {tv.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("poll after approval: HTTP %d", resp.StatusCode)
	}
}

// deviceAuthorization is the part of Google's device/code answer the tests use.
type deviceAuthorization struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURL string `json:"verification_url"`
}

// deviceCode asks the fake Google for a device code, as the device does.
func deviceCode(t *testing.T, inst *serve.Instance, tv serve.Client, scope string) deviceAuthorization {
	t.Helper()
	g := inst.Manifest.Providers["google"]
	resp, err := inst.Mocks.Client().PostForm(g.DeviceAuthorizationEndpoint, url.Values{"client_id": {tv.ClientID}, "scope": {scope}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var da deviceAuthorization
	if err := json.NewDecoder(resp.Body).Decode(&da); err != nil || da.UserCode == "" {
		t.Fatalf("device/code: HTTP %d %v", resp.StatusCode, err)
	}
	return da
}

// TestNoGoroutineOutlivesAClient: clients that vanish in the middle of an
// SMTP or IMAP session leave nothing running once the world stops.
func TestNoGoroutineOutlivesAClient(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	g := inst.Manifest.Providers["google"]
	for _, m := range []serve.MailEndpoint{g.Mail["smtp"], g.Mail["imap_starttls"]} {
		c, err := net.Dial("tcp", net.JoinHostPort(m.Host, strconv.Itoa(m.Port)))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 512)
		_, _ = c.Read(buf) // the greeting
		_, _ = c.Write([]byte("a AUTHENTICATE XOAUTH2\r\n"))
		c.Close() // gone mid-exchange
	}
	if err := inst.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestClockAdvanceBounded: the admin API refuses to move the clock past a
// century ahead, with a 400 that says why, and the world stays in the
// future.
func TestClockAdvanceBounded(t *testing.T) {
	t.Parallel()
	inst := start(t)
	tenYears := url.Values{"seconds": {"315360000"}}
	for i := range 10 {
		if status, body := call(t, "POST", inst.Manifest.AdminURL+"/api/clock/advance", tenYears); status != 200 {
			t.Fatalf("advance %d: %d %s", i+1, status, body)
		}
	}
	status, body := call(t, "POST", inst.Manifest.AdminURL+"/api/clock/advance", tenYears)
	if status != 400 || !strings.Contains(body, "at most 100 years") {
		t.Fatalf("the 11th advance: %d %s", status, body)
	}
	if now := inst.Mocks.World.Clock.Now(); now.Year() < time.Now().Year()+99 {
		t.Fatalf("the world's time is %v", now)
	}
}

// TestHTTPErrorsGoThroughTheLogger: a client that is not TLS on the HTTPS
// port makes net/http complain; the complaint is a JSON line of the
// logger, not a raw line on stderr.
func TestHTTPErrorsGoThroughTheLogger(t *testing.T) {
	var buf lockedBuffer
	inst, err := serve.Start(serve.Config{StateDir: t.TempDir(), Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(context.Background())
	u, _ := url.Parse(inst.Manifest.Providers["google"].BaseURL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	_, _ = io.ReadAll(c)
	c.Close()
	deadline := time.After(5 * time.Second)
	for {
		next := buf.written() // before reading, so no write is missed
		if strings.Contains(buf.String(), "TLS handshake error") {
			break
		}
		select {
		case <-next:
		case <-deadline:
			t.Fatalf("no TLS handshake error in the log:\n%s", buf.String())
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
	}
}

// lockedBuffer is a log destination a test reads while servers write it.
type lockedBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	more chan struct{} // closed at the next write
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.more != nil {
		close(l.more)
		l.more = nil
	}
	return l.b.Write(p)
}

// written returns a channel closed at the next write.
func (l *lockedBuffer) written() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.more == nil {
		l.more = make(chan struct{})
	}
	return l.more
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStateDirLocked: a second world on the same state directory fails
// with a clear error instead of overwriting the first one's CA; once the
// first stops, the directory is free.
func TestStateDirLocked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := serve.Start(serve.Config{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := serve.Start(serve.Config{StateDir: dir}); err == nil || !strings.Contains(err.Error(), "another mailoauth serve uses the state directory") {
		t.Fatalf("a second serve on the same state directory: %v", err)
	}
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := serve.Start(serve.Config{StateDir: dir})
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	_ = again.Close(context.Background())
}

// TestCAKeptAcrossRestarts: a world restarted on the same state directory
// keeps its CA, so a client configured with the old ca_file still talks
// to it.
func TestCAKeptAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := serve.Start(serve.Config{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(first.Manifest.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	_ = first.Close(context.Background())
	second, err := serve.Start(serve.Config{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close(context.Background())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(second.Manifest.Providers["google"].DiscoveryURL)
	if err != nil {
		t.Fatalf("the restarted world with the old ca_file: %v", err)
	}
	resp.Body.Close()
	if info, err := os.Stat(filepath.Join(dir, "ca-key.pem")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("ca-key.pem: %v %v", info, err)
	}
}
