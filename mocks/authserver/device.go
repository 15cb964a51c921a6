package authserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// DeviceGrantType is the grant type of RFC 8628 §3.4.
const DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

type deviceStatus int

const (
	devicePending deviceStatus = iota
	deviceApproved
	deviceDenied
	deviceUsed
)

// deviceGrant is one device authorization, in the world's time.
type deviceGrant struct {
	realm    string
	client   string
	scopes   []string
	userCode string
	expires  time.Time
	interval time.Duration
	lastPoll time.Time
	polled   time.Time // real time of the last poll (Event.Seen); zero: none yet
	status   deviceStatus
	user     string
}

// Errors of ApproveDevice and DenyDevice.
var (
	ErrUnknownUserCode = errors.New("authserver: no pending device authorization has this user code")
	ErrUnknownUser     = errors.New("authserver: no such user")
)

func deviceKey(deviceCode string) string {
	sum := sha256.Sum256([]byte(deviceCode))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// DeviceAuthorization is the device authorization endpoint (RFC 8628 §3.1),
// answered in the provider's shape.
func (s *Server) DeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	dp := s.profile.Device
	if r.Method != http.MethodPost {
		s.tokenFailure(w, r, Failure{Kind: InvalidRequest, Description: "The device authorization request must be a POST."})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.tokenFailure(w, r, Failure{Kind: InvalidRequest, Description: "The request body could not be parsed."})
		return
	}
	r = noteDevice(r)
	if f := s.Fault(r); f != nil {
		s.tokenFailure(w, r, *f)
		return
	}
	c := s.call(r, world.Client{})
	reg, f := s.checkClient(c, presented(r, r.PostForm), false)
	if f != nil {
		s.tokenFailure(w, r, *f)
		return
	}
	c.Client = reg
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if dp.Admit != nil {
		if f := dp.Admit(c, scopes); f != nil {
			s.tokenFailure(w, r, *f)
			return
		}
	}
	if !slices.Contains(s.profile.GrantTypes(reg), DeviceGrantType) {
		s.tokenFailure(w, r, Failure{Kind: GrantNotAllowed, Detail: DeviceGrantType,
			Description: "The client is not allowed to use the device flow."})
		return
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	deviceCode := base64.RawURLEncoding.EncodeToString(b)
	now := s.world.Clock.Now()
	// The grant keeps copies: the form's strings share the memory of the
	// whole request body.
	g := &deviceGrant{realm: strings.Clone(c.Realm), client: reg.ID, scopes: cloneAll(scopes), expires: now.Add(dp.Lifespan),
		interval: dp.Interval, lastPoll: now}
	s.store.mu.Lock()
	if s.store.pendingDevices(reg.ID, now) >= maxPendingDevices {
		s.store.mu.Unlock()
		s.tokenFailure(w, r, Failure{Kind: DeviceQuota, Detail: reg.ID,
			Description: "Too many device authorizations are pending for this client."})
		return
	}
	for g.userCode == "" || s.store.byUser[g.userCode] != "" {
		g.userCode = dp.UserCode()
	}
	s.store.devices[deviceKey(deviceCode)] = g
	s.store.byUser[g.userCode] = deviceKey(deviceCode)
	s.store.mu.Unlock()

	s.world.Record(world.Event{Provider: s.profile.Name, Protocol: "oauth", Mechanism: "device_authorization",
		Client: reg.ID, Outcome: "ok", Seen: notedOf(r).seen})
	s.writeJSON(w, http.StatusOK, dp.Response(c, DeviceAuthorization{
		DeviceCode:      deviceCode,
		UserCode:        g.userCode,
		VerificationURL: baseURL(r) + dp.VerificationPath,
		ExpiresIn:       int64(dp.Lifespan / time.Second),
		Interval:        int64(dp.Interval / time.Second),
	}), nil)
}

// maxPendingDevices bounds the device authorizations of one client that
// are pending (neither decided nor expired) at once: each is kept for the
// device code's lifespan (30 minutes at Google).
const maxPendingDevices = 1000

// pendingDevices counts client's pending device authorizations. The
// caller holds s.mu.
func (s *store) pendingDevices(client string, now time.Time) int {
	n := 0
	for _, g := range s.devices {
		if g.client == client && g.status == devicePending && !now.After(g.expires) {
			n++
		}
	}
	return n
}

// cloneAll is a copy of each of ss, in a new slice.
func cloneAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, v := range ss {
		out[i] = strings.Clone(v)
	}
	return out
}

