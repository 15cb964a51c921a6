package app

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MailServer is one mail server of the scenario's provider.
type MailServer struct {
	Host     string
	Port     int
	Security string // "starttls" or "tls"
}

// Setup is what a scenario tells the application, every action the same
// (DESIGN.md's table of MAILOAUTH_* variables).
type Setup struct {
	Provider     string
	ManifestFile string
	CAFile       string
	StateDir     string
	ClientID     string
	ClientSecret string
	RedirectURI  string
	// ClientAuth is client_secret_basic, client_secret_post or none.
	ClientAuth                  string
	AuthorizationEndpoint       string
	TokenEndpoint               string
	DeviceAuthorizationEndpoint string
	DiscoveryURL                string
	APIEndpoint                 string
	Tenant                      string
	Scopes                      []string
	User                        string
	SMTP, IMAP, POP3            MailServer
	MailFrom, MailTo            string
	MailSubject, MailBody       string
	// Browser is the command that plays the user (MAILOAUTH_BROWSER and
	// BROWSER).
	Browser string
	// Now is the world's time; Offset how far it runs ahead of the real
	// time.
	Now    time.Time
	Offset time.Duration
	// Faketime is libfaketime's path, "" where it is not installed: with
	// it and a non-zero Offset, the action runs under it.
	Faketime string
}

// contractVars are the variables of the contract the harness sets; one
// inherited from the harness's own environment is dropped first, so that
// nothing of another run leaks into the application.
var contractVars = []string{"BROWSER", "LD_PRELOAD", "FAKETIME"}

// Environ is the whole environment of action: base (the harness's own,
// for PATH, HOME and the like) without any MAILOAUTH_ variable, then the
// contract's variables.
func (s Setup) Environ(action string, base []string) []string {
	var env []string
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MAILOAUTH_") || slices.Contains(contractVars, name) {
			continue
		}
		env = append(env, kv)
	}
	set := func(name, value string) { env = append(env, name+"="+value) }
	set("MAILOAUTH_ACTION", action)
	set("MAILOAUTH_PROVIDER", s.Provider)
	set("MAILOAUTH_MANIFEST", s.ManifestFile)
	set("MAILOAUTH_CA_FILE", s.CAFile)
	set("MAILOAUTH_STATE_DIR", s.StateDir)
	set("MAILOAUTH_CLIENT_ID", s.ClientID)
	set("MAILOAUTH_CLIENT_SECRET", s.ClientSecret)
	set("MAILOAUTH_REDIRECT_URI", s.RedirectURI)
	set("MAILOAUTH_CLIENT_AUTH", s.ClientAuth)
	for name, v := range map[string]string{
		"MAILOAUTH_AUTHORIZATION_ENDPOINT":        s.AuthorizationEndpoint,
		"MAILOAUTH_TOKEN_ENDPOINT":                s.TokenEndpoint,
		"MAILOAUTH_DEVICE_AUTHORIZATION_ENDPOINT": s.DeviceAuthorizationEndpoint,
		"MAILOAUTH_DISCOVERY_URL":                 s.DiscoveryURL,
		"MAILOAUTH_API_ENDPOINT":                  s.APIEndpoint,
		"MAILOAUTH_TENANT":                        s.Tenant,
	} {
		if v != "" {
			set(name, v)
		}
	}
	set("MAILOAUTH_SCOPES", strings.Join(s.Scopes, " "))
	set("MAILOAUTH_USER", s.User)
	for _, m := range []struct {
		name string
		srv  MailServer
	}{{"SMTP", s.SMTP}, {"IMAP", s.IMAP}, {"POP3", s.POP3}} {
		if m.srv.Host == "" {
			continue
		}
		set("MAILOAUTH_"+m.name+"_HOST", m.srv.Host)
		set("MAILOAUTH_"+m.name+"_PORT", strconv.Itoa(m.srv.Port))
		set("MAILOAUTH_"+m.name+"_SECURITY", m.srv.Security)
	}
	set("MAILOAUTH_MAIL_FROM", s.MailFrom)
	set("MAILOAUTH_MAIL_TO", s.MailTo)
	set("MAILOAUTH_MAIL_SUBJECT", s.MailSubject)
	set("MAILOAUTH_MAIL_BODY", s.MailBody)
	set("MAILOAUTH_BROWSER", s.Browser)
	set("BROWSER", s.Browser)
	now := s.Now
	if now.IsZero() {
		now = time.Now()
	}
	set("MAILOAUTH_NOW", now.UTC().Format(time.RFC3339))
	if secs := int64(s.Offset / time.Second); secs != 0 && s.Faketime != "" {
		set("LD_PRELOAD", s.Faketime)
		set("FAKETIME", "+"+strconv.FormatInt(secs, 10)+"s")
		if secs < 0 {
			env[len(env)-1] = "FAKETIME=" + strconv.FormatInt(secs, 10) + "s"
		}
	}
	return env
}

// Faketime is the path of libfaketime where it is installed (Debian's
// faketime package), "" otherwise; looked up once.
var Faketime = sync.OnceValue(faketime)

func faketime() string {
	matches, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1")
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
			return m
		}
	}
	return ""
}
