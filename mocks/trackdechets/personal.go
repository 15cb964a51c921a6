package trackdechets

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"sync"
	"time"

	"github.com/graph-gophers/graphql-go"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// personalSDL is the part of the schema for personal access tokens, the
// keys a user generates on "Mon compte > Applications et API" (T-05, T-06):
// session-only, as back/src/users/typeDefs/private declares them.
const personalSDL = `
"Personnal access token"
type AccessToken {
  id: ID!
  "Permet de décrire l'utilité de ce token"
  description: String
  "Date de dernière utilisation du token"
  lastUsed: DateTime
}

"Personnal access token"
type NewAccessToken {
  id: ID!
  "Token en clair"
  token: String!
  "Permet de décrire l'utilité de ce token"
  description: String!
}

input CreateAccessTokenInput {
  description: String!
}

extend type Query {
  accessTokens: [AccessToken!]!
}

extend type Mutation {
  createAccessToken(input: CreateAccessTokenInput!): NewAccessToken!
  revokeAccessToken(id: ID!): AccessToken!
  revokeAllAccessTokens: [AccessToken!]!
}
`

// personalToken is one personal access token: 40 letters and digits
// that never expire, kept as their SHA-256 (T-05).
type personalToken struct {
	id, user, description string
	hash                  [sha256.Size]byte
	revoked               bool
	lastUsed              time.Time // the day, T-05
}

// personalTokens are the platform's personal access tokens.
type personalTokens struct {
	mu     sync.Mutex
	tokens []*personalToken
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString is n random letters and digits (lower case only with
// lower: a cuid's body).
func randomString(n int, lower bool) string {
	set := alnum
	if lower {
		set = "abcdefghijklmnopqrstuvwxyz0123456789"
	}
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i, c := range b {
		b[i] = set[int(c)%len(set)]
	}
	return string(b)
}

// create mints a token for user and returns it and its clear text.
func (p *personalTokens) create(user, description string) (*personalToken, string) {
	token := randomString(40, false)
	t := &personalToken{id: "c" + randomString(24, true), user: strings.ToLower(user), description: description,
		hash: sha256.Sum256([]byte(token))}
	p.mu.Lock()
	p.tokens = append(p.tokens, t)
	p.mu.Unlock()
	return t, token
}

// use finds the live token whose clear text is token and marks the day it
// was used; found says whether the token is one of them, live or not.
func (p *personalTokens) use(token string, now time.Time) (user string, found, live bool) {
	sum := sha256.Sum256([]byte(token))
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.hash[:]) == 1 {
			if !t.revoked {
				t.lastUsed = midnight(now)
			}
			return t.user, true, !t.revoked
		}
	}
	return "", false, false
}

// view is the AccessToken of t.
func (t *personalToken) view() *accessToken {
	v := &accessToken{ID: graphql.ID(t.id)}
	if t.description != "" {
		v.Description = &t.description
	}
	if !t.lastUsed.IsZero() {
		v.LastUsed = &dateTime{t.lastUsed}
	}
	return v
}

// accessToken is the AccessToken type.
type accessToken struct {
	ID          graphql.ID
	Description *string
	LastUsed    *dateTime
}

// newAccessToken is the NewAccessToken type.
type newAccessToken struct {
	ID          graphql.ID
	Token       string
	Description string
}

// AccessTokens is the query "accessTokens": the caller's personal tokens
// that are not revoked.
func (r *resolver) AccessTokens(ctx context.Context) ([]*accessToken, error) {
	c, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	p := &apiOf(ctx).personal
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []*accessToken{}
	for _, t := range p.tokens {
		if t.user == strings.ToLower(c.user.Email) && !t.revoked {
			out = append(out, t.view())
		}
	}
	return out, nil
}

// CreateAccessToken is the mutation "createAccessToken" ("Générer une
// clé"): the token in clear, shown once.
func (r *resolver) CreateAccessToken(ctx context.Context, args struct{ Input struct{ Description string } }) (*newAccessToken, error) {
	c, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	t, token := apiOf(ctx).personal.create(c.user.Email, args.Input.Description)
	return &newAccessToken{ID: graphql.ID(t.id), Token: token, Description: t.description}, nil
}

// RevokeAccessToken is the mutation "revokeAccessToken" (T-06): one of
// the caller's personal tokens, by its id; Trackdéchets' errors for an id
// it does not know and for another user's token
// (back/src/users/resolvers/mutations/revokeAccessToken.ts).
func (r *resolver) RevokeAccessToken(ctx context.Context, args struct{ ID graphql.ID }) (*accessToken, error) {
	c, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	p := &apiOf(ctx).personal
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.tokens {
		if t.id != string(args.ID) {
			continue
		}
		if t.user != strings.ToLower(c.user.Email) {
			return nil, apiFailure{"Vous n'avez pas le droit de supprimer ce jeton d'accès", "FORBIDDEN"}
		}
		t.revoked = true
		return t.view(), nil
	}
	return nil, apiFailure{"Ce jeton d'accès n'existe pas", "BAD_USER_INPUT"}
}

// RevokeAllAccessTokens is the mutation "revokeAllAccessTokens" (T-06):
// every live personal token of the caller, which it returns.
func (r *resolver) RevokeAllAccessTokens(ctx context.Context) ([]*accessToken, error) {
	c, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	p := &apiOf(ctx).personal
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []*accessToken{}
	for _, t := range p.tokens {
		if t.user == strings.ToLower(c.user.Email) && !t.revoked {
			t.revoked = true
			out = append(out, t.view())
		}
	}
	return out, nil
}

// personalCaller is the caller of a request whose bearer token is a
// personal one; found is false when it is not one (an OAuth token, or
// none of the platform's). A revoked one leaves the request anonymous.
func (a *api) personalCaller(token string) (c *caller, found bool) {
	email, found, live := a.personal.use(token, a.p.w.Clock.Now())
	if !found {
		return nil, false
	}
	ev := world.Event{Provider: Name, Protocol: "api", Mechanism: "personal_token", User: email, Outcome: "ok"}
	acct, ok := a.p.w.Account(Realm, email)
	if !live || !ok {
		ev.Outcome, ev.Reason = "refused", "revoked"
		a.p.w.Record(ev)
		return nil, true
	}
	a.p.w.Record(ev)
	return &caller{user: acct}, true
}
