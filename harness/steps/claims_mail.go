package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks/trackdechets"
)

// claimsMailSteps are the assertions issue 25's claim-by-claim review of
// PROVIDERS.md's mail-server and Trackdéchets entries added
// (docs/claims/mail-trackdechets.md): an access token's JOSE header
// values and claim names (EX-07), the .NET ticks of Exchange's stamp and
// greeting ids (EX-13), the dialog API with a query the application would
// not send (T-02), and a GraphQL call from the user's signed-in account
// page (T-06).
func (s *scenario) claimsMailSteps() []stepDef {
	return []stepDef{
		{`^the access token's header "([^"]*)" is "([^"]*)"$`, "a JOSE header field of the access token has that value (EX-07; M-07: typ JWT, alg RS256)", s.accessHeaderIs},
		{`^the application's token matches "([^"]*)"$`, "the access token the application holds matches the regular expression (T-05's personal tokens)", s.heldTokenMatches},
		{`^the access token has the claims "([^"]*)"$`, "the access token's payload has each of those claims, whatever their values (EX-07, M-07)", s.accessHasClaims},
		{`^the (raw connection's greeting|server's reply) carries \.NET ticks of a time up to 2 days before it$`,
			"the 16-hex id in the greeting or the reply's last line is DateTime.Ticks 0 to 48 hours before the date or timestamp beside it (EX-13 [INF])",
			s.ticksBefore},
		{`^the browser asks the API to authorize the application (without "([^"]*)"|with "([^"]*)=([^"]*)")$`,
			"GET /oauth2/authorize with the application's query less that parameter, or with that parameter set (T-02)", s.asksAuthorizeAPIWith},
		{`^the application sends (\d+) messages from ` + email + ` to ` + email + `$`,
			"sends that many messages on the SMTP session, stopping at the first refused (EX-12's rate)", s.sendsMessages},
		{`^` + email + `'s decision "(allow|cancel)" is answered (\d+) with a Location on the application's redirect URI carrying "(code|error)"$`,
			"signs in, asks the dialog API, posts the decision without following the redirect, and reads its status and Location (T-03)", s.decisionAnswered},
		{`^` + email + `'s account page sends the GraphQL query '([^']*)'$`,
			"the user's signed-in account page posts that query to the API with its session (T-06)", s.accountQuery},
	}
}

func (s *scenario) accessHeaderIs(name, want string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	h, err := s.jwtPart(s.tokens.current.AccessToken, 0)
	if err != nil {
		return err
	}
	if got := fmt.Sprint(h[name]); got != want {
		return s.failf("the access token's header %q is %q, want %q (header %v)", name, got, want, h)
	}
	return nil
}

func (s *scenario) heldTokenMatches(pattern string) error {
	if s.tokens.current == nil {
		return s.failf("the application has no token")
	}
	if !regexp.MustCompile(pattern).MatchString(s.tokens.current.AccessToken) {
		return s.failf("the application's token (%d characters) does not match %s", len(s.tokens.current.AccessToken), pattern)
	}
	return nil
}

