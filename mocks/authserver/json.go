package authserver

import (
	"encoding/json"
	"net/http"
)

// JSONStyle is how a provider's server writes its JSON answers: the
// headers it sets on each and whether the body is indented by two spaces
// or on one line. Content-Type is application/json; charset=utf-8 unless
// Header says otherwise. Bodies are encoded by encoding/json, HTML
// characters escaped.
type JSONStyle struct {
	Header http.Header
	Indent bool
}

// tokenJSON is the style of the token endpoint's answers: the caching
// headers RFC 6749 §5.1 requires.
var tokenJSON = JSONStyle{Header: http.Header{"Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}, Indent: true}

// Write answers with status and body as JSON in style s, the headers of
// extra set after s's.
func (s JSONStyle) Write(w http.ResponseWriter, status int, body any, extra ...http.Header) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	for _, hs := range append([]http.Header{s.Header}, extra...) {
		for k, v := range hs {
			h[k] = v
		}
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if s.Indent {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(body)
}
