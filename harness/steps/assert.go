package steps

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// assertionSteps check what the servers answered: the last HTTP reply,
// the token response, the redirect, the browser's page.
func (s *scenario) assertionSteps() []stepDef {
	return []stepDef{
		{`^the server answers (\d+)(?: with error "([^"]*)"(?: and description "([^"]*)")?)?$`,
			"the last reply's HTTP status, and its JSON error and error_description", s.serverAnswers},
		{`^the error description starts with "([^"]*)"$`, "the last reply's error_description starts so (Microsoft's AADSTS code)", s.descriptionStarts},
		{`^the response field "([^"]*)" contains (\d+)$`, "a list field of the last reply holds that number (error_codes)", s.fieldContains},
		{`^the token response (has a|has no) refresh token$`, "whether the last reply carries a refresh_token", s.hasRefreshToken},
		{`^the token response's scope (includes|does not include) "([^"]*)"$`, "whether the last reply's scope holds that scope", s.scopeIncludes},
		{`^the token response (has an|has no) ID token$`, "whether the last reply carries an id_token", s.hasIDToken},
		{`^the (access|refresh) token starts with "([^"]*)"$`, "the last reply's token starts with that prefix", s.tokenStartsWith},
		{`^the authorization code starts with "([^"]*)"$`, "the code the application received starts with that prefix", s.codeStartsWith},
		{`^the (?:token|device) response field "([^"]*)" is (?:(\d+)|"([^"]*)")$`, "a field of the last reply is that number or string", s.fieldIs},
		{`^the (?:token|device) response has (the|no) field "([^"]*)"$`, "whether the last reply has that field", s.hasField},
		{`^the server answers (\d+) with the body "([^"]*)"$`, "the last reply's status and whole body, for a reply that is not JSON", s.serverAnswersText},
		{`^the response field "([^"]*)" matches "([^"]*)"$`, "a string field of the last reply matches the regular expression", s.fieldMatches},
		{`^the response field "([^"]*)" is the application's redirect URI$`, "a field of the last reply is the application's redirect URI", s.fieldIsRedirectURI},
		{`^the (access|refresh) token matches "([^"]*)"$`, "the last reply's token matches the regular expression", s.tokenMatches},
		{`^the authorization code matches "([^"]*)"$`, "the code the application received matches the regular expression", s.codeMatches},
		{`^the response header "([^"]*)" (contains|is) "([^"]*)"$`, "a header of the last reply is or contains that text", s.headerIs},
		{`^the response header "([^"]*)" (contains|is) '([^']*)'$`, "a header of the last reply is or contains that text (with double quotes)", s.headerIs},
		{`^the application's redirect carries error "([^"]*)"$`, "the redirect to the application carries that error", s.redirectError},
		{`^the redirect's error description starts with "([^"]*)"$`, "the redirect's error_description starts so", s.redirectDescription},
		{`^the response field "([^"]*)" ends with "([^"]*)"$`, "a string field of the last reply ends so", s.fieldEndsWith},
		{`^the application's redirect carries the state it sent$`, "the redirect carries the application's state", s.redirectState},
		{`^the application's redirect carries only "([^"]*)"$`, "the redirect's parameter names are exactly those (space-separated)", s.redirectOnly},
		{`^the (access|refresh) token is at most (\d+) bytes$`, "the last reply's token has 1 to n bytes (G-05)", s.tokenAtMost},
		{`^the authorization code is at most (\d+) bytes$`, "the code the application received has 1 to n bytes", s.codeAtMost},
		{`^the application received no code$`, "no code reached the application", s.noCode},
		{`^no redirect reached the application$`, "the application's listener got no redirect", s.noRedirect},
		{`^the browser shows the page "([^"]*)" with status (\d+)$`, "the page the browser stopped on: its title's start and HTTP status", s.browserShows},
		{`^the page says "([^"]*)"$`, "the text of the page the browser stopped on holds that text", s.pageSays},
		{`^the consent screen was (shown|skipped)$`, "whether the browser went through a consent screen", s.consentScreen},
		{`^x/oauth2 kept the refresh token$`, "the application still holds the first refresh token it received", s.keptRefreshToken},
	}
}

// body is the last reply's JSON object.
func (s *scenario) body() (map[string]any, error) {
	if s.reply.last == nil {
		return nil, s.failf("no server has answered the application yet")
	}
	var m map[string]any
	if err := json.Unmarshal(s.reply.last.Body, &m); err != nil {
		return nil, s.failf("the reply is not a JSON object: %v", err)
	}
	return m, nil
}

