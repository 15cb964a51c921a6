package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// BrowseFunc plays the user on rawURL (the URL the application opened)
// and returns once the redirect was delivered to the application, or why
// not.
type BrowseFunc func(ctx context.Context, rawURL string) error

// Control is a scenario's loopback endpoint the browser command hands its
// URL to: POST URL?url=... runs the scenario's BrowseFunc and answers 200
// once the redirect was delivered, 502 with the reason otherwise. Its path
// carries a random token, so another scenario's or process's browser
// cannot drive this scenario's user.
type Control struct {
	// URL is the endpoint, http://127.0.0.1:PORT/browse/TOKEN.
	URL string

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// maxURL bounds the URL a browser command may hand over.
const maxURL = 64 << 10

// NewControl listens on a free port of 127.0.0.1 and runs browse for each
// URL handed to it.
func NewControl(browse BrowseFunc) (*Control, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	path := "/browse/" + hex.EncodeToString(token)
	c := &Control{URL: "http://" + ln.Addr().String() + path, ln: ln, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxURL)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("url") == "" {
			http.Error(w, "mailoauth browse: no url given", http.StatusBadRequest)
			return
		}
		if err := browse(r.Context(), r.PostForm.Get("url")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, "delivered\n")
	})
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer close(c.done)
		_ = c.srv.Serve(ln)
	}()
	return c, nil
}

// Close stops the endpoint and waits for it.
func (c *Control) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.srv.Shutdown(ctx); err != nil {
		_ = c.srv.Close()
	}
	<-c.done
}

// Browse is `mailoauth browse CONTROL URL`, the browser command: it hands
// URL to the scenario's control endpoint and exits 0 once the harness's
// browser delivered the redirect, 1 (saying why on stderr) otherwise, 2
// for a usage error.
func Browse(args []string, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: mailoauth browse CONTROL-URL URL (the command the application opens its URL with)")
		return 2
	}
	control, target := args[0], args[1]
	if u, err := url.Parse(control); err != nil || u.Scheme != "http" {
		fmt.Fprintf(stderr, "mailoauth browse: %q is not a control endpoint\n", control)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, control, strings.NewReader(url.Values{"url": {target}}.Encode()))
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth browse: %v\n", err)
		return 1
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "mailoauth browse: the harness is not reachable: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "mailoauth browse: %s\n", strings.TrimSpace(string(body)))
		return 1
	}
	return 0
}
