package client

import (
	"net/url"
	"regexp"
	"strings"
)

// secretParams are query parameters whose values never go into a report.
var secretParams = []string{"token", "access_token", "refresh_token", "client_secret", "code", "password", "device_code"}

// redactQuery shortens secret values of a query string to their first
// characters, so reports and logs never carry a usable token.
func redactQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return ""
	}
	for _, p := range secretParams {
		if v := q.Get(p); v != "" {
			q.Set(p, Redact(v))
		}
	}
	return q.Encode()
}

// Redact keeps the first six characters of a secret, enough to recognise
// its shape ("ya29.a", "1//0ab") and never enough to use it.
func Redact(secret string) string {
	if len(secret) <= 6 {
		return strings.Repeat("*", len(secret))
	}
	return secret[:6] + "…"
}

// secretJSON matches the string value of a JSON key that holds a secret.
var secretJSON = regexp.MustCompile(`("(?:access_token|refresh_token|id_token|device_code|client_secret)"\s*:\s*")([^"]*)"`)

// redactJSON shortens the secret values of a JSON body (Redact).
func redactJSON(body []byte) []byte {
	return secretJSON.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := secretJSON.FindSubmatch(m)
		return []byte(string(sub[1]) + Redact(string(sub[2])) + `"`)
	})
}
