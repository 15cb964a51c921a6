package authserver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite/token/jwt"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// signer holds the RS256 key of the server's ID tokens. It is made on first
// use: most worlds never issue an ID token, and an RSA key costs tens of
// milliseconds.
type signer struct {
	once sync.Once
	key  *rsa.PrivateKey
	kid  string
	err  error
}

func (s *signer) get() (*rsa.PrivateKey, string, error) {
	s.once.Do(func() {
		s.key, s.err = rsa.GenerateKey(rand.Reader, 2048)
		if s.err == nil {
			sum := sha256.Sum256(s.key.PublicKey.N.Bytes())
			s.kid = base64.RawURLEncoding.EncodeToString(sum[:8])
		}
	})
	return s.key, s.kid, s.err
}

// privateKey is fosite's key getter for signing ID tokens.
func (s *Server) privateKey(context.Context) (any, error) {
	key, _, err := s.signer.get()
	return key, err
}

// SetIssuer sets the "iss" of ID tokens: the server's base URL, known once
// it listens. Call it before the server takes requests.
func (s *Server) SetIssuer(issuer string) { s.config.IDTokenIssuer = issuer }

// Issuer returns the "iss" of ID tokens.
func (s *Server) Issuer() string { return s.config.IDTokenIssuer }

// openIDClaims prepares the ID token of a grant that includes openid: the
// provider's subject and claims, the time the user authenticated, and the
// signing key's id.
func (s *Server) openIDClaims(sess *Session, acct world.Account, scopes []string, nonce string) error {
	if !slices.Contains(scopes, "openid") {
		return nil
	}
	_, kid, err := s.signer.get()
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	subject := acct.Email
	if s.profile.Subject != nil {
		subject = s.profile.Subject(acct.Email)
	}
	claims := &jwt.IDTokenClaims{Subject: subject, AuthTime: now, RequestedAt: now, Nonce: nonce, Extra: map[string]any{}}
	if s.profile.IDTokenClaims != nil {
		claims.Extra = s.profile.IDTokenClaims(acct, scopes)
	}
	sess.Claims = claims
	sess.Headers = &jwt.Headers{Extra: map[string]any{"kid": kid}}
	return nil
}

// JWKS is the JSON Web Key Set of the ID tokens' signing key (the
// discovery document's jwks_uri).
func (s *Server) JWKS(w http.ResponseWriter, _ *http.Request) {
	key, kid, err := s.signer.get()
	if err != nil {
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}}}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_ = json.NewEncoder(w).Encode(set)
}
