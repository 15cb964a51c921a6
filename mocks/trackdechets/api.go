package trackdechets

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// maxAPIBody is the API's body limit, express.json({limit: "21mb"}).
const maxAPIBody = 21 << 20

// maxBatch bounds the operations of one batched request.
const maxBatch = 20

// schemaSDL is the part of Trackdéchets' GraphQL schema the mock serves,
// as the real one declares it (back/src/**/typeDefs).
const schemaSDL = `
schema { query: Query mutation: Mutation }

scalar DateTime

"Représente un utilisateur sur la plateforme Trackdéchets"
type User {
  "Identifiant opaque"
  id: ID!
  "Email de l'utiliateur"
  email: String!
  "Nom de l'utilisateur"
  name: String
  "Qualité d'administrateur. Rôle reservé aux agents de l'administration"
  isAdmin: Boolean
  "Numéro de téléphone de l'utilisateur"
  phone: String
  "Liste des fonctionnalités optionelles activées"
  featureFlags: [String!]!
  trackingConsent: Boolean!
  "Indique si l'authentification TOTP est activée sur le compte"
  totpEnabled: Boolean!
}

"Application tierce ayant accès à mon compte via le protocole OAuth2"
type AuthorizedApplication {
  "Identifiant de l'application"
  id: ID!
  "Nom de l'application"
  name: String!
  "Date de dernière connexion"
  lastConnection: DateTime
  "Email de l'administrateur"
  admin: String
}

type Query {
  "Renvoie les informations sur l'utilisateur authentifié"
  me: User!
  authorizedApplications: [AuthorizedApplication!]!
}

type Mutation {
  revokeAuthorizedApplication(id: ID!): AuthorizedApplication!
}
`

// api is the GraphQL API at / (T-05): a bearer token or the browser's
// session makes the request the user's; anything else is anonymous, and
// what needs a user answers UNAUTHENTICATED.
type api struct {
	p      *Provider
	schema *graphql.Schema

	mu      sync.Mutex
	lastUse map[string]time.Time // user and client -> the day a token was last used

	personal personalTokens
}

func newAPI(p *Provider) *api {
	a := &api{p: p, lastUse: map[string]time.Time{}}
	p.OnReset(func() {
		a.mu.Lock()
		a.lastUse = map[string]time.Time{}
		a.mu.Unlock()
		a.personal.mu.Lock()
		a.personal.tokens = nil
		a.personal.mu.Unlock()
	})
	a.schema = sharedSchema()
	return a
}

// sharedSchema is the API's schema, parsed once for every fake
// Trackdéchets (a millisecond a world otherwise): its resolver finds the
// api of a request in the request's context.
var sharedSchema = sync.OnceValue(func() *graphql.Schema {
	return graphql.MustParseSchema(schemaSDL+personalSDL, &resolver{}, append(limitOptions(), graphql.UseFieldResolvers())...)
})

type apiKey struct{}

// apiOf is the api serving the request of ctx.
func apiOf(ctx context.Context) *api {
	a, _ := ctx.Value(apiKey{}).(*api)
	return a
}

// caller is who a request acts for.
type caller struct {
	user    world.Account
	session bool // signed in on the pages, not with a token
}

type callerKey struct{}

func callerOf(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

// authenticate is passport's session, then its bearer strategy (T-05): a
// token that is unknown or revoked leaves the request anonymous.
func (a *api) authenticate(r *http.Request) *caller {
	if v, ok := a.p.Visitor(r); ok {
		return &caller{user: v.Account, session: true}
	}
	token := r.URL.Query().Get("access_token")
	if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(t)
	}
	if token == "" {
		return nil
	}
	if c, found := a.personalCaller(token); found {
		return c
	}
	info := a.p.Introspect(r.Context(), token)
	ev := world.Event{Provider: Name, Protocol: "api", Mechanism: "bearer", User: info.User, Client: info.Client, Outcome: "ok"}
	acct, found := a.p.w.Account(Realm, info.User)
	if !info.Active || !found {
		ev.Outcome, ev.Reason = "refused", string(info.Reason)
		a.p.w.Record(ev)
		return nil
	}
	a.p.w.Record(ev)
	a.mu.Lock()
	a.lastUse[strings.ToLower(acct.Email)+"\x00"+info.Client] = midnight(a.p.w.Clock.Now())
	a.mu.Unlock()
	return &caller{user: acct}
}

