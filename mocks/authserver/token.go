package authserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// Token is the token endpoint (RFC 6749 §3.2): code exchange, refresh,
// client credentials and device-code polling, answered in the provider's
// shape.
func (s *Server) Token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.tokenFailure(w, r, Failure{Kind: InvalidRequest, Description: "The request body could not be parsed."})
		return
	}
	r = s.noteToken(r)
	if f := s.Fault(r); f != nil {
		s.tokenFailure(w, r, *f)
		return
	}
	if s.profile.IgnorePKCE {
		r.PostForm.Del("code_verifier")
		r.Form.Del("code_verifier")
	}
	if s.profile.ClientFirst {
		if _, f := s.checkClient(s.call(r, world.Client{}), presented(r, r.PostForm), true); f != nil {
			s.tokenFailure(w, r, *f)
			return
		}
	}
	grantType := r.PostForm.Get("grant_type")
	if alias, ok := s.profile.GrantAliases[grantType]; ok {
		grantType = alias
		r.PostForm.Set("grant_type", alias)
		r.Form.Set("grant_type", alias)
	}
	if grantType == "" {
		s.tokenFailure(w, r, Failure{Kind: InvalidRequest, Detail: "grant_type", Description: "Missing required parameter: grant_type"})
		return
	}
	for _, name := range s.profile.RequiredParams[grantType] {
		if r.PostForm.Get(name) == "" {
			s.tokenFailure(w, r, Failure{Kind: InvalidRequest, Detail: name, Description: "Missing required parameter: " + name})
			return
		}
	}
	if !slices.Contains(s.profile.Grants, grantType) {
		s.tokenFailure(w, r, Failure{Kind: UnsupportedGrantType, Detail: grantType,
			Description: "Invalid grant_type: " + grantType})
		return
	}
	// fosite's password handler removes the password from the form.
	password := r.PostForm.Get("password")
	ar, err := s.oauth.NewAccessRequest(ctx, r, newSession(""))
	if err != nil {
		s.tokenFailure(w, r, classify(err, grantType))
		return
	}
	sess, _ := ar.GetSession().(*Session)
	if sess == nil {
		s.tokenFailure(w, r, Failure{Kind: ServerError, Description: "unexpected session type"})
		return
	}
	reg := ar.GetClient().(*client).reg
	call := s.call(r, reg)
	if grantType == "client_credentials" {
		g, f := s.resolve(call, GrantRequest{GrantType: grantType, Scopes: ar.GetRequestedScopes(), Form: r.PostForm})
		if f != nil {
			s.tokenFailure(w, r, *f)
			return
		}
		for _, scope := range g.Scopes {
			ar.GrantScope(scope)
		}
		sess.Access = g.Claims
	}
	if grantType == "password" {
		if f := s.passwordGrant(call, ar, sess, r.PostForm.Get("username"), password); f != nil {
			s.tokenFailure(w, r, *f)
			return
		}
	}
	if grantType == "authorization_code" && s.profile.Redeem != nil {
		if f := s.redeem(call, ar, sess, r); f != nil {
			s.tokenFailure(w, r, *f)
			return
		}
	}
	if grantType == "refresh_token" {
		s.store.touchRefresh(s.strategy.RefreshTokenSignature(ctx, r.PostForm.Get("refresh_token")))
		sess.Refreshes++
	}
	if grantType == "refresh_token" && sess.Slide > 0 {
		// The new refresh token starts a whole lifetime (RefreshPolicy.Sliding).
		sess.SetExpiresAt(fosite.RefreshToken, time.Now().UTC().Add(sess.Slide).Round(time.Second))
	}
	resp, err := s.oauth.NewAccessResponse(ctx, ar)
	if err != nil {
		s.tokenFailure(w, r, classify(err, grantType))
		return
	}
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: grantType,
		User: sess.User, Client: reg.ID, Outcome: "ok", Seen: notedOf(r).seen})
	s.writeToken(ctx, w, call, ar, resp, sess, grantType)
}

// passwordGrant checks a password request's user with the profile and
// resolves the grant the tokens are minted for.
func (s *Server) passwordGrant(c Call, ar fosite.AccessRequester, sess *Session, username, password string) *Failure {
	user, f := s.profile.Password(c, username, password)
	if f != nil {
		return f
	}
	g, f := s.resolve(c, GrantRequest{GrantType: "password", User: user, Scopes: ar.GetRequestedScopes(), Form: ar.GetRequestForm()})
	if f != nil {
		return f
	}
	for _, scope := range g.Scopes {
		ar.GrantScope(scope)
	}
	sess.User = user.Email
	s.grant(sess, g)
	return nil
}

