package sasl

import (
	"bytes"
	"strings"

	gosasl "github.com/emersion/go-sasl"
)

// ParseXOAUTH2 parses an XOAUTH2 initial client response (GM-02):
//
//	"user=" user "\x01auth=Bearer " token "\x01\x01"
//
// The scheme name is matched without regard to case, as HTTP does.
func ParseXOAUTH2(b []byte) (Credentials, error) {
	rest, ok := bytes.CutSuffix(b, []byte("\x01\x01"))
	if !ok {
		return Credentials{}, ErrMalformed
	}
	fields := bytes.Split(rest, []byte{0x01})
	if len(fields) != 2 {
		return Credentials{}, ErrMalformed
	}
	user, ok := bytes.CutPrefix(fields[0], []byte("user="))
	if !ok || len(user) == 0 {
		return Credentials{}, ErrMalformed
	}
	auth, ok := bytes.CutPrefix(fields[1], []byte("auth="))
	if !ok || len(auth) < len("Bearer ") || !strings.EqualFold(string(auth[:len("Bearer ")]), "Bearer ") {
		return Credentials{}, ErrMalformed
	}
	token := auth[len("Bearer "):]
	if len(token) == 0 || bytes.ContainsAny(token, " \x00") {
		return Credentials{}, ErrMalformed
	}
	return Credentials{User: string(user), Token: string(token)}, nil
}

// EncodeXOAUTH2 returns the XOAUTH2 initial client response for user and
// token (GM-02), before base64.
func EncodeXOAUTH2(user, token string) []byte {
	return []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}

// xoauth2Client is the client side of XOAUTH2: it sends the initial
// response and answers an error challenge with an empty response, as
// Google's description says, keeping the challenge for the caller.
type xoauth2Client struct {
	user, token string
	challenge   *[]byte
}

// NewXOAUTH2Client returns a go-sasl Client for XOAUTH2. If challenge is not
// nil, the server's error challenge (JSON) is stored there.
func NewXOAUTH2Client(user, token string, challenge *[]byte) gosasl.Client {
	return &xoauth2Client{user: user, token: token, challenge: challenge}
}

// Start implements gosasl.Client.
func (c *xoauth2Client) Start() (string, []byte, error) {
	return XOAUTH2, EncodeXOAUTH2(c.user, c.token), nil
}

// Next implements gosasl.Client.
func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.challenge != nil {
		*c.challenge = append([]byte(nil), challenge...)
	}
	return []byte{}, nil
}

// oauthBearerClient is go-sasl's OAUTHBEARER client that, instead of
// aborting on the server's error challenge, acknowledges it with %x01 as
// RFC 7628 §3.2.3 allows, so the server's final failure reply is seen.
type oauthBearerClient struct {
	gosasl.Client
	challenge *[]byte
}

// NewOAuthBearerClient returns go-sasl's OAUTHBEARER client for user and
// token, acknowledging an error challenge with %x01; if challenge is not
// nil, the challenge (JSON) is stored there.
func NewOAuthBearerClient(user, token, host string, port int, challenge *[]byte) gosasl.Client {
	return &oauthBearerClient{
		Client:    gosasl.NewOAuthBearerClient(&gosasl.OAuthBearerOptions{Username: user, Token: token, Host: host, Port: port}),
		challenge: challenge,
	}
}

// Next implements gosasl.Client.
func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	if c.challenge != nil {
		*c.challenge = append([]byte(nil), challenge...)
	}
	return []byte{0x01}, nil
}
