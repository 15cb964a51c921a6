package trackdechets

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// nodeJSON is how a part of Trackdéchets' Node.js API writes JSON:
// JSON.stringify's bytes (one line, no HTML escaping) under its
// Content-Type, with Apollo Server's final newline where newline is set.
type nodeJSON struct {
	contentType string
	newline     bool
}

// How the API writes JSON: Express's res.json (charset=utf-8, no final
// newline), oauth2orize's error handler (application/json alone, no final
// newline, T-07), Apollo Server's GraphQL answers (charset=utf-8, ended
// by a newline as its prettyJSONStringify writes them).
var (
	expressJSON     = nodeJSON{contentType: "application/json; charset=utf-8"}
	oauth2orizeJSON = nodeJSON{contentType: "application/json"}
	apolloJSON      = nodeJSON{contentType: "application/json; charset=utf-8", newline: true}
)

// Write answers with status and body.
func (s nodeJSON) Write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", s.contentType)
	w.WriteHeader(status)
	b := stringify(body)
	if s.newline {
		b = append(b, '\n')
	}
	_, _ = w.Write(b)
}

// stringify is JSON.stringify: one line, no trailing newline, no HTML
// escaping.
func stringify(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// reencode decodes body into v and writes it as JSON.stringify would. A
// body that does not decode is kept.
func reencode(body []byte, v any) []byte {
	if err := json.Unmarshal(body, v); err != nil {
		return body
	}
	return stringify(v)
}
