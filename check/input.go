package check

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailoauth/mailoauth/internal/editdistance"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// MaxInputBytes bounds check's input file: a longer one is refused, never
// read in part.
const MaxInputBytes = 1 << 20

// Input is check's input file: the provider side (a world file's
// providers:) and the application side, as the customer typed it.
type Input struct {
	// World is the world built from providers:.
	World *world.World
	// Warnings are what loading the world found that a console accepts
	// but that cannot work.
	Warnings []string
	// App is the application: part.
	App Application
}

// Application is what the customer typed into the application, with the
// real providers' URLs and host names (DESIGN.md, "mailoauth check").
type Application struct {
	Provider                    string
	Flow                        string
	ClientID                    string
	ClientSecret                string
	AuthorizationEndpoint       string
	TokenEndpoint               string
	DeviceAuthorizationEndpoint string
	Scopes                      []string
	RedirectURI                 string
	User                        string
	Mail                        *Mail
	TokenEndpointAuthMethod     string
	RefreshAfter                time.Duration
	APIEndpoint                 string
}

// Mail is application.mail: the mail server and how the application logs
// in to it.
type Mail struct {
	Protocol, Host string
	Port           int
	Security       string
	Mechanism      string
	User           string
	Password       string
	From           string
}

// FileError is input that cannot be read: the place in the file and what
// is wrong there. Line and Column are 0 when the problem has no place
// (the file is too large).
type FileError struct {
	File         string
	Line, Column int
	Problem      string
}

// Error implements error: file:line:column: problem.
func (e *FileError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Problem
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Problem)
}

// The values the application's keys take.
var (
	providerNames = []string{"google", "microsoft", "trackdechets"}
	flowNames     = []string{"authorization_code", "device_code", "client_credentials"}
	authMethods   = []string{"client_secret_basic", "client_secret_post", "none"}
	securities    = []string{"tls", "starttls", "none"}
	mechanisms    = []string{"XOAUTH2", "OAUTHBEARER", "PLAIN", "LOGIN", "NONE"}
)

// ParseInput reads check's input file (name is for messages). The error
// is a *FileError.
func ParseInput(name string, r io.Reader) (*Input, error) {
	doc, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, &FileError{File: name, Problem: err.Error()}
	}
	if len(doc) > MaxInputBytes {
		return nil, &FileError{File: name, Problem: fmt.Sprintf("larger than %d bytes (1 MiB), the limit", MaxInputBytes)}
	}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(doc)).Decode(&root); err != nil {
		if err == io.EOF {
			return nil, &FileError{File: name, Line: 1, Column: 1, Problem: "the file is empty; it needs providers: and application:"}
		}
		return nil, yamlError(name, err)
	}
	top := &root
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	if top.Kind != yaml.MappingNode {
		return nil, &FileError{File: name, Line: top.Line, Column: top.Column, Problem: "the file is not a mapping of providers: and application:"}
	}
	var providers, app *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "providers":
			providers = v
		case "application":
			app = v
		default:
			return nil, &FileError{File: name, Line: k.Line, Column: k.Column,
				Problem: fmt.Sprintf("unknown key %q (the keys here are application, providers)%s", k.Value, suggest(k.Value, []string{"application", "providers"}))}
		}
	}
	if app == nil {
		return nil, &FileError{File: name, Line: top.Line, Column: top.Column, Problem: "no application: (what the customer typed into the application)"}
	}
	if providers == nil {
		return nil, &FileError{File: name, Line: top.Line, Column: top.Column, Problem: "no providers: (what the customer set at the provider, as in a world file)"}
	}
	w, err := loadProviders(name, providers)
	if err != nil {
		return nil, err
	}
	in := &Input{World: w, Warnings: w.Warnings()}
	if err := decodeApplication(name, app, &in.App); err != nil {
		return nil, err
	}
	return in, nil
}