func (s *scenario) serverAnswers(status int, code, description string) error {
	m, err := s.body()
	if err != nil && !(status == 200 && s.reply.last != nil && len(strings.TrimSpace(string(s.reply.last.Body))) == 0) {
		return err
	}
	if s.reply.last.Status != status {
		return s.failf("HTTP status %d, want %d", s.reply.last.Status, status)
	}
	if code != "" && m["error"] != code {
		return s.failf("error %v, want %q", m["error"], code)
	}
	if description != "" && m["error_description"] != description {
		return s.failf("error_description %v, want %q", m["error_description"], description)
	}
	if code == "" && status == 200 && m["error"] != nil {
		return s.failf("a 200 reply carries an error")
	}
	return nil
}

func (s *scenario) hasRefreshToken(has string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	got, _ := m["refresh_token"].(string)
	if (has == "has a") != (got != "") {
		return s.failf("the token response %s refresh token", map[bool]string{true: "has a", false: "has no"}[got != ""])
	}
	return nil
}

func (s *scenario) scopeIncludes(how, scope string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	got, _ := m["scope"].(string)
	if slices.Contains(strings.Fields(got), scope) != (how == "includes") {
		return s.failf("the token response's scope is %q, want it to %s %q", got, strings.Replace(how, "includes", "include", 1), scope)
	}
	return nil
}

func (s *scenario) hasIDToken(has string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	got, _ := m["id_token"].(string)
	if (has == "has an") != (got != "") {
		return s.failf("the token response %s ID token", map[bool]string{true: "has an", false: "has no"}[got != ""])
	}
	return nil
}

func (s *scenario) tokenStartsWith(which, prefix string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	t, _ := m[which+"_token"].(string)
	if !strings.HasPrefix(t, prefix) {
		return s.failf("the %s token does not start with %q", which, prefix)
	}
	return nil
}

// redirectOnly compares the names of the redirect's parameters with a
// space-separated list, in any order.
func (s *scenario) redirectOnly(names string) error {
	if s.flow.redirect == nil {
		return s.failf("no redirect reached the application; the browser stopped on %q", s.flow.page.Title)
	}
	var got []string
	for k := range s.flow.redirect {
		got = append(got, k)
	}
	want := strings.Fields(names)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return s.failf("the redirect carries %v, want only %v", s.flow.redirect, want)
	}
	return nil
}

// tokenAtMost is G-05's size limits.
func (s *scenario) tokenAtMost(which string, n int) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	t, _ := m[which+"_token"].(string)
	if t == "" || len(t) > n {
		return s.failf("the %s token has %d bytes, want 1 to %d", which, len(t), n)
	}
	return nil
}

func (s *scenario) codeAtMost(n int) error {
	if s.flow.code == "" || len(s.flow.code) > n {
		return s.failf("the authorization code has %d bytes, want 1 to %d", len(s.flow.code), n)
	}
	return nil
}

// serverAnswersText checks a reply that is not JSON: its status and its
// whole body.
func (s *scenario) serverAnswersText(status int, body string) error {
	if s.reply.last == nil {
		return s.failf("no server has answered the application yet")
	}
	if got := strings.TrimSpace(string(s.reply.last.Body)); s.reply.last.Status != status || got != body {
		return s.failf("HTTP %d %q, want %d %q", s.reply.last.Status, got, status, body)
	}
	return nil
}

func (s *scenario) fieldMatches(field, pattern string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	got, _ := m[field].(string)
	if ok, err := regexp.MatchString(pattern, got); err != nil || !ok {
		return s.failf("the response field %q is %q, which does not match %s", field, got, pattern)
	}
	return nil
}

func (s *scenario) fieldIsRedirectURI(field string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	if got := m[field]; got != s.app.oauth.Config.RedirectURL {
		return s.failf("the response field %q is %v, want %q", field, got, s.app.oauth.Config.RedirectURL)
	}
	return nil
}

func (s *scenario) tokenMatches(which, pattern string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	t, _ := m[which+"_token"].(string)
	if ok, err := regexp.MatchString(pattern, t); err != nil || !ok {
		return s.failf("the %s token (%d characters) does not match %s", which, len(t), pattern)
	}
	return nil
}

func (s *scenario) codeMatches(pattern string) error {
	if ok, err := regexp.MatchString(pattern, s.flow.code); err != nil || !ok {
		return s.failf("the authorization code (%d characters) does not match %s", len(s.flow.code), pattern)
	}
	return nil
}

func (s *scenario) codeStartsWith(prefix string) error {
	if !strings.HasPrefix(s.flow.code, prefix) {
		return s.failf("the authorization code does not start with %q", prefix)
	}
	return nil
}

