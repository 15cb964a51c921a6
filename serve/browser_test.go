package serve_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/serve"
)

// chromium finds Debian's Chromium. Without it the browser tests are
// skipped, unless MAILOAUTH_REQUIRE_BROWSER is set (as CI does, after
// installing it), in which case they fail.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MAILOAUTH_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium on this machine (apt-get install chromium)")
	}
	t.Skip("no Chromium on this machine (apt-get install chromium); CI runs this test")
	return ""
}

// browser starts headless Chromium that trusts the world's certificate: the
// leaf's public key is pinned with --ignore-certificate-errors-spki-list,
// rather than turning certificate checks off.
func browser(t *testing.T, inst *serve.Instance) context.Context {
	leaf, err := x509.ParseCertificate(inst.Mocks.CA.Leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
		chromedp.WindowSize(1000, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func clientOfType(t *testing.T, g serve.Provider, typ string) serve.Client {
	for _, c := range g.Clients {
		if c.Type == typ {
			return c
		}
	}
	t.Fatalf("no %s client", typ)
	return serve.Client{}
}

// screenshot saves the page when MAILOAUTH_SCREENSHOTS names a directory.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		dir := os.Getenv("MAILOAUTH_SCREENSHOTS")
		if dir == "" {
			return chromedp.Void{}, nil
		}
		png, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(dir+"/"+name+".png", png, 0o644)
	}
}

// TestBrowserAuthorizationCode: Chromium goes through Google's sign-in and
// consent pages of `serve` by filling the forms, and the redirect brings a
// code to the application's loopback listener; the code is then exchanged.
func TestBrowserAuthorizationCode(t *testing.T) {
	inst := start(t)
	ctx := browser(t, inst)
	g := inst.Manifest.Providers["google"]
	desktop := clientOfType(t, g, "desktop")
	catcher, err := client.NewCatcher("127.0.0.1", "/")
	if err != nil {
		t.Fatal(err)
	}
	defer catcher.Close()
	q := url.Values{"client_id": {desktop.ClientID}, "redirect_uri": {catcher.URL}, "response_type": {"code"},
		"scope": {"https://mail.google.com/"}, "access_type": {"offline"}, "state": {"browser-state"}}
	err = chromedp.Do(ctx,
		chromedp.Navigate(g.AuthorizationEndpoint+"?"+q.Encode()),
		chromedp.WaitVisible(chromedp.CSS(`#signin`)),
		screenshot("signin"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "alice@gmail.test"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "alice-password"),
		chromedp.Click(chromedp.CSS(`#signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#consent`)),
		screenshot("consent"),
		chromedp.Click(chromedp.CSS(`#consent button[value=allow]`)),
		chromedp.WaitVisible(chromedp.CSS(`#done`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	done, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#done`)))
	redirect, err := catcher.Result()
	if err != nil || redirect.Get("state") != "browser-state" || !strings.HasPrefix(redirect.Get("code"), "4/") {
		t.Fatalf("redirect %v, %v (page %q)", redirect, err, done)
	}
	resp, err := inst.Mocks.Client().PostForm(g.TokenEndpoint, url.Values{"grant_type": {"authorization_code"},
		"code": {redirect.Get("code")}, "client_id": {desktop.ClientID}, "client_secret": {desktop.ClientSecret},
		"redirect_uri": {catcher.URL}})
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok["refresh_token"] == nil {
		t.Fatalf("exchange: HTTP %d %v", resp.StatusCode, tok)
	}
}

// TestBrowserDeviceApproval: a device asks for a code; Chromium opens the
// verification page, types the code, signs in and allows; the device's next
// poll gets its token. The dashboard then shows the flow.
func TestBrowserDeviceApproval(t *testing.T) {
	inst := start(t)
	ctx := browser(t, inst)
	g := inst.Manifest.Providers["google"]
	tv := clientOfType(t, g, "limited-input")
	hc := inst.Mocks.Client()
	da := deviceCode(t, inst, tv, "email profile")
	err := chromedp.Do(ctx,
		chromedp.Navigate(da.VerificationURL),
		chromedp.WaitVisible(chromedp.CSS(`#device`)),
		screenshot("device"),
		chromedp.SendKeys(chromedp.CSS(`#user_code`), da.UserCode),
		chromedp.Click(chromedp.CSS(`#device button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#signin`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "bob@gmail.test"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "bob-password"),
		chromedp.Click(chromedp.CSS(`#signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#consent`)),
		chromedp.Click(chromedp.CSS(`#consent button[value=allow]`)),
		chromedp.WaitVisible(chromedp.CSS(`#title`)),
	)
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#title`)))
	if err != nil || title != "Success!" {
		t.Fatalf("browser: %v, page %q", err, title)
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
	err = chromedp.Do(ctx,
		chromedp.Navigate(inst.Manifest.AdminURL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#events`)),
		screenshot("dashboard"),
	)
	events, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#events`)))
	if err != nil || !strings.Contains(events, "urn:ietf:params:oauth:grant-type:device_code") {
		t.Fatalf("dashboard: %v\n%s", err, events)
	}
}