// loadProviders builds the world of providers: with the loader serve
// --config uses, its errors placed in the file.
func loadProviders(name string, n *yaml.Node) (*world.World, error) {
	wrapped := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column,
		Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "providers", Line: n.Line, Column: n.Column}, n}}
	w, err := world.LoadNode(wrapped, mocks.Schemas())
	if err != nil {
		return nil, placeError(name, n, err)
	}
	return w, nil
}

// yamlLine finds "line N" (and "column M") in a yaml.v3 message.
var yamlLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?:?\s*`)

// yamlError turns a parser error into file:line:column.
func yamlError(name string, err error) *FileError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	fe := &FileError{File: name, Line: 1, Column: 1, Problem: "not YAML: " + msg}
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		fe.Line, _ = strconv.Atoi(msg[m[2]:m[3]])
		if m[4] >= 0 {
			fe.Column, _ = strconv.Atoi(msg[m[4]:m[5]])
		}
		fe.Problem = "not YAML: " + humanYAML(msg[:m[0]]+msg[m[1]:])
	}
	return fe
}

// goTypes are yaml.v3's words for what it could not decode into, said in
// a world file's words.
var goTypes = regexp.MustCompile("cannot unmarshal !!(\\w+) (`[^`]*` )?into [\\w.\\[\\]*]+")

// humanYAML rewrites yaml.v3's "cannot unmarshal !!seq into string"
// without the Go type.
func humanYAML(msg string) string {
	return goTypes.ReplaceAllStringFunc(msg, func(m string) string {
		sub := goTypes.FindStringSubmatch(m)
		what := map[string]string{"seq": "a list", "map": "a mapping", "str": "a string", "int": "a number", "bool": "true or false", "float": "a number", "null": "nothing"}[sub[1]]
		if what == "" {
			what = "a " + sub[1]
		}
		if sub[2] != "" {
			what += " " + strings.TrimSpace(sub[2])
		}
		return what + " where another kind of value belongs"
	})
}

// quoted finds the quoted values of an error message, to place it.
var quoted = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

// placeError gives a loader error its place in the file: the line and
// column a KeyError or ValueError carries, or those of the first value the
// message quotes (an app id that is not a GUID, a permission name).
func placeError(name string, n *yaml.Node, err error) *FileError {
	var ke *world.KeyError
	var ve *world.ValueError
	msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "world: "), "yaml: ")
	switch {
	case errors.As(err, &ke):
		return &FileError{File: name, Line: ke.Line, Column: ke.Column,
			Problem: fmt.Sprintf("unknown key %q (the keys here are %s)%s", ke.Key, strings.Join(ke.Known, ", "), suggest(ke.Key, ke.Known))}
	case errors.As(err, &ve):
		return &FileError{File: name, Line: ve.Line, Column: ve.Column, Problem: ve.Problem}
	}
	msg = humanYAML(yamlLine.ReplaceAllString(msg, ""))
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := yamlLine.FindStringSubmatch(te.Errors[0]); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &FileError{File: name, Line: line, Column: 1, Problem: humanYAML(yamlLine.ReplaceAllString(te.Errors[0], ""))}
		}
	}
	qs := quoted.FindAllStringSubmatch(msg, -1)
	slices.Reverse(qs) // the most specific value last: app "crm": id "crm-app"
	for _, q := range qs {
		v, uerr := strconv.Unquote(`"` + q[1] + `"`)
		if uerr != nil || v == "" {
			continue
		}
		if at := findScalar(n, v); at != nil {
			return &FileError{File: name, Line: at.Line, Column: at.Column, Problem: msg}
		}
	}
	return &FileError{File: name, Line: n.Line, Column: n.Column, Problem: msg}
}

// findScalar is the first scalar (key or value) of n whose value is v.
func findScalar(n *yaml.Node, v string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Value == v {
		return n
	}
	for _, c := range n.Content {
		if f := findScalar(c, v); f != nil {
			return f
		}
	}
	return nil
}

