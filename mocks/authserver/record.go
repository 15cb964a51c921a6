package authserver

import (
	"context"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/ory/fosite"
)

// record is what the store keeps of the request a code or token was
// issued for: the grant's id, client, scopes and audiences, the few
// parameters read back later, and the session without the entry's own
// expiry (each entry has its own). A code's record keeps the expiries set
// ahead for the tokens it will be exchanged for (a refresh token's
// lifetime is the grant's, decided at the authorization); a token's keeps
// none. A record never changes once stored, so the entries
// of one grant share it: the code, once exchanged, and every access and
// refresh token issued from it, until a refresh changes the scopes or the
// session.
type record struct {
	id                 string
	client             *storedClient
	requested, granted fosite.Arguments
	audiences          *audiences // nil: none, as in most grants
	form               []string   // kept parameters: name, value, name, value...
	session            *Session
}

// audiences are the audiences a grant's request asked for and was
// granted.
type audiences struct{ requested, granted fosite.Arguments }

// keptForm are the parameters of a request that are read back from a
// stored one (by fosite: the redirect URI, PKCE, OpenID Connect's; by the
// token endpoint: the redirect URI and PKCE); nothing else of a request is
// stored, whatever a client sends.
var keptForm = []string{"redirect_uri", "code_challenge", "code_challenge_method", "nonce", "max_age", "prompt",
	"acr_values", "id_token_hint"}

// newRecord is what the store keeps of r. Clients and scope lists are
// interned: thousands of grants of one client share one copy. fosite
// stores tokens with none of their request's parameters (Sanitize); such a
// record takes the parameters of its family's, the authorization's.
func (s *store) newRecord(r fosite.Requester, kind fosite.TokenType, family *record) *record {
	rec := &record{id: r.GetID(), client: s.intern.client(r.GetClient()),
		requested: s.intern.args(r.GetRequestedScopes()), granted: s.intern.args(r.GetGrantedScopes()),
		form: s.intern.form(keptOf(r.GetRequestForm()))}
	if len(r.GetRequestedAudience())+len(r.GetGrantedAudience()) > 0 {
		rec.audiences = &audiences{s.intern.args(r.GetRequestedAudience()), s.intern.args(r.GetGrantedAudience())}
	}
	if rec.form == nil && family != nil {
		rec.form = family.form
	}
	if sess, ok := r.GetSession().(*Session); ok {
		c := sess.Clone().(*Session)
		if kind == fosite.AccessToken || kind == fosite.RefreshToken {
			c.expires = nil
		} else {
			c.forgetExpiry(kind)
		}
		rec.session = c
	}
	return rec
}

// keptOf is the kept parameters of form (copies: a form's values share
// the memory of the whole request body), or nil.
func keptOf(form url.Values) []string {
	var kept []string
	for _, k := range keptForm {
		if v := form.Get(k); v != "" {
			kept = append(kept, k, strings.Clone(v))
		}
	}
	return slices.Clip(kept)
}

// same reports whether rec already says what newRecord(r, kind, rec)
// would, so that an entry for r can share it: only tokens share records.
// Grants with ID token claims are never shared (their claims are per
// token).
func (rec *record) same(r fosite.Requester, kind fosite.TokenType) bool {
	sess, ok := r.GetSession().(*Session)
	if rec == nil || !ok || rec.session == nil || sess.Claims != nil || rec.session.Claims != nil ||
		(kind != fosite.AccessToken && kind != fosite.RefreshToken) || len(rec.session.expires) > 0 {
		return false
	}
	a, b := *rec.session, *sess
	if a.User != b.User || a.Offline != b.Offline || a.Slide != b.Slide || a.FixedRefresh != b.FixedRefresh || a.Refreshes != b.Refreshes ||
		!sameMap(a.Access, b.Access) {
		return false
	}
	if rec.id != r.GetID() || rec.client == nil || r.GetClient() == nil || rec.client.id != r.GetClient().GetID() ||
		rec.client.public != r.GetClient().IsPublic() ||
		!slices.Equal(rec.requested, r.GetRequestedScopes()) || !slices.Equal(rec.granted, r.GetGrantedScopes()) ||
		!slices.Equal(rec.audience().requested, r.GetRequestedAudience()) ||
		!slices.Equal(rec.audience().granted, r.GetGrantedAudience()) {
		return false
	}
	kept := keptOf(r.GetRequestForm())
	return kept == nil || slices.Equal(kept, rec.form)
}

// sameMap reports whether two claim maps are one map (claims are never
// changed once granted: Session.Access), or both empty.
func sameMap(a, b map[string]any) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// audience is rec's audiences, empty if none.
func (rec *record) audience() audiences {
	if rec.audiences == nil {
		return audiences{}
	}
	return *rec.audiences
}