// redeem asks the profile about a code redemption (Profile.Redeem) and
// applies the grant it returns in place of the code's.
func (s *Server) redeem(c Call, ar fosite.AccessRequester, sess *Session, r *http.Request) *Failure {
	user, _ := s.FindAccount(c, sess.User)
	g, f := s.profile.Redeem(c, RedeemRequest{User: user, Granted: s.store.codeGranted(r.Context(), s.strategy, r.PostForm.Get("code")),
		Claims: sess.Access, Form: r.PostForm})
	if f != nil || g == nil {
		return f
	}
	// The access token is minted from the session's claims; the response
	// names the grant's scopes (writeToken).
	sess.Access, sess.Scopes = g.Claims, g.Scopes
	return nil
}

// codeGranted are the scopes granted to the authorization code, which
// fosite grants the token request only when it answers.
func (s *store) codeGranted(ctx context.Context, st *strategy, code string) []string {
	sig := st.AuthorizeCodeSignature(ctx, code)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.codes[keyOf(sig)]
	if sig == "" || !ok {
		return nil
	}
	return slices.Clone(s.recs.get(e.ref).granted)
}

// resolve is the profile's grant resolution, or its default: the
// requested scopes, with a refresh token.
func (s *Server) resolve(c Call, req GrantRequest) (Grant, *Failure) {
	if s.profile.ResolveGrant == nil {
		return Grant{Scopes: req.Scopes, Offline: true}, nil
	}
	return s.profile.ResolveGrant(c, req)
}

// refreshExpiry is the lifetime of g's refresh tokens; zero: no expiry.
func (s *Server) refreshExpiry(g Grant) time.Duration {
	d := g.RefreshLifespan
	if d == 0 {
		d = s.profile.RefreshTokenLifespan
	}
	if d == Never || d < 0 {
		return 0
	}
	return d
}

// grant applies g to a session about to be stored with a new grant.
func (s *Server) grant(sess *Session, g Grant) {
	sess.Offline, sess.Access, sess.FixedRefresh = g.Offline, g.Claims, g.FixedRefresh
	sess.SignedIn = s.world.Clock.Now()
	if d := s.refreshExpiry(g); d > 0 {
		sess.SetExpiresAt(fosite.RefreshToken, time.Now().UTC().Add(d).Round(time.Second))
		if s.profile.Refresh.Sliding && !g.FixedRefresh {
			sess.Slide = d
		}
	}
}

// writeToken writes fosite's response in the provider's shape. The refresh
// token fosite issued is handed out only when the grant earned one
// (Session.Offline for a new grant, RefreshPolicy.ReturnNew on refresh);
// otherwise it is deleted, so it cannot be used.
func (s *Server) writeToken(ctx context.Context, w http.ResponseWriter, c Call, ar fosite.AccessRequester, resp fosite.AccessResponder, sess *Session, grantType string) {
	body := map[string]any{
		"access_token": resp.GetAccessToken(),
		"token_type":   "Bearer",
	}
	granted := ar.GetGrantedScopes()
	if sess.Scopes != nil {
		granted = sess.Scopes
	}
	if scope := strings.Join(granted, " "); scope != "" {
		body["scope"] = scope
	}
	if id, _ := resp.GetExtra("id_token").(string); id != "" {
		body["id_token"] = id
	}
	if s.profile.AccessTokenLifespan != Never {
		// The access token was minted for this answer: its whole lifespan
		// (the expiry fosite stored is rounded to the second, and reading
		// the time left from it could say one second less).
		body["expires_in"] = int64(s.profile.AccessTokenLifespan / time.Second)
	}
	if refresh, _ := resp.GetExtra("refresh_token").(string); refresh != "" {
		keep := sess.Offline
		if grantType == "refresh_token" {
			keep = s.profile.Refresh.ReturnNew
		}
		if keep {
			body["refresh_token"] = refresh
			if grantType != "refresh_token" {
				s.store.handedOut(sess.User, c.Client.ID, ar.GetID(), s.profile.MaxRefreshTokens)
			}
		} else {
			_ = s.store.DeleteRefreshTokenSession(ctx, s.strategy.RefreshTokenSignature(ctx, refresh))
		}
	}
	if s.profile.TokenResponse != nil {
		issued := Issued{GrantType: grantType, Scopes: granted, Claims: sess.Access}
		if sess.User != "" {
			issued.User, _ = s.FindAccount(c, sess.User)
		}
		s.profile.TokenResponse(c, issued, body)
	}
	s.writeJSON(w, http.StatusOK, body, nil)
}

