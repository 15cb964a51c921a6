package client

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// maxRecordedBody bounds how much of each response the recorder keeps.
const maxRecordedBody = 64 << 10

// Exchange is one HTTP request and the server's reply, as the client saw it.
type Exchange struct {
	Method string
	URL    string
	Status int
	Header http.Header
	Body   []byte
}

// String renders the reply for a report: request line, status, then the
// body with every token in it shortened (Redact).
func (e Exchange) String() string {
	return fmt.Sprintf("%s %s -> HTTP %d\n%s", e.Method, e.URL, e.Status, bytes.TrimSpace(redactJSON(e.Body)))
}

// Recorder is an http.RoundTripper that remembers the last reply of each
// server, so scenarios can assert on the wire and reports can quote it.
type Recorder struct {
	Base http.RoundTripper

	mu       sync.Mutex
	last     *Exchange
	requests int
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.Base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRecordedBody))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	u := *req.URL
	u.RawQuery = redactQuery(u.RawQuery)
	r.mu.Lock()
	r.last = &Exchange{Method: req.Method, URL: u.String(), Status: resp.StatusCode, Header: resp.Header.Clone(), Body: body}
	r.requests++
	r.mu.Unlock()
	return resp, nil
}

// Last returns the last exchange, if any.
func (r *Recorder) Last() (Exchange, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		return Exchange{}, false
	}
	return *r.last, true
}

// Requests returns how many requests were answered so far.
func (r *Recorder) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}
