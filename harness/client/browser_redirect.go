package client

import (
	"errors"
	"net/http"
)

// OnRedirect calls f with each redirect the browser is about to follow,
// which it may change (a scenario that tampers with the state the
// provider sends back to the application); nil stops calling it.
func (b *Browser) OnRedirect(f func(*http.Request)) {
	if f == nil {
		b.http.CheckRedirect = nil
		return
	}
	b.http.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("client: stopped after 10 redirects")
		}
		f(req)
		return nil
	}
}
