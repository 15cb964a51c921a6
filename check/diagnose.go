package check

import (
	"strconv"
	"strings"
)

// typedSeparators are what people type for the byte 0x01 (Ctrl-A) when
// they build a SASL message by hand from the documentation's "^A".
var typedSeparators = []string{"^A", `\x01`, `\001`, `\u0001`, "%01", "\\1"}

// xoauth2Fix is the shape GM-02 gives.
const xoauth2Fix = "XOAUTH2 is base64(\"user=\" EMAIL \"\\x01auth=Bearer \" TOKEN \"\\x01\\x01\"): the byte 0x01 (Ctrl-A) between the two and twice at the end, one space after Bearer"

// diagnoseXOAUTH2 names where an XOAUTH2 message that ParseXOAUTH2
// refused breaks (GM-02).
func diagnoseXOAUTH2(r *Report, msg []byte) {
	s := string(msg)
	bad := func(title, evidence string) { r.add("GM-02", Error, title, evidence, xoauth2Fix) }
	if sep := typedSeparator(s); sep != "" {
		bad("the separator is typed as the characters "+strconv.Quote(sep)+", not the byte 0x01 (Ctrl-A)",
			"decoded "+strconv.Quote(cut(shown(msg), 60))+" holds "+strconv.Quote(sep)+" and no 0x01 byte where the fields meet")
		return
	}
	if strings.ContainsAny(s, "\r\n") {
		bad("a line break inside the message", "decoded "+strconv.Quote(cut(shown(msg), 60)))
		return
	}
	if !strings.Contains(s, "\x01") {
		bad("no 0x01 separator at all", "decoded "+strconv.Quote(cut(shown(msg), 60)))
		return
	}
	rest, ok := strings.CutSuffix(s, "\x01\x01")
	if !ok {
		n := len(s) - len(strings.TrimRight(s, "\x01"))
		bad("the message ends with "+strconv.Itoa(n)+" 0x01 byte(s); it must end with two", "decoded ends "+strconv.Quote(tail(shown(msg), 16)))
		return
	}
	fields := strings.Split(rest, "\x01")
	if len(fields) != 2 {
		bad(strconv.Itoa(len(fields))+" fields between the separators; XOAUTH2 has two (user=, auth=)", "decoded "+strconv.Quote(cut(shown(msg), 60)))
		return
	}
	if fields[0] == "user=" {
		bad("user= is empty", "the first field is \"user=\"")
		return
	}
	auth := fields[1]
	key, value, hasEq := strings.Cut(auth, "=")
	if !hasEq || key != "auth" {
		bad("the second field is not auth=: it starts "+strconv.Quote(cut(key, 10)), "second field "+strconv.Quote(cut(redactAuth(auth), 20)))
		return
	}
	diagnoseBearer(r, value)
}

// diagnoseBearer names what is wrong with an auth= value that is not
// "Bearer TOKEN" (one space, a token without spaces).
func diagnoseBearer(r *Report, value string) {
	bad := func(title string) {
		r.add("GM-02", Error, title, "auth="+strconv.Quote(redactAuth(value)), xoauth2Fix)
	}
	scheme, token, hasSpace := strings.Cut(value, " ")
	switch {
	case strings.HasPrefix(value, " "):
		bad("a space between auth= and Bearer")
	case len(value) > 6 && strings.EqualFold(value[:6], "Bearer") && !hasSpace:
		bad("no space after Bearer (" + strconv.Quote(cut(value, 7)) + "…)")
	case !strings.EqualFold(scheme, "Bearer"):
		bad("the scheme is " + strconv.Quote(cut(scheme, 12)) + ", not Bearer")
	case token == "":
		bad("no token after \"Bearer \"")
	case strings.HasPrefix(token, " "):
		bad("two spaces after Bearer")
	case strings.ContainsAny(token, " \x00"):
		bad("the token holds a space or a NUL byte (a line wrapped, or two tokens pasted)")
	default:
		bad("the auth= value does not parse")
	}
}

// diagnoseOAuthBearer names where an OAUTHBEARER message that
// ParseOAuthBearer refused breaks: the GS2 header (n,a=USER,), the 0x01
// separators, the auth= value (RFC 7628, X-01).
func diagnoseOAuthBearer(r *Report, msg []byte) {
	const fix = "OAUTHBEARER is base64(\"n,a=\" EMAIL \",\\x01auth=Bearer \" TOKEN \"\\x01\\x01\") (RFC 7628); host= and port= may follow auth=, each ended by 0x01"
	s := string(msg)
	bad := func(title, evidence string) { r.add("X-01", Error, title, evidence, fix) }
	if sep := typedSeparator(s); sep != "" {
		bad("the separator is typed as the characters "+strconv.Quote(sep)+", not the byte 0x01 (Ctrl-A)",
			"decoded "+strconv.Quote(cut(shown(msg), 60)))
		return
	}
	header, kvs, ok := strings.Cut(s, "\x01")
	if !ok {
		bad("no 0x01 after the GS2 header", "decoded "+strconv.Quote(cut(shown(msg), 60)))
		return
	}
	parts := strings.Split(header, ",")
	switch {
	case parts[0] == "p" || strings.HasPrefix(parts[0], "p="):
		bad("the GS2 header asks for channel binding (p=…), which the mail servers do not offer", "header "+strconv.Quote(header))
		return
	case len(parts) == 2:
		bad("the GS2 header lacks its final comma (n,a=USER,)", "header "+strconv.Quote(header))
		return
	case len(parts) != 3 || parts[2] != "":
		bad("the GS2 header has "+strconv.Itoa(len(parts))+" comma-separated parts; it is n,a=USER, (a ',' in USER written =2C)", "header "+strconv.Quote(header))
		return
	case parts[0] != "n" && parts[0] != "y":
		bad("the GS2 header starts "+strconv.Quote(parts[0])+", not n", "header "+strconv.Quote(header))
		return
	case parts[1] != "" && !strings.HasPrefix(parts[1], "a="):
		bad("the user in the GS2 header lacks a= ("+strconv.Quote(cut(parts[1], 20))+")", "header "+strconv.Quote(header))
		return
	}
	rest, ok := strings.CutSuffix(kvs, "\x01\x01")
	if !ok {
		bad("the message does not end with two 0x01 bytes", "decoded ends "+strconv.Quote(tail(shown(msg), 16)))
		return
	}
	for _, kv := range strings.Split(rest, "\x01") {
		key, value, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			bad("a field without key=value: "+strconv.Quote(cut(redactAuth(kv), 20)), "decoded "+strconv.Quote(cut(shown(msg), 60)))
			return
		}
		if key == "auth" {
			before := len(r.Findings)
			diagnoseBearer(r, value)
			for i := before; i < len(r.Findings); i++ {
				r.Findings[i].ID, r.Findings[i].Fix = "X-01", fix
			}
			return
		}
	}
	bad("no auth= field", "decoded "+strconv.Quote(cut(shown(msg), 60)))
}

// typedSeparator is the hand-typed stand-in for 0x01 that s holds, when
// s holds one and no 0x01 byte.
func typedSeparator(s string) string {
	if strings.Contains(s, "\x01") {
		return ""
	}
	for _, t := range typedSeparators {
		if strings.Contains(s, t) {
			return t
		}
	}
	return ""
}

// redactAuth shortens the token in an auth= value ("Bearer eyJ0eX…").
func redactAuth(v string) string {
	if scheme, tok, ok := strings.Cut(v, " "); ok {
		return scheme + " " + redact(tok)
	}
	return redact(v)
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
