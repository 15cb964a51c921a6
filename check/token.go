package check

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// Token is a decoded token: its kind ("jwt", "google"), the token
// shortened, the JWT header's alg and typ, and the claims that matter for
// mail (aud, scp, roles, tid, upn, unique_name, preferred_username,
// appid, azp, idtyp, iss, ver, nbf, exp), as they were in the token.
type Token struct {
	Kind    string         `json:"kind"`
	Shown   string         `json:"shown"`
	Alg     string         `json:"alg,omitempty"`
	Typ     string         `json:"typ,omitempty"`
	Claims  map[string]any `json:"claims,omitempty"`
	Expires string         `json:"expires,omitempty"`
}

// mailClaims are the claims Token keeps.
var mailClaims = []string{"aud", "scp", "roles", "tid", "upn", "unique_name", "preferred_username", "appid", "azp", "idtyp", "iss", "ver", "nbf", "exp"}

// Exchange Online's audiences (EX-01, M-07) and Graph's (F-01).
var (
	exchangeAudiences = []string{microsoft.Outlook, microsoft.Office365, "https://ps.outlook.com", "00000002-0000-0ff1-ce00-000000000000"}
	graphAudiences    = []string{microsoft.Graph, microsoft.Graph + "/", "00000003-0000-0000-c000-000000000000"}
)

// The permission each protocol needs (EX-01).
var (
	delegatedPermission = map[string]string{"imap": microsoft.IMAPAccessAsUser, "pop3": microsoft.POPAccessAsUser, "smtp": microsoft.SMTPSend}
	appRole             = map[string]string{"imap": microsoft.IMAPAccessAsApp, "pop3": microsoft.POPAccessAsApp, "smtp": microsoft.SMTPSendAsApp}
)

// protocols are the values of Options.For, in a fixed order.
var protocols = []string{"smtp", "imap", "pop3"}

// ValidProtocol reports whether p is a value Options.For accepts.
func ValidProtocol(p string) bool { return p == "" || slices.Contains(protocols, p) }

// CheckToken decodes an access token a customer pasted (no signature
// check) and judges it for Exchange Online, or says what Gmail needs when
// it is Google's opaque token. The error is an *InputError when the token
// does not decode.
func CheckToken(raw string, opt Options) (*Report, error) {
	r := &Report{}
	tok := strings.TrimSpace(raw)
	if t, ok := cutBearer(tok); ok {
		r.add("GM-02", Warning, "the token starts with \"Bearer \"",
			"pasted: "+redact(tok), "paste the token alone; \"Bearer \" belongs in the SASL message (auth=Bearer TOKEN), not in the token")
		tok = t
	}
	t, claims, err := decodeJWT(tok)
	if err != nil {
		var ie *InputError
		if !errors.As(err, &ie) {
			return nil, err
		}
		if g, ok := googleToken(tok, r); ok {
			r.Token = g
			r.finish()
			return r, nil
		}
		return nil, err
	}
	r.Token = t
	judgeJWT(r, claims, opt)
	r.finish()
	return r, nil
}

// cutBearer strips a leading "Bearer " (any case).
func cutBearer(s string) (string, bool) {
	if len(s) > 7 && strings.EqualFold(s[:7], "Bearer ") {
		return strings.TrimSpace(s[7:]), true
	}
	return s, false
}

// decodeJWT decodes a compact JWS: three parts of strict base64url (no
// padding), a JSON header and a JSON object payload.
func decodeJWT(tok string) (*Token, map[string]any, error) {
	fail := func(where, problem string) (*Token, map[string]any, error) {
		return nil, nil, &InputError{What: "token", Where: where, Problem: problem}
	}
	if tok == "" {
		return fail("", "it is empty")
	}
	parts := strings.Split(tok, ".")
	switch {
	case len(parts) == 5:
		return fail("", "it has 5 parts: an encrypted JWT (JWE), which only its audience can read")
	case len(parts) != 3:
		return fail("", fmt.Sprintf("it has %d part(s) separated by '.'; a JWT has 3 (header.payload.signature)", len(parts)))
	}
	names := []string{"header", "payload", "signature"}
	var decoded [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil {
			var ce base64.CorruptInputError
			if errors.As(err, &ce) && int(ce) < len(p) {
				return fail(fmt.Sprintf("%s, character %d", names[i], int(ce)+1), fmt.Sprintf("%q is not base64url (A-Z a-z 0-9 - _, no padding)", p[ce]))
			}
			return fail(names[i], "it is not base64url: "+err.Error())
		}
		decoded[i] = b
	}
	var header map[string]any
	if err := json.Unmarshal(decoded[0], &header); err != nil {
		return fail("header", "not a JSON object: "+jsonWhere(err))
	}
	claims := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(decoded[1]))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return fail("payload", "not a JSON object: "+jsonWhere(err))
	}
	t := &Token{Kind: "jwt", Shown: redact(tok), Claims: map[string]any{}}
	t.Alg, _ = header["alg"].(string)
	t.Typ, _ = header["typ"].(string)
	for _, k := range mailClaims {
		if v, ok := claims[k]; ok {
			t.Claims[k] = v
		}
	}
	if exp, ok := numericDate(claims["exp"]); ok {
		t.Expires = exp.UTC().Format(time.RFC3339)
	}
	return t, claims, nil
}

// jsonWhere is a JSON error with its byte offset when it has one.
func jsonWhere(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("byte %d: %v", se.Offset, se)
	}
	return err.Error()
}

// numericDate reads a JWT NumericDate (seconds since the epoch).
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// googleToken recognises Google's opaque tokens (G-05): an access token
// (ya29.) cannot be judged offline, a refresh token (1//) is not what
// SASL carries.
func googleToken(tok string, r *Report) (*Token, bool) {
	t := &Token{Kind: "google", Shown: redact(tok)}
	switch {
	case strings.HasPrefix(tok, "ya29."):
		r.add("GM-01", Warning, "a Google access token: opaque, not a JWT, so its scopes cannot be read offline",
			"token "+t.Shown+" (ya29. prefix)",
			"Gmail's SMTP, IMAP and POP need the scope https://mail.google.com/ (GM-01); a token of gmail.send, gmail.readonly or gmail.modify is refused (F-13). Google's tokeninfo endpoint (https://oauth2.googleapis.com/tokeninfo?access_token=...) lists the token's scopes")
		r.note("Gmail needs user= in the SASL message to be the account that signed in, and a token younger than one hour (F-16)")
		return t, true
	case strings.HasPrefix(tok, "1//"):
		r.add("G-06", Error, "a Google refresh token, not an access token",
			"token "+t.Shown+" (1// prefix)",
			"send the access token (ya29.…) in SASL; exchange the refresh token for one at https://oauth2.googleapis.com/token (grant_type=refresh_token)")
		return t, true
	}
	return nil, false
}

// claimString is a string claim, or "".
func claimString(c map[string]any, k string) string {
	s, _ := c[k].(string)
	return s
}

// audiences are the aud claim's values (a string or an array).
func audiences(c map[string]any) []string {
	switch v := c["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// roles are the roles claim's values.
func roles(c map[string]any) []string {
	v, _ := c["roles"].([]any)
	var out []string
	for _, a := range v {
		if s, ok := a.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// tokenUser is the user a delegated token names and the claim naming it.
func tokenUser(c map[string]any) (user, claim string) {
	for _, k := range []string{"upn", "unique_name", "preferred_username"} {
		if s := claimString(c, k); s != "" {
			return s, k
		}
	}
	return "", ""
}
