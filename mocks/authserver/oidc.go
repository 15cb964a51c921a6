package authserver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite/token/jwt"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// keyring holds the RS256 signing key of each realm (ID tokens, JWT access
// tokens), each taken on first use: most worlds never sign anything. The
// first realms take the embedded test keys (testkeys/), as httptest's
// certificate is embedded, since an RSA key costs tens of milliseconds to
// generate; with fresh set, or past them, a realm's key is generated.
type keyring struct {
	shared bool // one key for every realm (Profile.SharedKeys)
	fresh  bool // generate every key (FreshKeys)
	mu     sync.Mutex
	keys   map[string]*signingKey
}

type signingKey struct {
	key *rsa.PrivateKey
	kid string
}

// testSigningKeys are the embedded, public test keys.
//
//go:embed testkeys/*.pem
var testSigningKeys embed.FS

// testKey is the i-th embedded test key, if there is one.
var testKey = sync.OnceValue(func() []*rsa.PrivateKey {
	names, _ := fs.Glob(testSigningKeys, "testkeys/*.pem")
	var keys []*rsa.PrivateKey
	for _, name := range names {
		b, _ := testSigningKeys.ReadFile(name)
		block, _ := pem.Decode(b)
		if block == nil {
			panic("authserver: embedded test key " + name + " is not PEM")
		}
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			panic("authserver: embedded test key " + name + ": " + err.Error())
		}
		keys = append(keys, k)
	}
	return keys
})

func (k *keyring) get(realm string) (*rsa.PrivateKey, string, error) {
	if k.shared {
		realm = ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if sk := k.keys[realm]; sk != nil {
		return sk.key, sk.kid, nil
	}
	var key *rsa.PrivateKey
	if embedded := testKey(); !k.fresh && len(k.keys) < len(embedded) {
		key = embedded[len(k.keys)]
	} else {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, "", err
		}
	}
	sum := sha256.Sum256(key.PublicKey.N.Bytes())
	sk := &signingKey{key: key, kid: base64.RawURLEncoding.EncodeToString(sum[:8])}
	if k.keys == nil {
		k.keys = map[string]*signingKey{}
	}
	k.keys[realm] = sk
	return sk.key, sk.kid, nil
}

// FreshKeys makes the server generate its signing keys instead of taking
// the embedded test keys. Call it before the server takes requests.
func (s *Server) FreshKeys() {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	s.keys.fresh = true
}

// privateKey is fosite's key getter for signing ID tokens: the key of the
// request's realm.
func (s *Server) privateKey(ctx context.Context) (any, error) {
	key, _, err := s.keys.get(RealmOf(ctx))
	return key, err
}

// SetBaseURL sets the URL the server is reached at, known once it listens;
// issuers are derived from it. Call it before the server takes requests.
func (s *Server) SetBaseURL(url string) { s.baseURL = url }

// BaseURL returns the URL the server is reached at.
func (s *Server) BaseURL() string { return s.baseURL }

// Issuer returns the issuer of realm: the "iss" of its ID tokens and JWT
// access tokens.
func (s *Server) Issuer(realm string) string {
	if s.profile.Issuer != nil {
		return s.profile.Issuer(s.baseURL, realm)
	}
	return s.baseURL
}

// openIDClaims prepares the ID token of a grant that includes openid: the
// issuer of the user's realm (the user's tenant, even when the request
// named none), the provider's subject and claims, the time the user
// authenticated, and the signing key's id.
func (s *Server) openIDClaims(c Call, sess *Session, acct world.Account, scopes []string, nonce string) error {
	if !slices.Contains(scopes, "openid") {
		return nil
	}
	_, kid, err := s.keys.get(c.Realm)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	subject := acct.Email
	if s.profile.Subject != nil {
		subject = s.profile.Subject(c, acct)
	}
	issuer := s.Issuer(c.Realm)
	if acct.Realm.Tenant != "" {
		issuer = s.Issuer(acct.Realm.Tenant)
	}
	claims := &jwt.IDTokenClaims{Issuer: issuer, Subject: subject, AuthTime: now, RequestedAt: now,
		Nonce: nonce, Extra: map[string]any{}}
	if s.profile.IDTokenClaims != nil {
		claims.Extra = s.profile.IDTokenClaims(c, acct, scopes)
	}
	sess.Claims = claims
	sess.Headers = &jwt.Headers{Extra: map[string]any{"kid": kid}}
	return nil
}

// idTokenSigner signs ID tokens as Google and Microsoft issue them: a
// single audience is a string, not fosite's one-element array (OpenID
// Connect Core §2 allows both; MSAL libraries read only the string), and
// there is no "rat", a claim neither provider sends.
type idTokenSigner struct{ *jwt.DefaultSigner }

// Generate implements jwt.Signer.
func (s idTokenSigner) Generate(ctx context.Context, claims jwt.MapClaims, header jwt.Mapper) (string, string, error) {
	if aud, ok := claims["aud"].([]string); ok && len(aud) == 1 {
		claims["aud"] = aud[0]
	}
	delete(claims, "rat")
	return s.DefaultSigner.Generate(ctx, claims, header)
}

// JWKS is the JSON Web Key Set of the request's realm (the discovery
// document's jwks_uri).
func (s *Server) JWKS(w http.ResponseWriter, r *http.Request) {
	key, kid, err := s.keys.get(RealmOf(r.Context()))
	if err != nil {
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}}}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_ = json.NewEncoder(w).Encode(set)
}