// decodeApplication reads application: key by key, so that each unknown
// key and impossible value is said with its own line and column.
func decodeApplication(name string, n *yaml.Node, a *Application) error {
	bad := func(at *yaml.Node, format string, args ...any) error {
		return &FileError{File: name, Line: at.Line, Column: at.Column, Problem: fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		return bad(n, "application: is a mapping of keys (provider, flow, client_id, …)")
	}
	keys := []string{"api_endpoint", "authorization_endpoint", "client_id", "client_secret", "device_authorization_endpoint", "flow", "mail",
		"provider", "redirect_uri", "refresh_after", "scopes", "token_endpoint", "token_endpoint_auth_method", "user"}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(keys, k.Value) {
			return bad(k, "unknown key %q under application (the keys here are %s)%s", k.Value, strings.Join(keys, ", "), suggest(k.Value, keys))
		}
		if seen[k.Value] != nil {
			return bad(k, "%s is given twice (first at line %d)", k.Value, seen[k.Value].Line)
		}
		seen[k.Value] = k
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		var err error
		switch k.Value {
		case "scopes":
			a.Scopes, err = scopeList(name, k, v)
		case "mail":
			a.Mail = &Mail{}
			err = decodeMail(name, v, a.Mail)
		case "refresh_after":
			var s string
			if s, err = scalar(name, k, v); err == nil {
				if a.RefreshAfter, err = parseDuration(s); err != nil || a.RefreshAfter <= 0 {
					err = bad(v, "refresh_after %q: a positive duration, like 61m, 8d or 91d", s)
				}
			}
		default:
			var s string
			if s, err = scalar(name, k, v); err != nil {
				break
			}
			field := map[string]*string{"provider": &a.Provider, "flow": &a.Flow, "client_id": &a.ClientID, "client_secret": &a.ClientSecret,
				"authorization_endpoint": &a.AuthorizationEndpoint, "token_endpoint": &a.TokenEndpoint, "device_authorization_endpoint": &a.DeviceAuthorizationEndpoint,
				"redirect_uri": &a.RedirectURI, "user": &a.User, "token_endpoint_auth_method": &a.TokenEndpointAuthMethod, "api_endpoint": &a.APIEndpoint}[k.Value]
			*field = s
			err = checkValue(name, k.Value, s, v)
		}
		if err != nil {
			return err
		}
	}
	for _, req := range []string{"provider", "flow", "client_id", "token_endpoint"} {
		if seen[req] == nil {
			return bad(n, "application has no %s", req)
		}
	}
	switch a.Flow {
	case "authorization_code":
		for _, req := range []string{"authorization_endpoint", "redirect_uri", "user"} {
			if seen[req] == nil {
				return bad(n, "application has no %s, which the authorization_code flow needs", req)
			}
		}
	case "device_code":
		for _, req := range []string{"device_authorization_endpoint", "user"} {
			if seen[req] == nil {
				return bad(n, "application has no %s, which the device_code flow needs", req)
			}
		}
	}
	if a.Mail == nil && a.APIEndpoint == "" {
		return bad(n, "application has neither mail: nor api_endpoint: (the first command check runs after signing in)")
	}
	return nil
}

// checkValue refuses a value no application could hold.
func checkValue(name, key, s string, at *yaml.Node) error {
	bad := func(format string, args ...any) error {
		return &FileError{File: name, Line: at.Line, Column: at.Column, Problem: fmt.Sprintf(format, args...)}
	}
	oneOf := func(list []string) error {
		if slices.Contains(list, s) {
			return nil
		}
		return bad("%s %q: one of %s%s", key, s, strings.Join(list, ", "), suggest(s, list))
	}
	switch key {
	case "provider":
		return oneOf(providerNames)
	case "flow":
		return oneOf(flowNames)
	case "token_endpoint_auth_method":
		return oneOf(authMethods)
	case "authorization_endpoint", "token_endpoint", "device_authorization_endpoint", "api_endpoint":
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return bad("%s %q: an absolute URL (https://…)", key, s)
		}
	case "redirect_uri":
		// Any absolute URI, the out-of-band URN included (F-15).
		if u, err := url.Parse(s); err != nil || u.Scheme == "" {
			return bad("redirect_uri %q: an absolute URI (http://localhost:3017/, https://…/callback)", s)
		}
	}
	return nil
}