// tokenFailure answers a refused token request the provider's way.
func (s *Server) tokenFailure(w http.ResponseWriter, r *http.Request, f Failure) {
	creds := presented(r, r.PostForm)
	reg, _ := s.findClient(s.call(r, world.Client{}), creds.id)
	n := notedOf(r)
	if n.mechanism == "" {
		n.mechanism = r.PostForm.Get("grant_type")
	}
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: n.mechanism,
		Client: creds.id, Outcome: "refused", Reason: string(f.Kind), Detail: s.failureDetail(s.call(r, reg), f), Seen: n.seen})
	reply, ok := Reply{}, false
	if s.profile.TokenError != nil {
		reply, ok = s.profile.TokenError(s.call(r, reg), f)
	}
	if !ok {
		reply = StandardReply(f)
	}
	if reply.Status == http.StatusUnauthorized && creds.method == AuthBasic && reply.Header.Get("WWW-Authenticate") == "" {
		// RFC 6749 §5.2: a client that authenticated with the Authorization
		// header gets a challenge with its 401.
		if reply.Header == nil {
			reply.Header = http.Header{}
		}
		reply.Header.Set("WWW-Authenticate", `Basic realm="token"`)
	}
	if reply.Text != "" {
		s.writeText(w, reply.Status, reply.Text, reply.Header)
		return
	}
	s.writeJSON(w, reply.Status, reply.Body, reply.Header)
}

// writeText writes a bare answer with no Content-Type (net/http would
// otherwise sniff one).
func (s *Server) writeText(w http.ResponseWriter, status int, text string, extra http.Header) {
	h := w.Header()
	h["Content-Type"] = nil
	for k, v := range extra {
		h[k] = v
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}

// writeJSON writes a token-endpoint answer with the caching headers RFC 6749
// §5.1 requires and the provider's own.
func (s *Server) writeJSON(w http.ResponseWriter, status int, body any, extra http.Header) {
	style := tokenJSON
	if s.profile.TokenJSON != nil {
		style = *s.profile.TokenJSON
	}
	style.Write(w, status, body, s.profile.TokenHeaders, extra)
}

// grantCheck is the first token-endpoint handler: before fosite's own, it
// finds out why a grant would be refused and says so with a typed cause
// (fosite reports most of these as one invalid_grant). It grants nothing:
// when all is well it steps aside.
type grantCheck struct{ server *Server }

// CanSkipClientAuth implements fosite.TokenEndpointHandler: fosite reports
// a failed client authentication before any handler runs.
func (grantCheck) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

// CanHandleTokenEndpointRequest implements fosite.TokenEndpointHandler.
func (grantCheck) CanHandleTokenEndpointRequest(context.Context, fosite.AccessRequester) bool {
	return true
}

// PopulateTokenEndpointResponse implements fosite.TokenEndpointHandler.
func (grantCheck) PopulateTokenEndpointResponse(context.Context, fosite.AccessRequester, fosite.AccessResponder) error {
	return fosite.ErrUnknownRequest
}

// HandleTokenEndpointRequest implements fosite.TokenEndpointHandler.
func (g *grantCheck) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	grantType := r.GetGrantTypes()[0]
	if !r.GetClient().GetGrantTypes().Has(grantType) {
		return Failure{Kind: GrantNotAllowed, Detail: grantType,
			Description: "The client is not authorized to use this grant type."}
	}
	var f *Failure
	switch grantType {
	case "authorization_code":
		f = g.server.store.checkCode(ctx, g.server.strategy, r, g.server.profile)
	case "refresh_token":
		var live entry
		var rec *record
		f, live, rec = g.server.store.checkRefresh(ctx, g.server.strategy, r)
		if f == nil && g.server.profile.RefreshValid != nil {
			f = g.server.refreshValid(ctx, r, live, rec)
		}
		if f == nil && g.server.profile.RefreshCheck != nil {
			f = g.server.refreshCheck(ctx, r, rec)
		}
	}
	if f != nil {
		return *f
	}
	return fosite.ErrUnknownRequest
}

// defaultCodeChecks is the order in which the reasons to refuse a code are
// reported when several hold, unless the profile gives its own.
var defaultCodeChecks = []FailureKind{CodeReused, CodeExpired, CodeOtherClient, RedirectMismatch, PKCEFailed}

