package check

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// SASL is a decoded initial response: its mechanism ("XOAUTH2",
// "OAUTHBEARER" or "" when neither), the decoded text with the token
// shortened and control bytes shown as \x01, and the user and token it
// carries as the servers' parsers read them.
type SASL struct {
	Mechanism string `json:"mechanism"`
	Decoded   string `json:"decoded"`
	User      string `json:"user,omitempty"`
	Token     string `json:"token,omitempty"`
	Parsed    bool   `json:"parsed"`
	Answer    string `json:"answer"`
}

// The answers of the servers to a message they cannot parse, and to one
// they parse (the token is judged after).
const (
	malformedAnswer = "Exchange: IMAP NO AUTHENTICATE failed., SMTP 535 5.7.3 Authentication unsuccessful, POP -ERR Authentication failure: unknown user name or bad password.; Gmail: IMAP BAD Invalid SASL argument., SMTP 501 5.5.2 Cannot Decode response"
	parsedAnswer    = "parsed: the server goes on to judge the token and user="
)

// CheckSASL decodes a base64 XOAUTH2 or OAUTHBEARER initial response the
// way the servers do (mocks/sasl's parsers), names where it breaks, and
// judges the token inside when it is a JWT. The error is an *InputError
// when the blob is neither base64 nor a recognisable plain message.
func CheckSASL(blob string, opt Options) (*Report, error) {
	r := &Report{}
	text := strings.TrimSpace(blob)
	if f := strings.Fields(text); len(f) > 1 && isMechanism(f[len(f)-2]) {
		// A line pasted from a log: "AUTH XOAUTH2 <b64>", "A1 AUTHENTICATE XOAUTH2 <b64>".
		text = f[len(f)-1]
		r.note("read the last word of the line as the base64 message")
	}
	msg, err := decodeSASLBase64(text, r)
	if err != nil {
		return nil, err
	}
	s := &SASL{Decoded: shown(msg)}
	r.SASL = s
	switch {
	case bytes.HasPrefix(msg, []byte("user=")):
		s.Mechanism = sasl.XOAUTH2
		c, err := sasl.ParseXOAUTH2(msg)
		s.Parsed = err == nil
		if err != nil {
			diagnoseXOAUTH2(r, msg)
		} else {
			s.User, s.Token = c.User, redact(c.Token)
			judgeInner(r, c.User, c.Token, opt)
		}
	case len(msg) >= 2 && (msg[0] == 'n' || msg[0] == 'y' || msg[0] == 'p') && msg[1] == ',' || bytes.HasPrefix(msg, []byte("p=")):
		s.Mechanism = sasl.OAuthBearer
		c, err := sasl.ParseOAuthBearer(msg)
		s.Parsed = err == nil
		if err != nil {
			diagnoseOAuthBearer(r, msg)
		} else {
			s.User, s.Token = c.User, redact(c.Token)
			if c.User == "" {
				r.add("X-01", Error, "the GS2 header names no user (n,,)", "header "+strconv.Quote(gs2Header(msg)),
					"write the mailbox in the header: n,a=alice@example.com, (a ',' in it as =2C, '=' as =3D)")
			}
			r.add("F-17", Warning, "OAUTHBEARER: Gmail offers it, Exchange Online does not (504 5.7.4 Unrecognized authentication type at SMTP, NO at IMAP)",
				"mechanism OAUTHBEARER", "for Exchange Online use XOAUTH2: user=EMAIL\\x01auth=Bearer TOKEN\\x01\\x01")
			judgeInner(r, c.User, c.Token, opt)
		}
	default:
		r.add("GM-02", Error, "neither XOAUTH2 (user=…) nor OAUTHBEARER (n,a=…,)", "decoded "+strconv.Quote(cut(s.Decoded, 40)),
			"XOAUTH2 is base64(\"user=\" EMAIL \"\\x01auth=Bearer \" TOKEN \"\\x01\\x01\"); OAUTHBEARER is base64(\"n,a=\" EMAIL \",\\x01auth=Bearer \" TOKEN \"\\x01\\x01\")")
	}
	s.Answer = parsedAnswer
	if !s.Parsed {
		s.Answer = malformedAnswer
	}
	r.finish()
	return r, nil
}

