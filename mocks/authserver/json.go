package authserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
)

// JSONStyle is how a provider's server writes its JSON answers: the
// headers it sets on each, whether the body is indented by two spaces or
// on one line, and the order of a map body's keys. Content-Type is
// application/json; charset=utf-8 unless Header says otherwise. Bodies are
// encoded by encoding/json, HTML characters escaped.
type JSONStyle struct {
	Header http.Header
	Indent bool
	// Order lists the keys of a map[string]any body that come first, in
	// that order; the others follow sorted. Nil: all sorted (a struct
	// body keeps its fields' order).
	Order []string
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
	if m, ok := body.(map[string]any); ok && s.Order != nil {
		body = ordered{m, s.Order}
	}
	enc := json.NewEncoder(w)
	if s.Indent {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(body)
}

// ordered is a map written with the keys of first first, in that order.
type ordered struct {
	m     map[string]any
	first []string
}

// MarshalJSON implements json.Marshaler.
func (o ordered) MarshalJSON() ([]byte, error) {
	keys := make([]string, 0, len(o.m))
	for _, k := range o.first {
		if _, ok := o.m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range o.m {
		if !slices.Contains(o.first, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range append(keys, rest...) {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.m[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
