package sasl

import (
	"bytes"
	"strings"
)

// ParseOAuthBearer parses an OAUTHBEARER client response (RFC 7628 §3.1):
//
//	gs2-header kvsep *(key "=" value kvsep) kvsep
//	"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer <token>\x01\x01"
//
// auth is required; host and port are kept; unknown keys are ignored, as
// the RFC says. The user is the gs2 authzid (a=), with "=2C" and "=3D"
// decoded (RFC 5801).
func ParseOAuthBearer(b []byte) (Credentials, error) {
	header, kvs, ok := bytes.Cut(b, []byte{0x01})
	if !ok {
		return Credentials{}, ErrMalformed
	}
	// gs2-header = gs2-cbind-flag "," [ gs2-authzid ] ","
	parts := bytes.Split(header, []byte{','})
	if len(parts) != 3 || len(parts[2]) != 0 {
		return Credentials{}, ErrMalformed
	}
	switch string(parts[0]) {
	case "n", "y":
	default:
		return Credentials{}, ErrMalformed // channel binding is not supported
	}
	var c Credentials
	if len(parts[1]) > 0 {
		authzid, ok := bytes.CutPrefix(parts[1], []byte("a="))
		if !ok {
			return Credentials{}, ErrMalformed
		}
		c.User = strings.NewReplacer("=2C", ",", "=3D", "=").Replace(string(authzid))
	}
	rest, ok := bytes.CutSuffix(kvs, []byte{0x01, 0x01})
	if !ok {
		return Credentials{}, ErrMalformed
	}
	auth := false
	for _, kv := range bytes.Split(rest, []byte{0x01}) {
		key, value, ok := bytes.Cut(kv, []byte{'='})
		if !ok || len(key) == 0 {
			return Credentials{}, ErrMalformed
		}
		switch string(key) {
		case "auth":
			scheme, token, ok := strings.Cut(string(value), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				return Credentials{}, ErrMalformed
			}
			c.Token, auth = token, true
		case "host":
			c.Host = string(value)
		case "port":
			c.Port = string(value)
		}
	}
	if !auth {
		return Credentials{}, ErrMalformed
	}
	return c, nil
}
