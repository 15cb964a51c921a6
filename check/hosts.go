package check

import (
	"fmt"
	"net/url"
	"strings"
)

// webHosts are the real providers' HTTPS host names, each mapped onto its
// provider's fake (the path and query are kept as typed).
var webHosts = map[string]string{
	"login.microsoftonline.com":             "microsoft",
	"accounts.google.com":                   "google",
	"oauth2.googleapis.com":                 "google",
	"app.trackdechets.beta.gouv.fr":         "trackdechets",
	"api.trackdechets.beta.gouv.fr":         "trackdechets",
	"sandbox.trackdechets.beta.gouv.fr":     "trackdechets",
	"api.sandbox.trackdechets.beta.gouv.fr": "trackdechets",
}

// canonicalHost is the host a provider's fake URLs are shown under in a
// report, so a step reads as it would against the real one.
var canonicalHost = map[string]string{
	"microsoft":    "login.microsoftonline.com",
	"google":       "accounts.google.com",
	"trackdechets": "api.trackdechets.beta.gouv.fr",
}

// A listener is one of a fake provider's mail servers: its protocol and
// whether it starts with TLS.
type listener struct {
	protocol string // smtp, imap, pop3
	tls      bool
}

// mailHost is a real mail host: its provider and what listens on each
// port there (EX-03, EX-04, EX-05, GM-04, GM-05, GM-06); a port absent
// does not answer.
type mailHost struct {
	provider string
	ports    map[int]listener
}

var (
	exchangeSMTP = map[int]listener{587: {"smtp", false}, 25: {"smtp", false}}
	exchangeMail = map[int]listener{993: {"imap", true}, 143: {"imap", false}, 995: {"pop3", true}, 110: {"pop3", false}, 587: {"smtp", false}}
)

var mailHosts = map[string]mailHost{
	"smtp.office365.com":    {"microsoft", exchangeSMTP},
	"smtp-mail.outlook.com": {"microsoft", exchangeSMTP},
	"outlook.office365.com": {"microsoft", exchangeMail},
	"outlook.office.com":    {"microsoft", exchangeMail},
	"imap-mail.outlook.com": {"microsoft", map[int]listener{993: {"imap", true}}},
	"pop-mail.outlook.com":  {"microsoft", map[int]listener{995: {"pop3", true}}},
	"smtp.gmail.com":        {"google", map[int]listener{587: {"smtp", false}, 25: {"smtp", false}, 465: {"smtp", true}}},
	"imap.gmail.com":        {"google", map[int]listener{993: {"imap", true}}},
	"pop.gmail.com":         {"google", map[int]listener{995: {"pop3", true}}},
}

// webTarget is a URL as typed, mapped onto the fake: the provider it
// belongs to and the path and query to send there.
func webTarget(raw string) (provider, pathQuery string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("%q is not an absolute URL", raw)
	}
	host := strings.ToLower(u.Hostname())
	provider, ok := webHosts[host]
	if !ok {
		return "", "", fmt.Errorf("%s is no host of Google, Microsoft or Trackdéchets (%s): the application would reach another server, or none", host, knownWebHosts())
	}
	if u.Scheme != "https" {
		return provider, "", fmt.Errorf("%s is served over https only: http://%s is refused", host, host)
	}
	if u.Port() != "" && u.Port() != "443" {
		return provider, "", fmt.Errorf("%s answers on port 443 only, not %s: the connection times out", host, u.Port())
	}
	pq := u.EscapedPath()
	if u.RawQuery != "" || u.ForceQuery {
		pq += "?" + u.RawQuery
	}
	return provider, pq, nil
}

func knownWebHosts() string {
	return "login.microsoftonline.com, accounts.google.com, oauth2.googleapis.com, app.trackdechets.beta.gouv.fr, api.trackdechets.beta.gouv.fr"
}
