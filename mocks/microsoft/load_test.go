package microsoft_test

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// TestMalformedTenantSegments: whatever the tenant segment, every path
// answers a 4xx, with Entra's JSON where a route matched, never a 5xx.
func TestMalformedTenantSegments(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{microsoft.Name}})
	base := srv.Provider(microsoft.Name).URL
	hc := srv.Client()
	segments := []string{"%00", "%2e%2e", "con%2Ftoso", "%C3%BCmlaut", "contoso.onmicrosoft.com%20", "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f1",
		strings.Repeat("a", 8000), "%FF%FE", "{tenant}", "common%0d%0aX-Injected:%201"}
	for _, seg := range segments {
		for _, path := range []string{microsoft.TokenPath, microsoft.DeviceCodePath, microsoft.DiscoveryPath, microsoft.KeysPath, microsoft.AuthorizePath} {
			method := http.MethodPost
			if path == microsoft.DiscoveryPath || path == microsoft.KeysPath || path == microsoft.AuthorizePath {
				method = http.MethodGet
			}
			req, err := http.NewRequest(method, base+"/"+seg+path, strings.NewReader("grant_type=client_credentials"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatalf("%s %.40s%s: %v", method, seg, path, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// M-15: the sign-in error page is a 200; the JSON endpoints 4xx.
			page := path == microsoft.AuthorizePath && resp.StatusCode == http.StatusOK && strings.Contains(string(body), "AADSTS90002")
			if !page && (resp.StatusCode < 400 || resp.StatusCode >= 500) || resp.Header.Get("X-Injected") != "" {
				t.Errorf("%s /%.40s%s: HTTP %d %.200s", method, seg, path, resp.StatusCode, body)
			}
			if resp.StatusCode == http.StatusBadRequest && path != microsoft.AuthorizePath && !strings.Contains(string(body), `"invalid_tenant"`) {
				t.Errorf("%s /%.40s%s: %.200s, want invalid_tenant", method, seg, path, body)
			}
		}
	}
}

// TestDevicePollFlood: a device polling with no pause gets
// authorization_pending (AADSTS70016, never slow_down: M-05), a 400,
// every time, and the code still works once the user approves.
func TestDevicePollFlood(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{microsoft.Name}})
	e := srv.Provider(microsoft.Name).TenantEndpoint("organizations")
	hc := srv.Client()
	da := deviceCode(t, hc, e.DeviceAuthURL)
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {desktopID}, "device_code": {da.DeviceCode}}
	for i := range 500 {
		status, body := postForm(t, hc, e.TokenURL, form)
		if status != http.StatusBadRequest || body["error"] != "authorization_pending" {
			t.Fatalf("poll %d: HTTP %d %v, want 400 authorization_pending", i, status, body)
		}
	}
	if err := srv.ApproveDevice(da.UserCode, mailbox); err != nil {
		t.Fatal(err)
	}
	srv.World.Clock.Advance(5 * time.Second)
	if status, body := postForm(t, hc, e.TokenURL, form); status != http.StatusOK {
		t.Fatalf("after the flood: HTTP %d %v", status, body)
	}
}