// decodeMail reads application.mail.
func decodeMail(name string, n *yaml.Node, m *Mail) error {
	bad := func(at *yaml.Node, format string, args ...any) error {
		return &FileError{File: name, Line: at.Line, Column: at.Column, Problem: fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		return bad(n, "mail: is a mapping (protocol, host, port, security, mechanism, user)")
	}
	keys := []string{"from", "host", "mechanism", "password", "port", "protocol", "security", "user"}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(keys, k.Value) {
			return bad(k, "unknown key %q under mail (the keys here are %s)%s", k.Value, strings.Join(keys, ", "), suggest(k.Value, keys))
		}
		s, err := scalar(name, k, v)
		if err != nil {
			return err
		}
		switch k.Value {
		case "protocol":
			m.Protocol = strings.ToLower(s)
			if !slices.Contains(protocols, m.Protocol) {
				return bad(v, "mail protocol %q: smtp, imap or pop3", s)
			}
		case "host":
			m.Host = s
		case "port":
			p, err := strconv.Atoi(s)
			if err != nil || p < 1 || p > 65535 {
				return bad(v, "mail port %q: a number from 1 to 65535", s)
			}
			m.Port = p
		case "security":
			m.Security = strings.ToLower(s)
			if !slices.Contains(securities, m.Security) {
				return bad(v, "mail security %q: tls (implicit, 465 and 993), starttls (587 and 143) or none", s)
			}
		case "mechanism":
			m.Mechanism = strings.ToUpper(s)
			if !slices.Contains(mechanisms, m.Mechanism) {
				return bad(v, "mail mechanism %q: one of XOAUTH2, OAUTHBEARER, PLAIN, LOGIN, none%s", s, suggest(strings.ToUpper(s), mechanisms))
			}
		case "user":
			m.User = s
		case "password":
			m.Password = s
		case "from":
			m.From = s
		}
	}
	for _, req := range []struct {
		key string
		set bool
	}{{"protocol", m.Protocol != ""}, {"host", m.Host != ""}, {"port", m.Port != 0}, {"security", m.Security != ""}, {"mechanism", m.Mechanism != ""}, {"user", m.User != ""}} {
		if !req.set {
			return bad(n, "mail has no %s", req.key)
		}
	}
	return nil
}

// scalar is v as a single value.
func scalar(name string, k, v *yaml.Node) (string, error) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind != yaml.ScalarNode {
		what := map[yaml.Kind]string{yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}[v.Kind]
		return "", &FileError{File: name, Line: v.Line, Column: v.Column, Problem: fmt.Sprintf("%s is one value, not %s", k.Value, firstNonEmpty(what, "this"))}
	}
	return v.Value, nil
}

// scopeList is scopes: a list, or one string of scopes separated by
// spaces as a settings form takes them.
func scopeList(name string, k, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode {
		return strings.Fields(v.Value), nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, &FileError{File: name, Line: v.Line, Column: v.Column, Problem: "scopes is a list of scopes, or one string of them separated by spaces"}
	}
	var out []string
	for _, c := range v.Content {
		s, err := scalar(name, k, c)
		if err != nil {
			return nil, err
		}
		out = append(out, strings.Fields(s)...)
	}
	return out, nil
}

// parseDuration is time.ParseDuration with days ("8d", "91d").
func parseDuration(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n > 3650 {
			return 0, errors.New("bad days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// suggest is ` (did you mean "x"?)` for the known word nearest to w, when
// one is near enough to be a typo.
func suggest(w string, known []string) string {
	best, dist := "", len(w)/2+2
	for _, k := range known {
		if d := editdistance.Distance(strings.ToLower(w), strings.ToLower(k)); d < dist {
			best, dist = k, d
		}
	}
	if best == "" || best == w {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
