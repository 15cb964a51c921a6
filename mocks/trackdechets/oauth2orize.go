package trackdechets

import (
	"bytes"
	"net/http"
	"strings"
)

// oauth2orizeToken writes the token endpoint's answers as oauth2orize
// 1.12.0 does (T-04, T-07), whatever the neutral server wrote: a success
// is one compact line, access_token, then TD's user {name, email}, then
// token_type, with Content-Type application/json, Cache-Control no-store
// and Pragma no-cache; an error is one compact line, error then
// error_description, with Content-Type application/json alone (no
// Cache-Control, no Pragma). Passport's bare answers (401 "Unauthorized"
// and its Basic challenge, 400 "Bad Request") are not oauth2orize's and
// pass as they are.
func oauth2orizeToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &recorded{header: http.Header{}, status: http.StatusOK}
		h(rec, r)
		out := w.Header()
		for k, v := range rec.header {
			out[k] = v
		}
		body := rec.body.Bytes()
		if strings.HasPrefix(rec.header.Get("Content-Type"), "application/json") {
			if rec.status == http.StatusOK {
				body = reencode(body, &tokenBody{})
			} else {
				out.Del("Cache-Control")
				out.Del("Pragma")
				body = reencode(body, &errorBody{})
			}
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	}
}

// tokenBody is T-04's success body, keys in oauth2orize's order.
type tokenBody struct {
	AccessToken string `json:"access_token"`
	User        struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
	TokenType string `json:"token_type"`
}

// recorded is an answer held until it is rewritten.
type recorded struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorded) Header() http.Header { return r.header }

func (r *recorded) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorded) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
