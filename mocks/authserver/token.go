package authserver

import (
	"context"
	"encoding/json"
	"math"
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
	grantType := r.PostForm.Get("grant_type")
	if grantType == "" {
		s.tokenFailure(w, r, Failure{Kind: InvalidRequest, Description: "Missing required parameter: grant_type"})
		return
	}
	if !s.supportsGrant(grantType) {
		s.tokenFailure(w, r, Failure{Kind: UnsupportedGrantType, Detail: grantType,
			Description: "Invalid grant_type: " + grantType})
		return
	}
	ar, err := s.oauth.NewAccessRequest(ctx, r, newSession(""))
	if err != nil {
		s.tokenFailure(w, r, classifyToken(err, grantType))
		return
	}
	if ar.GetGrantTypes().ExactOne("client_credentials") {
		for _, scope := range ar.GetRequestedScopes() {
			ar.GrantScope(scope)
		}
	}
	resp, err := s.oauth.NewAccessResponse(ctx, ar)
	if err != nil {
		s.tokenFailure(w, r, classifyToken(err, grantType))
		return
	}
	sess, _ := ar.GetSession().(*Session)
	if sess == nil {
		sess = newSession("")
	}
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: grantType,
		User: sess.User, Client: ar.GetClient().GetID(), Outcome: "ok"})
	s.writeToken(ctx, w, ar, resp, sess, grantType)
}

// tokenBody is a successful token response (RFC 6749 §5.1).
type tokenBody struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token,omitempty"`
}

// writeToken writes fosite's response in the provider's shape. The refresh
// token fosite issued is handed out only when the profile's policy says so
// (Session.Offline for a new grant, RefreshPolicy.ReturnNew on refresh);
// otherwise it is deleted, so it cannot be used.
func (s *Server) writeToken(ctx context.Context, w http.ResponseWriter, ar fosite.AccessRequester, resp fosite.AccessResponder, sess *Session, grantType string) {
	body := tokenBody{
		AccessToken: resp.GetAccessToken(),
		TokenType:   "Bearer",
		Scope:       strings.Join(ar.GetGrantedScopes(), " "),
	}
	body.IDToken, _ = resp.GetExtra("id_token").(string)
	if exp := sess.GetExpiresAt(fosite.AccessToken); !exp.IsZero() {
		body.ExpiresIn = int64(math.Round(time.Until(exp).Seconds()))
	}
	if refresh, _ := resp.GetExtra("refresh_token").(string); refresh != "" {
		keep := sess.Offline
		if grantType == "refresh_token" {
			keep = s.profile.Refresh.ReturnNew
		}
		if keep {
			body.RefreshToken = refresh
			if grantType != "refresh_token" {
				s.store.handedOut(sess.User, ar.GetClient().GetID(), ar.GetID(), s.profile.MaxRefreshTokens)
			}
		} else {
			_ = s.store.DeleteRefreshTokenSession(ctx, s.strategy.RefreshTokenSignature(ctx, refresh))
		}
	}
	s.writeJSON(w, http.StatusOK, body, nil)
}

// tokenFailure answers a refused token request the provider's way.
func (s *Server) tokenFailure(w http.ResponseWriter, r *http.Request, f Failure) {
	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: r.PostForm.Get("grant_type"),
		Client: formClientID(r), Outcome: "refused", Reason: string(f.Kind)})
	reply, ok := Reply{}, false
	if s.profile.TokenError != nil {
		reply, ok = s.profile.TokenError(f)
	}
	if !ok {
		reply = StandardReply(f)
	}
	if reply.Status == http.StatusUnauthorized && r.Header.Get("Authorization") != "" && reply.Header.Get("WWW-Authenticate") == "" {
		// RFC 6749 §5.2: a client that authenticated with the Authorization
		// header gets a challenge with its 401.
		if reply.Header == nil {
			reply.Header = http.Header{}
		}
		reply.Header.Set("WWW-Authenticate", `Basic realm="token"`)
	}
	s.writeJSON(w, reply.Status, reply.Body, reply.Header)
}

func formClientID(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		return id
	}
	return r.PostForm.Get("client_id")
}

// writeJSON writes a token-endpoint answer with the caching headers RFC 6749
// §5.1 requires and the provider's own.
func (s *Server) writeJSON(w http.ResponseWriter, status int, body any, extra http.Header) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	for k, v := range s.profile.TokenHeaders {
		h[k] = v
	}
	for k, v := range extra {
		h[k] = v
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(body)
}

// supportsGrant reports whether any client type of the provider may use
// grantType.
func (s *Server) supportsGrant(grantType string) bool {
	for _, grants := range s.profile.GrantTypes {
		if slices.Contains(grants, grantType) {
			return true
		}
	}
	return false
}