// formValue is the kept parameter k of rec, or "".
func (rec *record) formValue(k string) string {
	for i := 0; i+1 < len(rec.form); i += 2 {
		if rec.form[i] == k {
			return rec.form[i+1]
		}
	}
	return ""
}

// request rebuilds, for fosite, the request of an entry of kind in real
// time (d is the world's offset): its own session with the entry's expiry,
// slices that cannot grow into the record's, and the client's
// registration as the world has it now (fosite reads its grant types and
// whether it is public), or the stored id and kind if the client is gone.
func (s *store) request(ctx context.Context, e *entry, kind fosite.TokenType) *fosite.Request {
	rec := s.recs.get(e.ref)
	d := -s.world.Clock.Offset()
	r := &fosite.Request{ID: rec.id, RequestedAt: e.at.time().Add(d), RequestedScope: slices.Clip(slices.Clone(rec.requested)),
		GrantedScope: slices.Clip(slices.Clone(rec.granted)), RequestedAudience: slices.Clip(slices.Clone(rec.audience().requested)),
		GrantedAudience: slices.Clip(slices.Clone(rec.audience().granted)), Form: url.Values{}}
	for i := 0; i+1 < len(rec.form); i += 2 {
		r.Form.Set(rec.form[i], rec.form[i+1])
	}
	if rec.client != nil {
		r.Client = rec.client
		if reg, err := s.clients(ctx, rec.client.id); err == nil {
			r.Client = reg
		}
	}
	sess := newSession("")
	if rec.session != nil {
		sess = rec.session.Clone().(*Session)
	}
	if e.expires != 0 {
		sess.SetExpiresAt(kind, e.expires.time().Add(d))
	}
	r.Session = sess
	return r
}

// interned holds one copy of each client and scope list the store's
// records name.
type interned struct {
	clients map[string]*storedClient
	lists   map[string]fosite.Arguments
}

func newInterned() interned {
	return interned{clients: map[string]*storedClient{}, lists: map[string]fosite.Arguments{}}
}

// maxInterned bounds each table: past it (a client sending ever new
// scope strings), values are kept as they are, not shared.
const maxInterned = 4096

func (in interned) client(c fosite.Client) *storedClient {
	if c == nil {
		return nil
	}
	sc := in.clients[c.GetID()]
	if sc == nil || sc.public != c.IsPublic() {
		sc = &storedClient{id: strings.Clone(c.GetID()), public: c.IsPublic()}
		if len(in.clients) < maxInterned {
			in.clients[sc.id] = sc
		}
	}
	return sc
}

// form interns a kept form whose values are a client's, the same for
// every grant (a redirect URI, a prompt); one with a PKCE challenge or a
// nonce, new each time, is kept as it is.
func (in interned) form(kept []string) []string {
	for i := 0; i < len(kept); i += 2 {
		if k := kept[i]; k == "code_challenge" || k == "nonce" || k == "id_token_hint" {
			return kept
		}
	}
	return in.args(kept)
}

func (in interned) args(a fosite.Arguments) fosite.Arguments {
	if len(a) == 0 {
		return nil
	}
	k := strings.Join(a, "\x00")
	if l, ok := in.lists[k]; ok {
		return l
	}
	l := make(fosite.Arguments, len(a))
	for i, v := range a {
		l[i] = strings.Clone(v)
	}
	if len(in.lists) < maxInterned {
		in.lists[k] = l
	}
	return l
}

// storedClient is what a record keeps of its client: the id (fosite and
// the token endpoint compare it with the presenting client's) and whether
// it is public (fosite's PKCE check reads it). The rest of a registration
// is the world's, looked up when a request comes; a stored client stands
// in for a registration removed since.
type storedClient struct {
	id     string
	public bool
}

// GetID implements fosite.Client.
func (c *storedClient) GetID() string { return c.id }

// IsPublic implements fosite.Client.
func (c *storedClient) IsPublic() bool { return c.public }

// GetHashedSecret implements fosite.Client: a removed client has none.
func (c *storedClient) GetHashedSecret() []byte { return nil }

// GetRedirectURIs implements fosite.Client: a removed client has none.
func (c *storedClient) GetRedirectURIs() []string { return nil }

// GetGrantTypes implements fosite.Client: a removed client has none.
func (c *storedClient) GetGrantTypes() fosite.Arguments { return nil }

// GetResponseTypes implements fosite.Client: a removed client has none.
func (c *storedClient) GetResponseTypes() fosite.Arguments { return nil }

// GetScopes implements fosite.Client: a removed client has none.
func (c *storedClient) GetScopes() fosite.Arguments { return nil }

// GetAudience implements fosite.Client: a removed client has none.
func (c *storedClient) GetAudience() fosite.Arguments { return nil }