// decodeSASLBase64 decodes the blob as the servers do (standard base64
// with padding), naming the near misses a server refuses.
func decodeSASLBase64(text string, r *Report) ([]byte, error) {
	if text == "" {
		return nil, &InputError{What: "SASL message", Problem: "it is empty"}
	}
	msg, err := base64.StdEncoding.Strict().DecodeString(text)
	if err == nil {
		return msg, nil
	}
	for _, alt := range []struct {
		enc   *base64.Encoding
		title string
	}{
		{base64.RawStdEncoding, "the base64 lacks its '=' padding"},
		{base64.URLEncoding, "base64url ('-' '_') where standard base64 ('+' '/') is needed"},
		{base64.RawURLEncoding, "base64url ('-' '_') without padding where standard base64 is needed"},
	} {
		if m, err := alt.enc.Strict().DecodeString(text); err == nil {
			r.add("GM-02", Error, alt.title, "message "+cut(text, 24)+"…",
				"encode with standard base64 (RFC 4648 section 4, with padding), one line")
			return m, nil
		}
	}
	if strings.HasPrefix(text, "user=") || strings.HasPrefix(text, "n,") {
		r.add("GM-02", Error, "the message is plain text, not base64", "message starts "+strconv.Quote(cut(text, 12)),
			"base64-encode the whole message (standard base64, with padding) before sending it")
		return []byte(text), nil
	}
	var ce base64.CorruptInputError
	if errors.As(err, &ce) && int(ce) < len(text) {
		return nil, &InputError{What: "SASL message", Where: fmt.Sprintf("character %d", int(ce)+1),
			Problem: fmt.Sprintf("%q is not standard base64 (A-Z a-z 0-9 + /, = padding)", text[ce])}
	}
	return nil, &InputError{What: "SASL message", Problem: "not base64: " + err.Error()}
}

// judgeInner compares user= with --user and judges the token inside.
func judgeInner(r *Report, user, token string, opt Options) {
	if opt.User != "" && user != "" && !strings.EqualFold(user, opt.User) {
		r.add("F-03", Error, "user= is "+user+", the mailbox is "+opt.User,
			fmt.Sprintf("user= %q, --user %q", user, opt.User), "put the mailbox's address in user=")
	}
	inner := opt
	if inner.User == "" {
		inner.User = user
	}
	tr, err := CheckToken(token, inner)
	if err != nil {
		r.note("the token inside does not decode as a JWT (%v): not judged", err)
		return
	}
	r.Token = tr.Token
	r.Findings = append(r.Findings, tr.Findings...)
	r.Notes = append(r.Notes, tr.Notes...)
}

// shown is the decoded message with the token shortened and control
// bytes escaped, safe to print.
func shown(msg []byte) string {
	s := string(msg)
	i, n := indexFold(s, "auth="), len("auth=")
	if i < 0 {
		i, n = indexFold(s, "bearer"), len("bearer")
	}
	if i >= 0 {
		start := i + n
		end := len(s) - start
		for _, sep := range append([]string{"\x01"}, typedSeparators...) {
			if j := strings.Index(s[start:], sep); j >= 0 && j < end {
				end = j
			}
		}
		s = s[:start] + redactAuth(s[start:start+end]) + s[start+end:]
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// indexFold is the index of the first match of sub in s, ignoring
// ASCII case, or -1.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// isMechanism reports whether w names a mechanism this check reads.
func isMechanism(w string) bool {
	return strings.EqualFold(w, sasl.XOAUTH2) || strings.EqualFold(w, sasl.OAuthBearer)
}

// cut shortens s to at most n bytes, at a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// gs2Header is the OAUTHBEARER message up to its first \x01.
func gs2Header(msg []byte) string {
	h, _, _ := bytes.Cut(msg, []byte{0x01})
	return string(h)
}
