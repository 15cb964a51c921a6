package serve

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// guard keeps web pages away from the admin API (it holds every secret of
// the world and changes it): a request must name the admin server by a
// loopback name or address, or by the host serve listens on or a name it
// is advertised as (names), so a page
// behind a rebound DNS name reads nothing; and a request that changes
// something must not come from another site, which a browser says in
// Sec-Fetch-Site and Origin. curl and HTTP libraries send neither, and keep
// working.
func guard(names []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !localHost(r.Host, names) {
			writeJSON(w, http.StatusForbidden, apiError{"the admin API answers requests to a loopback address or " + strings.Join(names, ", ") +
				" only, not to " + r.Host + " (DNS rebinding)"})
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
				writeJSON(w, http.StatusForbidden, apiError{"a " + site + " request from a web page may not change the world"})
				return
			}
			if origin := r.Header.Get("Origin"); origin != "" {
				u, err := url.Parse(origin)
				if err != nil || !localHost(u.Host, names) {
					writeJSON(w, http.StatusForbidden, apiError{"a request from the web page of " + origin + " may not change the world"})
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// localHost reports whether hostport names this machine's loopback or one
// of names.
func localHost(hostport string, names []string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	for _, name := range names {
		if strings.EqualFold(host, name) {
			return true
		}
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