// baseURL is the scheme and host the request was sent to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ApproveDevice approves the pending device authorization of userCode on
// behalf of the user email, as the verification page does.
func (s *Server) ApproveDevice(userCode, email string) error {
	return s.decideDevice(userCode, email, deviceApproved)
}

// DenyDevice denies the pending device authorization of userCode.
func (s *Server) DenyDevice(userCode, email string) error {
	return s.decideDevice(userCode, email, deviceDenied)
}

func (s *Server) decideDevice(userCode, email string, status deviceStatus) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g := s.store.devices[s.store.byUser[strings.TrimSpace(userCode)]]
	if g == nil || g.status != devicePending || s.world.Clock.Now().After(g.expires) {
		return ErrUnknownUserCode
	}
	acct, ok := s.FindAccount(Call{Realm: g.realm, Now: s.world.Clock.Now()}, email)
	if !ok {
		return ErrUnknownUser
	}
	g.status, g.user = status, acct.Email
	if status == deviceApproved {
		s.world.GrantConsent(acct.Realm, acct.Email, g.client, g.scopes)
	}
	return nil
}

// pendingDevice returns the realm, client and scopes of the pending device
// authorization of userCode.
func (s *Server) pendingDevice(userCode string) (realm, client string, scopes []string, ok bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g := s.store.devices[s.store.byUser[strings.TrimSpace(userCode)]]
	if g == nil || g.status != devicePending || s.world.Clock.Now().After(g.expires) {
		return "", "", nil, false
	}
	return g.realm, g.client, g.scopes, true
}

// poll is one device-code poll by client (RFC 8628 §3.5): the approved
// grant, or the failure that says why not yet.
func (s *Server) poll(deviceCode, client string) (*deviceGrant, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g := s.store.devices[deviceKey(deviceCode)]
	now := s.world.Clock.Now()
	switch {
	case g == nil || g.client != client:
		return nil, Failure{Kind: DeviceCodeInvalid}
	case g.status == deviceUsed:
		return nil, Failure{Kind: DeviceCodeInvalid, Spent: true}
	case now.After(g.expires):
		return nil, Failure{Kind: DeviceExpired}
	case g.status == deviceDenied:
		return nil, Failure{Kind: DeviceDenied}
	case g.status == devicePending && now.Sub(g.lastPoll) < g.interval && !s.profile.Device.NoSlowDown:
		// "the interval MUST be increased by 5 seconds for this and all
		// subsequent requests" (RFC 8628 §3.5).
		g.interval += 5 * time.Second
		g.lastPoll = now
		return nil, Failure{Kind: DeviceSlowDown}
	case g.status == devicePending:
		g.lastPoll = now
		return nil, Failure{Kind: DevicePending}
	}
	g.status = deviceUsed
	return g, nil
}

// deviceGrantHandler is the RFC 8628 device_code grant as a fosite token
// endpoint handler: fosite authenticates the client, this handler checks the
// device code and resolves the grant, and fosite's strategy and store issue
// the tokens.
type deviceGrantHandler struct {
	server *Server
	config fosite.Configurator
}

// CanSkipClientAuth implements fosite.TokenEndpointHandler: the client
// authenticates as for any grant (public clients send only client_id).
func (h *deviceGrantHandler) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool {
	return false
}

// CanHandleTokenEndpointRequest implements fosite.TokenEndpointHandler.
func (h *deviceGrantHandler) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne(DeviceGrantType)
}

// HandleTokenEndpointRequest implements fosite.TokenEndpointHandler.
func (h *deviceGrantHandler) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	code := r.GetRequestForm().Get("device_code")
	if code == "" {
		return Failure{Kind: InvalidRequest, Detail: "device_code", Description: "Missing required parameter: device_code"}
	}
	g, err := h.server.poll(code, r.GetClient().GetID())
	if err != nil {
		return err
	}
	sess, ok := r.GetSession().(*Session)
	if !ok {
		return fosite.ErrServerError.WithHint("unexpected session type")
	}
	reg := r.GetClient().(*client).reg
	c := Call{Realm: RealmOf(ctx), Client: reg, Now: h.server.world.Clock.Now()}
	if hr, ok := ctx.Value(fosite.RequestContextKey).(*http.Request); ok {
		c.Request = hr
	}
	user, _ := h.server.FindAccount(c, g.user)
	grant, f := h.server.resolve(c, GrantRequest{GrantType: DeviceGrantType, User: user, Scopes: g.scopes,
		Form: r.GetRequestForm(), FreshConsent: true})
	if f != nil {
		return *f
	}
	sess.User = g.user
	if err := h.server.openIDClaims(c, sess, user, grant.Scopes, ""); err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	for _, scope := range grant.Scopes {
		r.GrantScope(scope)
	}
	sess.SetExpiresAt(fosite.AccessToken, time.Now().UTC().Add(h.config.GetAccessTokenLifespan(ctx)).Round(time.Second))
	h.server.grant(sess, grant)
	return nil
}