func (s *scenario) accessHasClaims(names string) error {
	c, err := s.claims()
	if err != nil {
		return err
	}
	var missing []string
	for _, n := range strings.Fields(names) {
		if _, ok := c[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return s.failf("the access token lacks the claims %v", missing)
	}
	return nil
}

// stampTime and greetingTime find the time beside the id: the stamp's
// ISO 8601 timestamp, the greeting's RFC 5322 date; ticksID the 16 hex
// digits in brackets.
var (
	stampTime    = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`)
	greetingTime = regexp.MustCompile(`[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}`)
	ticksIDRe    = regexp.MustCompile(`\b([0-9A-F]{16})\]`)
)

// dotnetEpoch is 0001-01-01 in Unix seconds; a .NET tick is 100 ns.
const dotnetEpoch = -62135596800

// ticksBefore decodes the 16-hex id of Exchange's greeting or of the last
// line of its last reply as .NET DateTime.Ticks and checks that it is 0
// to 48 hours before the time the same line carries (EX-13: all five
// samples are). Both come from the server: no clock is read here.
func (s *scenario) ticksBefore(which string) error {
	line, layout, re := s.lastRawLine(), "2006-01-02T15:04:05.000Z", stampTime
	if which == "raw connection's greeting" {
		if s.mail.raw == nil {
			return s.failf("no raw connection")
		}
		line, layout, re = s.mail.raw.Greeting, "Mon, 2 Jan 2006 15:04:05 -0700", greetingTime
	}
	m := ticksIDRe.FindStringSubmatch(line)
	ts := re.FindString(line)
	if m == nil || ts == "" {
		return s.failf("%q has no 16-hex id and time", line)
	}
	at, err := time.Parse(layout, ts)
	if err != nil {
		return s.failf("%q: %v", ts, err)
	}
	ticks, _ := strconv.ParseUint(m[1], 16, 64)
	id := time.Unix(int64(ticks/1e7)+dotnetEpoch, int64(ticks%1e7)*100)
	// The greeting's date has whole seconds: the id may be up to a second
	// after it.
	if d := at.Sub(id); d < -time.Second || d > 48*time.Hour {
		return s.failf("the id %s is %s (%s before %s), not 0 to 2 days before", m[1], id.UTC().Format(time.RFC3339Nano), d, ts)
	}
	return nil
}

func (s *scenario) lastRawLine() string {
	if len(s.mail.rawReply) == 0 {
		return ""
	}
	return s.mail.rawReply[len(s.mail.rawReply)-1]
}

// asksAuthorizeAPIWith is asksAuthorizeAPI with one parameter of the
// application's query removed or set, for what oauth2orize checks before
// the client (T-02).
func (s *scenario) asksAuthorizeAPIWith(ctx context.Context, _, without, key, value string) error {
	s.act()
	s.flow.state = oauth2.GenerateVerifier()[:22]
	u, err := url.Parse(s.app.oauth.Config.AuthCodeURL(s.flow.state))
	if err != nil {
		return err
	}
	q := u.Query()
	if without != "" {
		q.Del(without)
	} else {
		q.Set(key, value)
	}
	u.RawQuery = q.Encode()
	u.Path = trackdechets.AuthorizePath
	err = s.user.browser.Fetch(ctx, u.String(), nil)
	s.record(s.user.browser)
	return err
}

// sendsMessages sends n messages, numbered in their subjects; the last
// send's outcome is the one "the message is accepted" reads.
func (s *scenario) sendsMessages(n int, from, to string) error {
	for i := range n {
		if err := s.sendsMessage(from, to, fmt.Sprintf("Message %d of %d", i+1, n)); err != nil || s.mail.sendErr != nil {
			return err
		}
	}
	return nil
}

// decisionAnswered is the dialog's two API calls made by a client that
// does not follow redirects, so the decision's own status and Location
// are seen (the browser steps only see where the redirect ends).
func (s *scenario) decisionAnswered(ctx context.Context, user, decision string, status int, param string) error {
	s.act()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Transport: s.app.oauth.HTTPClient().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.PostForm(s.provider().URL+trackdechets.LoginPath, url.Values{"email": {user}, "password": {s.password(user)}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	s.flow.state = oauth2.GenerateVerifier()[:22]
	u, err := url.Parse(s.app.oauth.Config.AuthCodeURL(s.flow.state))
	if err != nil {
		return err
	}
	u.Path = trackdechets.AuthorizePath
	resp, err = hc.Get(u.String())
	if err != nil {
		return err
	}
	var tx struct {
		TransactionID string `json:"transactionID"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tx)
	resp.Body.Close()
	if err != nil || tx.TransactionID == "" {
		return s.failf("GET /oauth2/authorize gave no transactionID (HTTP %d, %v)", resp.StatusCode, err)
	}
	form := url.Values{"transaction_id": {tx.TransactionID}}
	if decision == "cancel" {
		form.Set("cancel", "Refuser")
	}
	if resp, err = hc.PostForm(s.provider().URL+trackdechets.DecisionPath, form); err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	switch {
	case resp.StatusCode != status:
		return s.failf("the decision was answered %d, want %d", resp.StatusCode, status)
	case err != nil || !strings.HasPrefix(loc.String(), s.app.oauth.Config.RedirectURL+"?"):
		return s.failf("the decision's Location %q is not on %s", resp.Header.Get("Location"), s.app.oauth.Config.RedirectURL)
	case loc.Query().Get(param) == "" || loc.Query().Get("state") != s.flow.state:
		return s.failf("the decision's Location %q lacks %s or the state", loc.Redacted(), param)
	}
	return nil
}

// accountQuery posts query from the user's account page, signed in; the
// answer is the last reply, for the API assertions.
func (s *scenario) accountQuery(ctx context.Context, user, query string) error {
	_, err := s.accountAPI(ctx, user, query)
	return err
}
