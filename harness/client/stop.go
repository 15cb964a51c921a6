package client

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// StopAt makes the browser stop at a redirect to uri (the same scheme,
// host, port and path, any query) without connecting to it, as when the
// application's redirect URI names a listener of the customer's machine
// (http://localhost:3017) that is not running here. The function it
// returns gives the URL the browser stopped at, if it did.
func (b *Browser) StopAt(uri string) func() (*url.URL, bool) {
	want, err := url.Parse(uri)
	var (
		mu  sync.Mutex
		got *url.URL
	)
	b.http.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err == nil && sameEndpoint(req.URL, want) {
			mu.Lock()
			u := *req.URL
			got = &u
			mu.Unlock()
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return func() (*url.URL, bool) {
		mu.Lock()
		defer mu.Unlock()
		return got, got != nil
	}
}

// sameEndpoint compares scheme, host (with its port) and path, the last
// without its trailing slash, which browsers add to an empty path.
func sameEndpoint(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) &&
		strings.TrimSuffix(a.Path, "/") == strings.TrimSuffix(b.Path, "/")
}