// TestConcurrentDevicePollers: 100 devices poll at once, pending until
// their users approve, then each gets its own user's token.
func TestConcurrentDevicePollers(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{microsoft.Name}})
	e := srv.Provider(microsoft.Name).TenantEndpoint("organizations")
	hc := srv.Client()
	const n = 100
	codes := make([]deviceAuth, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes[i] = deviceCode(t, hc, e.DeviceAuthURL) })
	}
	wg.Wait()
	users := []string{"alice@contoso.test", "bob@contoso.test", "info@contoso.test"}
	poll := func(want int, wantErr string) {
		srv.World.Clock.Advance(5 * time.Second)
		errs := make(chan string, n)
		for i := range n {
			wg.Go(func() {
				form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {desktopID},
					"device_code": {codes[i].DeviceCode}}
				status, body := postForm(t, hc, e.TokenURL, form)
				if status != want || wantErr != "" && body["error"] != wantErr {
					errs <- "device " + codes[i].UserCode + ": " + http.StatusText(status) + " " + jsonString(body)
					return
				}
				if status == http.StatusOK && upn(body["access_token"]) != users[i%len(users)] {
					errs <- "device " + codes[i].UserCode + " got the token of " + upn(body["access_token"])
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
	poll(http.StatusBadRequest, "authorization_pending")
	for i, c := range codes {
		if err := srv.ApproveDevice(c.UserCode, users[i%len(users)]); err != nil {
			t.Fatal(err)
		}
	}
	poll(http.StatusOK, "")
}

// TestOversizedTokenAtExchange: a 1 MB XOAUTH2 response is refused with
// the protocol's own error, at once: go-smtp's line-length reply on SMTP,
// Exchange's answer to an over-long command on IMAP (EX-09: the line
// passes the personality's MaxCommand before it is a SASL message).
func TestOversizedTokenAtExchange(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{microsoft.Name}})
	ms := srv.Provider(microsoft.Name)
	huge := base64.StdEncoding.EncodeToString([]byte("user=" + mailbox + "\x01auth=Bearer " + strings.Repeat("eyJ0", 1<<18) + "\x01\x01"))
	tlsConfig := srv.CA.ClientConfig()
	tlsConfig.ServerName = "127.0.0.1"

	// Exchange has no implicit TLS (EX-11): 587 and STARTTLS.
	plain, err := net.Dial("tcp", ms.Mail.SMTP)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	_ = plain.SetDeadline(time.Now().Add(10 * time.Second))
	pr := bufio.NewReader(plain)
	readReply(t, pr) // greeting
	_, _ = io.WriteString(plain, "EHLO client.test\r\nSTARTTLS\r\n")
	readReply(t, pr)
	readReply(t, pr)
	c := tls.Client(plain, tlsConfig)
	r := bufio.NewReader(c)
	_, _ = io.WriteString(c, "EHLO client.test\r\n")
	readReply(t, r)
	go func() { _, _ = io.WriteString(c, "AUTH XOAUTH2 "+huge+"\r\n") }()
	if reply := readReply(t, r); reply != "500 5.4.0 Too long line, closing connection" {
		t.Errorf("SMTP AUTH with a 1 MB token: %q, want go-smtp's 500 5.4.0", reply)
	}

	ic, err := tls.Dial("tcp", ms.Mail.IMAPS, tlsConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	_ = ic.SetDeadline(time.Now().Add(10 * time.Second))
	ir := bufio.NewReader(ic)
	if _, err := ir.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.WriteString(ic, "a1 AUTHENTICATE XOAUTH2 "+huge+"\r\n") }()
	line, err := ir.ReadString('\n')
	if err != nil && line == "" {
		t.Fatalf("IMAP AUTHENTICATE with a 1 MB token: no reply (%v)", err)
	}
	if line != "a1 BAD Command Error. 10\r\n" {
		t.Errorf("IMAP AUTHENTICATE with a 1 MB token: %q, want Exchange's BAD Command Error. 10", line)
	}
}

// readReply reads an SMTP reply, all its lines, and returns the last.
func readReply(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading an SMTP reply: %v (%q)", err, line)
		}
		if len(line) < 4 || line[3] != '-' {
			return strings.TrimSpace(line)
		}
	}
}

type deviceAuth struct {
	DeviceCode string `json:"device_code"`
	UserCode   string `json:"user_code"`
}

func deviceCode(t *testing.T, hc *http.Client, u string) deviceAuth {
	status, body := postForm(t, hc, u, url.Values{"client_id": {desktopID}, "scope": {"https://outlook.office.com/SMTP.Send"}})
	if status != http.StatusOK {
		t.Errorf("devicecode: HTTP %d %v", status, body)
		return deviceAuth{}
	}
	return deviceAuth{DeviceCode: body["device_code"].(string), UserCode: body["user_code"].(string)}
}

func postForm(t *testing.T, hc *http.Client, u string, form url.Values) (int, map[string]any) {
	resp, err := hc.PostForm(u, form)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// upn is the upn claim of a JWT access token.
func upn(token any) string {
	s, _ := token.(string)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		UPN string `json:"upn"`
	}
	_ = json.Unmarshal(raw, &c)
	return c.UPN
}
