package authserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// What the world saw of an application (world.Event.Seen): the parameters
// of its requests it is judged on, never a token, a code, a secret nor a
// state's value. The keys are a contract: steps read them by name.

// authorizeKeys are the parameters of an authorization request kept in
// its events' Seen as they were sent, when present; state is said "sent"
// or "absent".
var authorizeKeys = []string{"redirect_uri", "scope", "response_type", "access_type", "prompt",
	"code_challenge_method", "login_hint"}

// AuthorizeSeen is what the authorization request of form carried: the
// Seen of its events, for a provider that refuses one itself.
func AuthorizeSeen(form url.Values) map[string]string {
	seen := map[string]string{"state": sentOrAbsent(form.Get("state") != "")}
	for _, k := range authorizeKeys {
		if v, ok := form[k]; ok && len(v) > 0 {
			seen[k] = bounded(v[0])
		}
	}
	return seen
}

// txSeen is what the authorization request of tx carried, as it was
// received (before IgnorePKCE dropped anything), or r's when there is no
// transaction.
func txSeen(tx *Transaction, r *http.Request) map[string]string {
	if tx != nil && tx.seen != nil {
		return tx.seen
	}
	return AuthorizeSeen(r.Form)
}

func sentOrAbsent(sent bool) string {
	if sent {
		return "sent"
	}
	return "absent"
}

