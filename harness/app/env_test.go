package app

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEnviron(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	st := Setup{Provider: "google", ManifestFile: "/m.json", CAFile: "/ca.pem", StateDir: "/state", ClientID: "id",
		RedirectURI: "http://localhost:1234/", ClientAuth: "none", TokenEndpoint: "https://t", Scopes: []string{"a", "b"},
		User: "alice@gmail.test", SMTP: MailServer{"127.0.0.1", 587, "starttls"}, MailTo: "bob@gmail.test",
		Browser: "/tmp/browser", Now: now, Offset: 90 * time.Minute, Faketime: "/usr/lib/x/faketime/libfaketime.so.1"}
	env := st.Environ("send", []string{"PATH=/bin", "MAILOAUTH_CLIENT_SECRET=leaked", "BROWSER=firefox", "FAKETIME=+1d"})
	for _, want := range []string{"PATH=/bin", "MAILOAUTH_ACTION=send", "MAILOAUTH_PROVIDER=google", "MAILOAUTH_MANIFEST=/m.json",
		"MAILOAUTH_CA_FILE=/ca.pem", "MAILOAUTH_STATE_DIR=/state", "MAILOAUTH_CLIENT_ID=id", "MAILOAUTH_CLIENT_SECRET=",
		"MAILOAUTH_REDIRECT_URI=http://localhost:1234/", "MAILOAUTH_CLIENT_AUTH=none", "MAILOAUTH_TOKEN_ENDPOINT=https://t",
		"MAILOAUTH_SCOPES=a b", "MAILOAUTH_USER=alice@gmail.test", "MAILOAUTH_SMTP_HOST=127.0.0.1", "MAILOAUTH_SMTP_PORT=587",
		"MAILOAUTH_SMTP_SECURITY=starttls", "MAILOAUTH_MAIL_TO=bob@gmail.test", "MAILOAUTH_BROWSER=/tmp/browser",
		"BROWSER=/tmp/browser", "MAILOAUTH_NOW=2030-01-02T03:04:05Z", "LD_PRELOAD=/usr/lib/x/faketime/libfaketime.so.1",
		"FAKETIME=+5400s"} {
		if !slices.Contains(env, want) {
			t.Errorf("no %s in %v", want, env)
		}
	}
	for _, kv := range env {
		if kv == "MAILOAUTH_CLIENT_SECRET=leaked" || kv == "BROWSER=firefox" || kv == "FAKETIME=+1d" ||
			strings.HasPrefix(kv, "MAILOAUTH_IMAP_") || strings.HasPrefix(kv, "MAILOAUTH_API_ENDPOINT") {
			t.Errorf("the environment has %s", kv)
		}
	}
	// A clock behind the real one.
	if env := (Setup{Offset: -time.Hour, Faketime: "/lib.so"}).Environ("send", nil); !slices.Contains(env, "FAKETIME=-3600s") {
		t.Errorf("a clock an hour behind: %v", env)
	}
	// No offset, or no libfaketime: no LD_PRELOAD.
	for _, st := range []Setup{{Offset: 0, Faketime: "/lib.so"}, {Offset: time.Hour}} {
		for _, kv := range st.Environ("send", nil) {
			if strings.HasPrefix(kv, "LD_PRELOAD=") || strings.HasPrefix(kv, "FAKETIME=") {
				t.Errorf("%+v: %s", st, kv)
			}
		}
	}
}

// TestFaketimeMovesTheClock: under the environment of a world an hour
// ahead, date(1) reads the world's hour (where libfaketime is installed).
func TestFaketimeMovesTheClock(t *testing.T) {
	t.Parallel()
	lib := Faketime()
	if installed, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1"); len(installed) > 0 && lib != installed[0] {
		t.Fatalf("libfaketime is at %s, Faketime says %q", installed[0], lib)
	}
	if lib == "" {
		t.Skip("libfaketime is not installed (Debian's faketime package)")
	}
	st := Setup{Offset: 400 * 24 * time.Hour, Faketime: lib}
	res := Runner{Command: "date -u +%Y; true"}.Run(t.Context(), "send", st.Environ("send", []string{"PATH=/usr/bin:/bin"}), t.TempDir())
	want := time.Now().Add(st.Offset).UTC().Format("2006")
	if got := LastLine(res.Stdout); got != want {
		t.Fatalf("date under faketime said %q, want %s (%s)", got, want, res)
	}
}
