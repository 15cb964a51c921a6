// Package adapter is the Go reference adapter of `mailoauth run --app`:
// our client stack (golang.org/x/oauth2, go-smtp, go-imap, the harness's
// POP3 client and SASL clients) wrapped in the contract of DESIGN.md's
// "The application under test". `mailoauth adapter ACTION` runs it, and it
// is the application when --app is absent. It does what a careful
// application does: it asks for offline access, sends state and PKCE,
// stores and rotates refresh tokens, refreshes on expiry and once after a
// refusal, retries a transient failure once, tells the user to sign in
// again when the grant is gone, trusts only MAILOAUTH_CA_FILE, and takes
// MAILOAUTH_NOW as the current time (Go does not read libfaketime's clock).
package adapter

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Exit statuses of the contract.
const (
	exitDone         = 0
	exitFailed       = 1
	exitNotSupported = 3
)

// env is the contract's environment.
type env func(string) string

// adapter is one action's run.
type adapter struct {
	env    env
	stdout io.Writer
	stderr io.Writer
	// skew is the world's time minus the real time (MAILOAUTH_NOW).
	skew time.Duration
	tls  *tls.Config
	http *http.Client
	cfg  oauth2.Config
}

// userError is a failure the application reports to its user (exit 1).
type userError struct{ msg string }

// Error implements error.
func (e *userError) Error() string { return e.msg }

func failf(format string, args ...any) error { return &userError{fmt.Sprintf(format, args...)} }

// errNotSupported is an action this application does not do (exit 3).
var errNotSupported = errors.New("this application does not do that action")

// Main runs one action with the process's environment; it returns the
// exit status.
func Main(args []string) int { return Run(args, os.Getenv, os.Stdout, os.Stderr) }

// Run runs the action args[0] with the environment getenv, printing the
// JSON result on stdout's last line and diagnostics on stderr.
func Run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: mailoauth adapter authorize|device|app-token|send|fetch|pop|api")
		return 2
	}
	a := &adapter{env: getenv, stdout: stdout, stderr: stderr}
	result, err := a.run(args[0])
	switch {
	case errors.Is(err, errNotSupported):
		fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
		return exitNotSupported
	case err != nil:
		out, _ := json.Marshal(map[string]string{"error": err.Error()})
		fmt.Fprintln(stdout, string(out))
		return exitFailed
	}
	if result == nil {
		result = map[string]any{}
	}
	out, _ := json.Marshal(result)
	fmt.Fprintln(stdout, string(out))
	return exitDone
}

func (a *adapter) run(action string) (map[string]any, error) {
	if err := a.checkFlaw(); err != nil {
		return nil, err
	}
	if err := a.setup(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, a.http)
	switch action {
	case "authorize":
		return nil, a.authorize(ctx)
	case "device":
		return nil, a.device(ctx)
	case "app-token":
		if a.env("MAILOAUTH_PROVIDER") != "microsoft" {
			return nil, errNotSupported
		}
		_, err := a.appToken(ctx)
		return nil, err
	case "send":
		return nil, a.send(ctx)
	case "fetch":
		subjects, err := a.fetch(ctx)
		return map[string]any{"subjects": subjects}, err
	case "pop":
		subjects, err := a.pop(ctx)
		return map[string]any{"subjects": subjects}, err
	case "api":
		if a.env("MAILOAUTH_API_ENDPOINT") == "" {
			return nil, errNotSupported
		}
		email, err := a.api(ctx)
		return map[string]any{"email": email}, err
	}
	return nil, errNotSupported
}

// setup reads the environment: the world's time, the CA, the client.
func (a *adapter) setup() error {
	if now := a.env("MAILOAUTH_NOW"); now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return failf("MAILOAUTH_NOW %q is not an RFC 3339 time", now)
		}
		a.skew = time.Until(t).Round(time.Second)
	}
	pem, err := os.ReadFile(a.env("MAILOAUTH_CA_FILE"))
	if err != nil {
		return failf("cannot read the CA file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return failf("the CA file %s holds no certificate", a.env("MAILOAUTH_CA_FILE"))
	}
	// Only the configured CA is trusted: a server whose certificate chains
	// to another is refused.
	a.tls = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, InsecureSkipVerify: a.flaw("any-certificate")}
	a.http = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: a.tls,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}}
	style := oauth2.AuthStyleInParams
	if a.env("MAILOAUTH_CLIENT_AUTH") == "client_secret_basic" {
		style = oauth2.AuthStyleInHeader
	}
	a.cfg = oauth2.Config{
		ClientID:     a.env("MAILOAUTH_CLIENT_ID"),
		ClientSecret: a.env("MAILOAUTH_CLIENT_SECRET"),
		RedirectURL:  a.env("MAILOAUTH_REDIRECT_URI"),
		Scopes:       a.flawedScopes(strings.Fields(a.env("MAILOAUTH_SCOPES"))),
		Endpoint: oauth2.Endpoint{AuthURL: a.env("MAILOAUTH_AUTHORIZATION_ENDPOINT"),
			TokenURL:      a.env("MAILOAUTH_TOKEN_ENDPOINT"),
			DeviceAuthURL: a.env("MAILOAUTH_DEVICE_AUTHORIZATION_ENDPOINT"), AuthStyle: style},
	}
	if a.env("MAILOAUTH_CLIENT_AUTH") == "none" {
		a.cfg.ClientSecret = ""
	}
	return nil
}