// bounded is a copy of s cut to world.MaxEventField bytes on a rune
// boundary: what a held transaction may keep of a request's value.
func bounded(s string) string {
	if len(s) > world.MaxEventField {
		i := world.MaxEventField
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return strings.Clone(s)
}

// noted is what a token-endpoint request was seen to carry (noteToken,
// noteDevice), on its context.
type noted struct {
	mechanism string
	seen      map[string]string
}

type notedKey struct{}

// notedOf is what r was noted to carry; zero if nothing was.
func notedOf(r *http.Request) noted {
	n, _ := r.Context().Value(notedKey{}).(noted)
	return n
}

// noteToken returns r carrying what its token request was seen to carry,
// read once it is parsed and before anything of it is dropped: the grant
// type (its alias resolved), how the client authenticated, the scope and
// redirect URI, whether a code verifier was sent, the generation of the
// refresh token presented, and for a device-code poll the real time
// since the previous poll of the same code and the interval announced.
func (s *Server) noteToken(r *http.Request) *http.Request {
	form := r.PostForm
	grant := form.Get("grant_type")
	if alias, ok := s.profile.GrantAliases[grant]; ok {
		grant = alias
	}
	seen := map[string]string{"client_auth": presented(r, form).method,
		"code_verifier": sentOrAbsent(form.Get("code_verifier") != "")}
	for _, k := range []string{"scope", "redirect_uri"} {
		if v, ok := form[k]; ok && len(v) > 0 {
			seen[k] = bounded(v[0])
		}
	}
	switch grant {
	case "refresh_token":
		if g, ok := s.store.generation(s.strategy.RefreshTokenSignature(r.Context(), form.Get("refresh_token"))); ok {
			seen["refresh_generation"] = strconv.Itoa(g)
		}
	case DeviceGrantType:
		if since, found, first := s.store.polled(form.Get("device_code"), time.Now()); found {
			if !first {
				seen["since_previous_poll_ms"] = strconv.FormatInt(since.Milliseconds(), 10)
			}
			if s.profile.Device != nil {
				seen["interval"] = strconv.FormatInt(int64(s.profile.Device.Interval/time.Second), 10)
			}
		}
	}
	return r.WithContext(context.WithValue(r.Context(), notedKey{}, noted{mechanism: grant, seen: seen}))
}

// noteDevice returns r carrying what its device authorization request
// carried: the scope and the client.
func noteDevice(r *http.Request) *http.Request {
	seen := map[string]string{}
	if v, ok := r.PostForm["scope"]; ok && len(v) > 0 {
		seen["scope"] = bounded(v[0])
	}
	if id := presented(r, r.PostForm).id; id != "" {
		seen["client"] = bounded(id)
	}
	return r.WithContext(context.WithValue(r.Context(), notedKey{}, noted{mechanism: "device_authorization", seen: seen}))
}

// generation is the generation of the refresh token sig: 1 for the one
// issued with the code or device grant, 2 for the one the first refresh
// returned, and so on; false if the token is unknown.
func (s *store) generation(sig string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.tokens[keyOf(sig)]
	if sig == "" || !ok {
		return 0, false
	}
	rec := s.recs.get(e.ref)
	if rec == nil || rec.session == nil {
		return 0, false
	}
	return rec.session.Refreshes + 1, true
}

// polled notes a poll of deviceCode at now (real time: applications poll
// in real time) and returns the time since the previous one (first: there
// was none); found is false for an unknown code.
func (s *store) polled(deviceCode string, now time.Time) (since time.Duration, found, first bool) {
	if deviceCode == "" {
		return 0, false, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.devices[deviceKey(deviceCode)]
	if g == nil {
		return 0, false, false
	}
	prev := g.polled
	g.polled = now
	if prev.IsZero() {
		return 0, true, true
	}
	return now.Sub(prev), true, false
}

// authorizeDetail is failureDetail of an authorization request's
// refusal, with the client its client_id names when the request got no
// transaction (a redirect URI refused).
func (s *Server) authorizeDetail(c Call, r *http.Request, f Failure) string {
	if c.Client.ID == "" {
		if reg, nf := s.findClient(c, r.Form.Get("client_id")); nf == nil {
			c.Client = reg
		}
	}
	return s.failureDetail(c, f)
}

// failureDetail says, for the audit log, what was expected and what was
// found in a refusal f of c's request: bounded by the log, never a
// secret (a Failure carries none).
func (s *Server) failureDetail(c Call, f Failure) string {
	switch f.Kind {
	case RedirectMismatch:
		return fmt.Sprintf("redirect_uri %q is not registered for client %s (registered: %s)", f.Detail, c.Client.ID,
			strings.Join(c.Client.RedirectURIs, " "))
	case RefreshExpired:
		if !f.Issued.IsZero() {
			return fmt.Sprintf("refresh token issued at %s has expired (world time now %s)",
				f.Issued.Format(time.RFC3339), c.Now.Format(time.RFC3339))
		}
	case SecretExpired:
		return "the secret presented for client " + f.Detail + " has expired (world time now " + c.Now.Format(time.RFC3339) + ")"
	case WrongSecret:
		return "the secret presented matches none of client " + f.Detail + "'s"
	case AuthMethodRefused:
		return "client authenticated with " + f.Detail + "; registered methods: " + strings.Join(s.authMethods(c.Client), " ")
	}
	switch {
	case f.Description != "" && f.Detail != "":
		return f.Detail + ": " + f.Description
	case f.Description != "":
		return f.Description
	}
	return f.Detail
}

// inactive is what the server knows of an access token that is not
// active (reason): whose it was, the client its grant belongs to and its
// expiry in world time, from sess, the session the look-up filled, and
// the token's stored record.
func (s *Server) inactive(ctx context.Context, token string, reason TokenReason, sess *Session) TokenInfo {
	info := TokenInfo{Reason: reason, User: sess.User}
	if exp := sess.GetExpiresAt(fosite.AccessToken); !exp.IsZero() {
		info.Expiry = exp.Add(s.world.Clock.Offset())
	}
	info.Client = s.store.accessClient(s.strategy.AccessTokenSignature(ctx, token))
	return info
}

// accessClient is the client the access token sig was issued to, or "".
func (s *store) accessClient(sig string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.access[keyOf(sig)]
	if sig == "" || !ok {
		return ""
	}
	if rec := s.recs.get(e.ref); rec != nil && rec.client != nil {
		return rec.client.id
	}
	return ""
}