// request is one GraphQL operation of a request body.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// ServeHTTP answers GraphQL over HTTP as Trackdéchets' Express and Apollo
// Server do: JSON bodies up to 21 MB (else 413), Express's French answer to
// a body that is not JSON, Apollo's CSRF prevention and request errors,
// batches, and 400 for a query that does not parse or validate.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f := a.p.Fault(r); f != nil {
		expressError(w, map[bool]int{true: http.StatusServiceUnavailable, false: http.StatusInternalServerError}[f.Kind == authserver.Unavailable])
		return
	}
	ctx := context.WithValue(context.WithValue(r.Context(), apiKey{}, a), callerKey{}, a.authenticate(r))
	if !preflighted(r) {
		writeErrors(w, http.StatusBadRequest, "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "+
			"Please either specify a 'content-type' header (with a type that is not one of application/x-www-form-urlencoded, "+
			"multipart/form-data, text/plain) or provide a non-empty value for one of the following headers: "+
			"x-apollo-operation-name, apollo-require-preflight\n", "BAD_REQUEST")
		return
	}
	var ops []request
	batch := false
	switch {
	case r.Method == http.MethodGet:
		q := r.URL.Query()
		op := request{Query: q.Get("query"), OperationName: q.Get("operationName")}
		if v := q.Get("variables"); v != "" && json.Unmarshal([]byte(v), &op.Variables) != nil {
			writeErrors(w, http.StatusBadRequest, "`variables` in a GET request must be a JSON-encoded object", "BAD_REQUEST")
			return
		}
		ops = []request{op}
	case r.ContentLength > maxAPIBody:
		expressError(w, http.StatusRequestEntityTooLarge)
		return
	default:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			expressError(w, http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			expressError(w, http.StatusBadRequest)
			return
		}
		if ops, batch, err = parseBody(mediaType(r), body); err != nil {
			expressJSON.Write(w, http.StatusBadRequest, map[string]string{"error": "JSON mal formaté ou invalide"})
			return
		}
	}
	if len(ops) == 0 || len(ops) > maxBatch {
		writeErrors(w, http.StatusBadRequest, "POST body missing, invalid Content-Type, or JSON object has no keys.", "BAD_REQUEST")
		return
	}
	status, results := http.StatusOK, make([]*graphql.Response, 0, len(ops))
	for _, op := range ops {
		if op.Query == "" {
			writeErrors(w, http.StatusBadRequest, "GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.", "BAD_REQUEST")
			return
		}
		if r.Context().Err() != nil {
			return // the client is gone: the rest of the batch is not run
		}
		if msg := tooManyTokens(op.Query); msg != "" {
			status = http.StatusBadRequest
			results = append(results, &graphql.Response{Errors: []*gqlerrors.QueryError{{Message: msg,
				Extensions: map[string]any{"code": "GRAPHQL_PARSE_FAILED"}}}})
			continue
		}
		resp := a.schema.Exec(ctx, op.Query, op.OperationName, op.Variables)
		if refused(resp) {
			// The query did not parse or validate: Apollo answers 400.
			status = http.StatusBadRequest
			for _, e := range resp.Errors {
				code := "GRAPHQL_VALIDATION_FAILED"
				if (errors.Is(e.Err, gqlerrors.ErrSyntax) || e.Rule == "") && !errors.Is(e.Err, graphql.ErrTooManySelections) {
					code = "GRAPHQL_PARSE_FAILED"
				}
				e.Extensions = map[string]any{"code": code}
			}
		}
		results = append(results, resp)
	}
	if batch {
		apolloJSON.Write(w, status, results)
		return
	}
	apolloJSON.Write(w, status, results[0])
}

// refused reports whether graph-gophers refused the operation before
// running it: the document did not parse or validate (no data), or its
// fragments expand past MaxSelections.
func refused(resp *graphql.Response) bool {
	if len(resp.Errors) == 0 {
		return false
	}
	return resp.Data == nil || errors.Is(resp.Errors[0].Err, graphql.ErrTooManySelections)
}

// parseBody reads a POST body: JSON (an operation or a batch of them) or
// application/graphql (the query itself). Express's JSON parser only takes
// objects and arrays.
func parseBody(mediaType string, body []byte) (ops []request, batch bool, err error) {
	switch mediaType {
	case "application/graphql":
		return []request{{Query: string(body)}}, false, nil
	case "application/json":
	default:
		return nil, false, nil
	}
	trimmed := strings.TrimSpace(string(body))
	switch {
	case trimmed == "":
		return nil, false, nil
	case strings.HasPrefix(trimmed, "["):
		err = json.Unmarshal(body, &ops)
		return ops, true, err
	case strings.HasPrefix(trimmed, "{"):
		var op request
		err = json.Unmarshal(body, &op)
		return []request{op}, false, err
	}
	return nil, false, errors.New("not an object or an array")
}

func mediaType(r *http.Request) string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

