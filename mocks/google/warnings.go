package google

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/world"
)

var _ world.Checker = schema{}

// Warnings implements world.Checker: redirect URIs the Google Cloud
// console would refuse to save, or that Google refuses at sign-in (G-10,
// G-14): http beyond localhost, a fragment, a wildcard, the out-of-band
// URN (F-15).
func (schema) Warnings(w *world.World, provider string) []string {
	var out []string
	for _, realm := range w.Realms(provider) {
		for _, c := range w.Clients(realm) {
			for _, uri := range c.RedirectURIs {
				if why := refusedRedirect(uri); why != "" {
					out = append(out, fmt.Sprintf("%s: client %q: redirect URI %s: %s", realm, c.Name, uri, why))
				}
			}
		}
	}
	return out
}

// refusedRedirect says why Google refuses uri as a registered redirect
// URI, or "".
func refusedRedirect(uri string) string {
	if outOfBand(uri) {
		return "the out-of-band flow is blocked (Error 400: invalid_request, F-15); use a loopback redirect (G-10)"
	}
	u, err := url.Parse(uri)
	switch {
	case err != nil || u.Host == "":
		return "not an absolute URI; Google wants https://… or http://localhost"
	case u.Fragment != "" || strings.Contains(uri, "#"):
		return "a redirect URI cannot hold a fragment (#)"
	case strings.Contains(u.Host, "*"):
		return "Google takes no wildcard in a redirect URI"
	case u.Scheme == "http" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" && u.Hostname() != "::1":
		return "http is accepted only for localhost; use https"
	}
	return ""
}