// now is the world's time.
func (a *adapter) now() time.Time { return time.Now().Add(a.skew) }

// stored is the token store in MAILOAUTH_STATE_DIR, expiry in the world's
// time.
type stored struct {
	Grant        string    `json:"grant"` // "user" or "client_credentials"
	User         string    `json:"user"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

func (a *adapter) storePath() string {
	return filepath.Join(a.env("MAILOAUTH_STATE_DIR"), "tokens.json")
}

func (a *adapter) save(grant string, tok *oauth2.Token) error {
	st := stored{Grant: grant, User: a.env("MAILOAUTH_USER"), AccessToken: tok.AccessToken,
		RefreshToken: tok.RefreshToken, TokenType: tok.TokenType}
	if !tok.Expiry.IsZero() {
		st.Expiry = tok.Expiry.Add(a.skew).UTC()
	}
	out, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return os.WriteFile(a.storePath(), out, 0o600)
}

func (a *adapter) load() (*stored, error) {
	raw, err := os.ReadFile(a.storePath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, failf("not signed in: run authorize first")
	}
	if err != nil {
		return nil, err
	}
	var st stored
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, failf("the token store is damaged: sign in again")
	}
	return &st, nil
}

// token is the stored token as x/oauth2 holds it, its expiry in real time.
func (a *adapter) token(st *stored) *oauth2.Token {
	tok := &oauth2.Token{AccessToken: st.AccessToken, RefreshToken: st.RefreshToken, TokenType: st.TokenType}
	if !st.Expiry.IsZero() {
		tok.Expiry = st.Expiry.Add(-a.skew)
	}
	return tok
}

// validToken is a valid token for the mail servers or the API: the stored
// one, refreshed (or a new app token) when it expired by the world's
// clock, or when force says the server refused it.
func (a *adapter) validToken(ctx context.Context, force bool) (string, error) {
	st, err := a.load()
	if err != nil {
		return "", err
	}
	if st.Grant == "client_credentials" {
		tok := a.token(st)
		if !force && tok.Valid() {
			return tok.AccessToken, nil
		}
		return a.appToken(ctx)
	}
	tok := a.token(st)
	if !force && (tok.Valid() || tok.RefreshToken == "") || a.flaw("never-refresh") && !force {
		return tok.AccessToken, nil
	}
	if a.flaw("never-refresh") {
		return "", failf("the server refused the token")
	}
	if tok.RefreshToken == "" {
		return "", failf("the server refused the token and there is no refresh token: sign in again")
	}
	tok.Expiry = time.Now().Add(-time.Minute) // make x/oauth2 refresh
	var fresh *oauth2.Token
	err = a.retry(func() error {
		var err error
		fresh, err = a.cfg.TokenSource(ctx, tok).Token()
		return err
	})
	if err != nil {
		return "", a.tokenError("refreshing the token", err)
	}
	if fresh.RefreshToken == "" || a.flaw("keep-first-refresh-token") {
		fresh.RefreshToken = tok.RefreshToken
	}
	if err := a.save("user", fresh); err != nil {
		return "", err
	}
	return fresh.AccessToken, nil
}

// retry runs f again once after a transient failure: a 5xx answer,
// temporarily_unavailable, or a broken connection.
func (a *adapter) retry(f func() error) error {
	err := f()
	for i := 0; i < 2 && transient(err) && !a.flaw("no-retry"); i++ {
		fmt.Fprintf(a.stderr, "transient failure, retrying: %v\n", short(err))
		time.Sleep(100 * time.Millisecond)
		err = f()
	}
	return err
}

func transient(err error) bool {
	if err == nil {
		return false
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.Response != nil && re.Response.StatusCode >= 500 || re.ErrorCode == "temporarily_unavailable"
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// tokenError is a token endpoint's refusal as the user reads it.
func (a *adapter) tokenError(what string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		desc := re.ErrorDescription
		if desc == "" {
			desc = short(err)
		}
		if re.ErrorCode == "invalid_grant" {
			return failf("%s failed: the authorization is no longer valid (invalid_grant: %s); sign in again", what, desc)
		}
		return failf("%s failed: %s: %s", what, re.ErrorCode, desc)
	}
	return failf("%s failed: %s", what, short(err))
}

// short is the first line of err, bounded.
func short(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