func (s *scenario) fieldIs(field, number, text string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	v, ok := m[field]
	if !ok {
		return s.failf("the response has no field %q", field)
	}
	if number != "" {
		n, _ := strconv.ParseFloat(number, 64)
		if f, ok := v.(float64); !ok || f != n {
			return s.failf("field %q is %v, want %s", field, v, number)
		}
		return nil
	}
	if v != text {
		return s.failf("field %q is %v, want %q", field, v, text)
	}
	return nil
}

func (s *scenario) hasField(which, field string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	if _, ok := m[field]; ok != (which == "the") {
		return s.failf("the response has %s field %q", map[bool]string{true: "the", false: "no"}[ok], field)
	}
	return nil
}

func (s *scenario) headerIs(name, how, want string) error {
	if s.reply.last == nil {
		return s.failf("no server has answered yet")
	}
	got := s.reply.last.Header.Get(name)
	if (how == "is" && got != want) || (how == "contains" && !strings.Contains(got, want)) {
		return s.failf("header %s is %q, want it to %s %q", name, got, how, want)
	}
	return nil
}

func (s *scenario) redirectError(code string) error {
	if s.flow.redirect == nil {
		return s.failf("no redirect reached the application; the browser stopped on %q", s.flow.page.Title)
	}
	if got := s.flow.redirect.Get("error"); got != code {
		return s.failf("the redirect carries error %q, want %q", got, code)
	}
	return nil
}

func (s *scenario) redirectDescription(prefix string) error {
	if s.flow.redirect == nil {
		return s.failf("no redirect reached the application; the browser stopped on %q", s.flow.page.Title)
	}
	if got := s.flow.redirect.Get("error_description"); !strings.HasPrefix(got, prefix) {
		return s.failf("the redirect's error_description is %q, want it to start with %q", got, prefix)
	}
	return nil
}

func (s *scenario) fieldEndsWith(field, suffix string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	if v, _ := m[field].(string); !strings.HasSuffix(v, suffix) {
		return s.failf("field %q is %v, want it to end with %q", field, m[field], suffix)
	}
	return nil
}

func (s *scenario) redirectState() error {
	if s.flow.redirect == nil {
		return s.failf("no redirect reached the application; the browser stopped on %q", s.flow.page.Title)
	}
	if got := s.flow.redirect.Get("state"); got != s.flow.state {
		return s.failf("the redirect carries state %q, want %q", got, s.flow.state)
	}
	return nil
}

func (s *scenario) noCode() error {
	if s.flow.code != "" {
		return s.failf("the application received a code")
	}
	return nil
}

func (s *scenario) noRedirect() error {
	if s.flow.redirect != nil {
		return s.failf("a redirect reached the application: %v", s.flow.redirect)
	}
	return nil
}

func (s *scenario) browserShows(title string, status int) error {
	if !strings.HasPrefix(s.flow.page.Title, title) || s.flow.page.Status != status {
		return s.failf("the browser shows %q with status %d, want %q with status %d:\n%s",
			s.flow.page.Title, s.flow.page.Status, title, status, s.flow.page.Text)
	}
	return nil
}

func (s *scenario) pageSays(text string) error {
	if !strings.Contains(s.flow.page.Text, text) {
		return s.failf("the page %q does not say %q:\n%s", s.flow.page.Title, text, s.flow.page.Text)
	}
	return nil
}

func (s *scenario) consentScreen(how string) error {
	shown := slices.Contains(s.user.browser.Filled(), "consent")
	if shown != (how == "shown") {
		return s.failf("the consent screen was %s, want %s", map[bool]string{true: "shown", false: "skipped"}[shown], how)
	}
	return nil
}

func (s *scenario) keptRefreshToken() error {
	if s.tokens.current == nil || s.tokens.current.RefreshToken == "" || s.tokens.current.RefreshToken != s.tokens.first {
		return s.failf("x/oauth2 no longer holds the refresh token it was first given")
	}
	return nil
}

// descriptionStarts checks the start of error_description, where Microsoft
// puts its AADSTS code (M-04).
func (s *scenario) descriptionStarts(prefix string) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	if d, _ := m["error_description"].(string); !strings.HasPrefix(d, prefix) {
		return s.failf("error_description %q does not start with %q", d, prefix)
	}
	return nil
}

// fieldContains checks that a list field holds a number (Microsoft's
// error_codes, M-04).
func (s *scenario) fieldContains(field string, n int) error {
	m, err := s.body()
	if err != nil {
		return err
	}
	list, _ := m[field].([]any)
	for _, v := range list {
		if f, ok := v.(float64); ok && f == float64(n) {
			return nil
		}
	}
	return s.failf("field %q is %v, without %d", field, m[field], n)
}
