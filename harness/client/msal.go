package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// MSAL is an application written with Microsoft's own library for Go
// (microsoft-authentication-library-for-go), the second real client of the
// Microsoft scenarios: a public client (device code, interactive
// authorization code, refresh through its cache) or a confidential one
// (client credentials, authorization code with a secret). It is pointed at
// the fake's authority with instance discovery off and an HTTP client that
// trusts the world's CA, and records its exchanges like App.
type MSAL struct {
	// Public is the public client application, or nil.
	Public *public.Client
	// Confidential is the confidential client application, or nil.
	Confidential *confidential.Client

	cache    *agingCache
	recorder *Recorder
}

// NewMSALPublic returns a public client application of clientID at
// authority ("https://HOST/{tenant}").
func NewMSALPublic(clientID, authority string, tlsConfig *tls.Config) (*MSAL, error) {
	m := newMSAL(tlsConfig)
	pc, err := public.New(clientID, public.WithAuthority(authority), public.WithHTTPClient(m.httpClient()),
		public.WithInstanceDiscovery(false), public.WithCache(m.cache))
	if err != nil {
		return nil, err
	}
	m.Public = &pc
	return m, nil
}

// NewMSALConfidential returns a confidential client application of
// clientID at authority, authenticating with secret.
func NewMSALConfidential(clientID, secret, authority string, tlsConfig *tls.Config) (*MSAL, error) {
	m := newMSAL(tlsConfig)
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		return nil, err
	}
	cc, err := confidential.New(authority, clientID, cred, confidential.WithHTTPClient(m.httpClient()),
		confidential.WithInstanceDiscovery(false), confidential.WithCache(m.cache))
	if err != nil {
		return nil, err
	}
	m.Confidential = &cc
	return m, nil
}

func newMSAL(tlsConfig *tls.Config) *MSAL {
	return &MSAL{cache: &agingCache{}, recorder: &Recorder{Base: newTransport(tlsConfig)}}
}

func (m *MSAL) httpClient() *http.Client { return &http.Client{Transport: m.recorder} }

// Last returns the application's last exchange with a server.
func (m *MSAL) Last() (Exchange, bool) { return m.recorder.Last() }

// Age makes every token in the application's cache d older: the world's
// clock moved by d, and MSAL reads the real one. An application that
// persists its cache (as msal-extensions do) sees the same when it starts
// again d later.
func (m *MSAL) Age(d time.Duration) { m.cache.age(d) }

// agingCache is MSAL's external cache (cache.ExportReplace): the
// serialized cache, whose timestamps can be moved back.
type agingCache struct {
	mu   sync.Mutex
	data []byte
}

// Replace implements cache.ExportReplace.
func (c *agingCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.data) == 0 {
		return nil
	}
	return u.Unmarshal(c.data)
}

// Export implements cache.ExportReplace.
func (c *agingCache) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data = data
	return nil
}

// agedFields are the access token timestamps of MSAL's cache format, in
// Unix seconds written as strings.
var agedFields = []string{"cached_at", "expires_on", "extended_expires_on", "refresh_on"}

func (c *agingCache) age(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var doc map[string]json.RawMessage
	if len(c.data) == 0 || json.Unmarshal(c.data, &doc) != nil {
		return
	}
	var tokens map[string]map[string]any
	if json.Unmarshal(doc["AccessToken"], &tokens) != nil {
		return
	}
	for _, tok := range tokens {
		for _, f := range agedFields {
			if v, ok := tok[f].(string); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					tok[f] = strconv.FormatInt(n-int64(d/time.Second), 10)
				}
			}
		}
	}
	raw, err := json.Marshal(tokens)
	if err != nil {
		return
	}
	doc["AccessToken"] = raw
	if data, err := json.Marshal(doc); err == nil {
		c.data = data
	}
}