// PopulateTokenEndpointResponse implements fosite.TokenEndpointHandler.
func (h *deviceGrantHandler) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	st := h.server.strategy
	access, accessSig, err := st.GenerateAccessToken(ctx, r)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if err := h.server.store.CreateAccessTokenSession(ctx, accessSig, r.Sanitize(nil)); err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if r.GetClient().GetGrantTypes().Has("refresh_token") {
		refresh, refreshSig, err := st.GenerateRefreshToken(ctx, r)
		if err != nil {
			return fosite.ErrServerError.WithWrap(err)
		}
		if err := h.server.store.CreateRefreshTokenSession(ctx, refreshSig, accessSig, r.Sanitize(nil)); err != nil {
			return fosite.ErrServerError.WithWrap(err)
		}
		resp.SetExtra("refresh_token", refresh)
	}
	resp.SetAccessToken(access)
	resp.SetTokenType("bearer")
	resp.SetScopes(r.GetGrantedScopes())
	if r.GetGrantedScopes().Has("openid") {
		id, err := h.server.idTokens.GenerateIDToken(ctx, h.config.GetIDTokenLifespan(ctx), r)
		if err != nil {
			return fosite.ErrServerError.WithWrap(err)
		}
		resp.SetExtra("id_token", id)
	}
	return nil
}

// DeviceVerification is the verification page (RFC 8628 §3.3): the user
// types the code shown on the device, signs in and approves or denies.
func (s *Server) DeviceVerification(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.pages.message(w, http.StatusBadRequest, "Error 400: invalid_request")
		return
	}
	userCode := strings.TrimSpace(r.Form.Get("user_code"))
	action := formAction(r)
	if r.Method != http.MethodPost || userCode == "" {
		s.pages.render(w, http.StatusOK, "device", pageData{Title: "Connect a device", Action: action, UserCode: userCode})
		return
	}
	realm, clientID, scopes, ok := s.pendingDevice(userCode)
	if !ok {
		s.pages.render(w, http.StatusOK, "device", pageData{Title: "Connect a device", Action: action,
			UserCode: userCode, Error: "Invalid code. Check the code and try again."})
		return
	}
	c := s.call(r, world.Client{})
	c.Realm = realm
	c.Client, _ = s.findClient(c, clientID)
	reg := c.Client
	hidden := map[string]string{"user_code": userCode}
	user, sid := s.cookies.user(r)
	if r.Form.Get("action") == "signin" {
		acct, ok := s.checkPassword(c, r.Form.Get("email"), r.Form.Get("password"))
		if !ok {
			s.pages.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", Client: clientName(reg),
				Email: r.Form.Get("email"), Error: "Wrong email or password.", Action: action, Hidden: hidden})
			return
		}
		user, sid = acct.Email, s.cookies.signIn(w, acct.Email)
	}
	if user == "" {
		s.pages.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", Client: clientName(reg),
			Action: action, Hidden: hidden})
		return
	}
	decision := Undecided
	if s.cookies.validCSRF(sid, r.Form.Get("csrf")) {
		decision = decisionOf(r.Form)
	}
	switch decision {
	case Allow:
		if err := s.ApproveDevice(userCode, user); err != nil {
			s.pages.message(w, http.StatusBadRequest, "Error 400: invalid_request", err.Error())
			return
		}
		s.pages.message(w, http.StatusOK, "Success!", clientName(reg)+" has been granted access.",
			"You may now return to your device.")
	case Deny:
		_ = s.DenyDevice(userCode, user)
		s.pages.message(w, http.StatusOK, "Access denied", "You denied "+clientName(reg)+" access to your account.")
	default:
		s.pages.render(w, http.StatusOK, "consent", pageData{Title: "Consent", Client: clientName(reg), Email: user,
			Scopes: scopes, CSRF: s.cookies.csrf(sid), Action: action, Hidden: hidden})
	}
}