// preflighted is Apollo Server's CSRF prevention: a request a browser could
// send cross-site without a preflight (no Content-Type or a "simple" one,
// and neither of Apollo's headers) is refused.
func preflighted(r *http.Request) bool {
	if r.Header.Get("X-Apollo-Operation-Name") != "" || r.Header.Get("Apollo-Require-Preflight") != "" {
		return true
	}
	if r.Header.Get("Content-Type") == "" {
		return false
	}
	return !slices.Contains([]string{"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}, mediaType(r))
}

// writeErrors is Apollo Server's answer to a request it could not run.
func writeErrors(w http.ResponseWriter, status int, message, code string) {
	apolloJSON.Write(w, status, map[string]any{"errors": []map[string]any{{
		"message": message, "extensions": map[string]string{"code": code}}}})
}

// apiFailure is a GraphQL error with Trackdéchets' extensions code.
type apiFailure struct{ message, code string }

func (e apiFailure) Error() string { return e.message }

// Extensions implements graph-gophers' ResolverError.
func (e apiFailure) Extensions() map[string]any { return map[string]any{"code": e.code} }

// notLoggedIn is T-05's error for an anonymous request.
var notLoggedIn = apiFailure{"Vous n'êtes pas connecté.", "UNAUTHENTICATED"}

// resolver resolves the schema's queries and mutations.
type resolver struct{}

// user is the User type.
type user struct {
	ID              graphql.ID
	Email           string
	Name            *string
	IsAdmin         *bool
	Phone           *string
	FeatureFlags    []string
	TrackingConsent bool
	TotpEnabled     bool
}

// Me is the query "me": the caller's account.
func (r *resolver) Me(ctx context.Context) (*user, error) {
	c := callerOf(ctx)
	if c == nil {
		return nil, notLoggedIn
	}
	no := false
	return &user{ID: graphql.ID(userID(c.user)), Email: c.user.Email, Name: &c.user.Name, IsAdmin: &no,
		FeatureFlags: []string{}}, nil
}

// authorizedApplication is the AuthorizedApplication type.
type authorizedApplication struct {
	ID             graphql.ID
	Name           string
	LastConnection *dateTime
	Admin          *string
}

// sessionCaller is the caller of a session-only field: a bearer token's
// user is dropped (applyAuthStrategies(context, [Session])).
func sessionCaller(ctx context.Context) (*caller, error) {
	c := callerOf(ctx)
	if c == nil || !c.session {
		return nil, notLoggedIn
	}
	return c, nil
}

// AuthorizedApplications is the query "authorizedApplications": the
// applications holding a token of the user that is not revoked.
func (r *resolver) AuthorizedApplications(ctx context.Context) ([]*authorizedApplication, error) {
	c, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	return apiOf(ctx).authorized(c.user), nil
}

// authorized lists the applications holding a live token of acct.
func (a *api) authorized(acct world.Account) []*authorizedApplication {
	out := []*authorizedApplication{}
	for id, live := range a.p.Authorizations(acct.Email) {
		if live {
			out = append(out, a.application(acct, id))
		}
	}
	slices.SortFunc(out, func(x, y *authorizedApplication) int { return strings.Compare(x.Name, y.Name) })
	return out
}

func (a *api) application(acct world.Account, id string) *authorizedApplication {
	reg, _ := a.p.w.Client(Realm, id)
	app := &authorizedApplication{ID: graphql.ID(id), Name: clientName(reg)}
	if s, ok := reg.Settings.(Application); ok && s.Admin != "" {
		app.Admin = &s.Admin
	}
	a.mu.Lock()
	if t, ok := a.lastUse[strings.ToLower(acct.Email)+"\x00"+id]; ok {
		app.LastConnection = &dateTime{t}
	}
	a.mu.Unlock()
	return app
}

// RevokeAuthorizedApplication is the mutation of the same name (T-06):
// every token of the user for the application is revoked.
func (r *resolver) RevokeAuthorizedApplication(ctx context.Context, args struct{ ID graphql.ID }) (*authorizedApplication, error) {
	c, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	id := string(args.ID)
	if _, ok := apiOf(ctx).p.w.Client(Realm, id); !ok {
		return nil, apiFailure{`L'application avec l'identifiant "` + id + `" n'existe pas.`, "BAD_USER_INPUT"}
	}
	if !apiOf(ctx).p.RevokeApplication(c.user.Email, id) {
		return nil, apiFailure{"L'application " + id + " n'a pas accès à votre compte", "BAD_USER_INPUT"}
	}
	return apiOf(ctx).application(c.user, id), nil
}

// dateTime is the DateTime scalar: an ISO 8601 instant with milliseconds,
// as JavaScript's toISOString writes it.
type dateTime struct{ time.Time }

// ImplementsGraphQLType implements graph-gophers' Unmarshaler.
func (dateTime) ImplementsGraphQLType(name string) bool { return name == "DateTime" }

// UnmarshalGraphQL implements graph-gophers' Unmarshaler.
func (d *dateTime) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return errors.New("DateTime must be a string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	d.Time = t
	return err
}

// MarshalJSON writes the instant as toISOString does.
func (d dateTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.UTC().Format("2006-01-02T15:04:05.000Z"))
}
