package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Catcher is the application's loopback redirect listener (seed 001's
// http://localhost:3017/, RFC 8252 §7.3): the browser lands on it at the end
// of the authorization and it keeps the query (code, state or error).
type Catcher struct {
	// URL is the redirect URI to register and send, e.g. http://localhost:41234/.
	URL string

	srv     *http.Server
	results chan url.Values
}

// ErrNoRedirect is returned by Result when the browser never came back to
// the application.
var ErrNoRedirect = errors.New("client: no redirect reached the application")

// NewCatcher listens on a free port of 127.0.0.1. host is the host name put
// in URL ("localhost" or "127.0.0.1"), path its path ("/" or "/callback").
func NewCatcher(host, path string) (*Catcher, error) {
	addr := "127.0.0.1:0"
	if host == "::1" {
		addr = "[::1]:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	c := &Catcher{
		URL:     "http://" + net.JoinHostPort(host, port) + path,
		results: make(chan url.Values, 8),
	}
	c.srv = &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case c.results <- r.URL.Query():
			default:
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!DOCTYPE html><title>Done</title><p id=\"done\">You may close this window."))
		}),
	}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

// Result returns the query of the redirect the browser made, or
// ErrNoRedirect if there was none. It does not wait: call it once the
// browser has finished.
func (c *Catcher) Result() (url.Values, error) {
	select {
	case q := <-c.results:
		return q, nil
	default:
		return nil, ErrNoRedirect
	}
}

// Close stops the listener.
func (c *Catcher) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.srv.Shutdown(ctx)
}