// checkCode says why the code of r would be refused, if it would: unknown,
// used before (its grant is then revoked, RFC 6749 §4.1.2, unless the
// profile keeps it), expired, issued to another client or with another
// redirect URI, or failing PKCE; when several hold, the first in the
// profile's CodeChecks is reported.
func (s *store) checkCode(ctx context.Context, st *strategy, r fosite.AccessRequester, p Profile) *Failure {
	form := r.GetRequestForm()
	sig := st.AuthorizeCodeSignature(ctx, form.Get("code"))
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.codes[keyOf(sig)]
	if sig == "" || !ok {
		return &Failure{Kind: CodeInvalid, Malformed: sig == ""}
	}
	rec := s.recs.get(e.ref)
	issued := rec.formValue("redirect_uri")
	challenge, pkce := s.pkce[keyOf(sig)]
	holds := map[FailureKind]bool{
		CodeReused:       !e.active,
		CodeExpired:      e.expiredBefore(s.world.Clock.Now()),
		CodeOtherClient:  rec.client == nil || rec.client.id != r.GetClient().GetID(),
		RedirectMismatch: issued != "" && issued != form.Get("redirect_uri"),
		PKCEFailed:       pkce && !pkceMatches(s.recs.get(challenge.ref), form.Get("code_verifier")),
	}
	if holds[CodeReused] && !p.CodeReuseKeepsGrant {
		id := rec.id
		s.revoke(s.access, s.familyOf(id).access)
		s.revoke(s.tokens, s.familyOf(id).refresh)
	}
	order := p.CodeChecks
	if order == nil {
		order = defaultCodeChecks
	}
	for _, kind := range order {
		if holds[kind] {
			f := &Failure{Kind: kind}
			if kind == RedirectMismatch {
				f.Detail = form.Get("redirect_uri")
			}
			return f
		}
	}
	return nil
}

// pkceMatches checks a code verifier against the challenge of the
// authorization request (RFC 7636 §4.6); no challenge, no check.
func pkceMatches(authorize *record, verifier string) bool {
	challenge := authorize.formValue("code_challenge")
	if challenge == "" {
		return true
	}
	if verifier == "" {
		return false
	}
	if authorize.formValue("code_challenge_method") == "plain" {
		return subtle.ConstantTimeCompare([]byte(verifier), []byte(challenge)) == 1
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// refreshValid asks the profile whether the live refresh token of e (of
// the record rec) may still be used.
func (s *Server) refreshValid(ctx context.Context, r fosite.AccessRequester, e entry, rec *record) *Failure {
	c := Call{Realm: RealmOf(ctx), Client: r.GetClient().(*client).reg, Now: s.world.Clock.Now()}
	sess := rec.session
	if sess == nil {
		return nil
	}
	acct, _ := s.FindAccount(c, sess.User)
	return s.profile.RefreshValid(c, acct, rec.granted, e.at.time(), e.used.time())
}

// refreshCheck asks the profile about a refresh of the grant of rec
// (Profile.RefreshCheck).
func (s *Server) refreshCheck(ctx context.Context, r fosite.AccessRequester, rec *record) *Failure {
	c := Call{Realm: RealmOf(ctx), Client: r.GetClient().(*client).reg, Now: s.world.Clock.Now()}
	if rec.session == nil {
		return nil
	}
	acct, _ := s.FindAccount(c, rec.session.User)
	return s.profile.RefreshCheck(c, RedeemRequest{User: acct, Granted: rec.granted, Claims: rec.session.Access, Form: r.GetRequestForm(),
		SignedIn: rec.session.SignedIn})
}

// checkRefresh says why the refresh token of r would be refused, if it
// would: unknown, revoked, expired, or held by another client; else it
// returns a copy of the token's entry and its record.
func (s *store) checkRefresh(ctx context.Context, st *strategy, r fosite.AccessRequester) (*Failure, entry, *record) {
	sig := st.RefreshTokenSignature(ctx, r.GetRequestForm().Get("refresh_token"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepIfStale()
	e, ok := s.tokens[keyOf(sig)]
	if sig == "" || !ok {
		return &Failure{Kind: RefreshInvalid, Malformed: sig == ""}, entry{}, nil
	}
	rec := s.recs.get(e.ref)
	switch {
	case !e.active:
		return &Failure{Kind: RefreshRevoked}, entry{}, nil
	case e.expiredBefore(s.world.Clock.Now()):
		f := &Failure{Kind: RefreshExpired, Issued: e.at.time()}
		if rec.session != nil {
			f.Fixed = rec.session.FixedRefresh
		}
		return f, entry{}, nil
	case rec.client == nil || rec.client.id != r.GetClient().GetID():
		return &Failure{Kind: RefreshOtherClient}, entry{}, nil
	}
	return nil, e, rec
}
