package check

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// now is the instant the tests judge expiry at.
var now = time.Date(2026, 5, 19, 10, 0, 0, 0, time.UTC)

// jwt builds an unsigned compact JWT of claims (no signature is checked).
func jwt(t testing.TB, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

// delegated is a healthy delegated Exchange token's claims, changed by edit.
func delegated(edit func(map[string]any)) map[string]any {
	c := map[string]any{
		"aud": "https://outlook.office.com", "iss": "https://sts.windows.net/tid-1/", "tid": "tid-1",
		"scp": "IMAP.AccessAsUser.All POP.AccessAsUser.All SMTP.Send User.Read", "upn": "alice@contoso.test",
		"appid": "app-1", "ver": "1.0", "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix(),
	}
	if edit != nil {
		edit(c)
	}
	return c
}

// app is a healthy client-credentials Exchange token's claims.
func app(edit func(map[string]any)) map[string]any {
	c := map[string]any{
		"aud": "https://outlook.office365.com", "iss": "https://sts.windows.net/tid-1/", "tid": "tid-1",
		"roles": []string{"IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp"}, "idtyp": "app",
		"appid": "app-1", "ver": "1.0", "exp": now.Add(time.Hour).Unix(),
	}
	if edit != nil {
		edit(c)
	}
	return c
}

// ids are the ids of r's findings of severity sev.
func ids(r *Report, sev Severity) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity == sev {
			out = append(out, f.ID)
		}
	}
	return out
}

func TestCheckToken(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]any
		opt    Options
		errors []string // the error findings' ids, in order
		want   []string // texts one finding must hold
	}{
		{name: "healthy delegated imap", claims: delegated(nil), opt: Options{For: "imap", User: "alice@contoso.test"}},
		{name: "healthy delegated any protocol", claims: delegated(func(c map[string]any) { c["scp"] = "SMTP.Send" })},
		{name: "healthy app smtp", claims: app(nil), opt: Options{For: "smtp", User: "shared@contoso.test"}},
		{name: "healthy ps.outlook.com", claims: app(func(c map[string]any) { c["aud"] = "https://ps.outlook.com" }), opt: Options{For: "imap"}},
		{
			name: "graph audience for smtp", claims: delegated(func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" }),
			opt: Options{For: "smtp"}, errors: []string{"F-01"},
			want: []string{`aud "https://graph.microsoft.com"`, "https://outlook.office.com", "https://outlook.office.com/SMTP.Send", "535 5.7.3"},
		},
		{
			name: "graph app id audience", claims: delegated(func(c map[string]any) { c["aud"] = "00000003-0000-0000-c000-000000000000" }),
			opt: Options{For: "imap"}, errors: []string{"F-01"}, want: []string{"Graph", "NO AUTHENTICATE failed."},
		},
		{
			name: "audience of another api", claims: delegated(func(c map[string]any) { c["aud"] = "api://my-app" }),
			errors: []string{"F-01"}, want: []string{`aud "api://my-app"`},
		},
		{
			name: "delegated without the protocol's permission", claims: delegated(func(c map[string]any) { c["scp"] = "IMAP.AccessAsUser.All" }),
			opt: Options{For: "smtp"}, errors: []string{"EX-01"}, want: []string{"SMTP.Send", `scp "IMAP.AccessAsUser.All"`},
		},
		{
			name: "delegated without any mail permission", claims: delegated(func(c map[string]any) { c["scp"] = "User.Read" }),
			errors: []string{"EX-01"}, want: []string{"a mail permission (one of SMTP.Send, IMAP.AccessAsUser.All, POP.AccessAsUser.All)"},
		},
		{
			name: "app without the role", claims: app(func(c map[string]any) { c["roles"] = []string{"SMTP.SendAsApp"} }),
			opt: Options{For: "pop3"}, errors: []string{"F-10"}, want: []string{"POP.AccessAsApp", "Grant admin consent"},
		},
		{
			name: "another user's token for smtp", claims: delegated(nil), opt: Options{For: "smtp", User: "bob@contoso.test"},
			errors: []string{"F-03"}, want: []string{`upn "alice@contoso.test"`, "bob@contoso.test", "FullAccess"},
		},
		{
			name: "another user's token for imap", claims: delegated(nil), opt: Options{For: "imap", User: "bob@contoso.test"},
			errors: []string{"F-19"}, want: []string{"not connected"},
		},
		{
			name: "user from unique_name", claims: delegated(func(c map[string]any) { delete(c, "upn"); c["unique_name"] = "carol@contoso.test" }),
			opt: Options{User: "alice@contoso.test"}, errors: []string{"F-03"}, want: []string{`unique_name "carol@contoso.test"`},
		},
		{
			name: "expired", claims: delegated(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Hour).Unix() }),
			errors: []string{"F-16"}, want: []string{"expired 2h0m0s ago", "2026-05-19T08:00:00Z"},
		},
		{name: "v2 token", claims: delegated(func(c map[string]any) { c["ver"] = "2.0" }), want: []string{"v2.0"}},
		{
			name: "google id token", claims: map[string]any{"iss": "https://accounts.google.com", "aud": "123.apps.googleusercontent.com"},
			errors: []string{"GM-01"}, want: []string{"ID token"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Now = now
			tok := jwt(t, tt.claims)
			r, err := CheckToken(tok, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ids(r, Error), " "); got != strings.Join(tt.errors, " ") {
				t.Errorf("error findings %q, want %q: %+v", got, tt.errors, r.Findings)
			}
			if wantStatus := map[bool]string{true: "fail", false: "pass"}[len(tt.errors) > 0]; r.Status != wantStatus {
				t.Errorf("status %q, want %q", r.Status, wantStatus)
			}
			all, _ := json.Marshal(r)
			for _, w := range tt.want {
				if !strings.Contains(string(all), w) && !strings.Contains(strings.ReplaceAll(string(all), `\"`, `"`), w) {
					t.Errorf("no finding holds %q: %s", w, all)
				}
			}
			if strings.Contains(string(all), tok) || strings.Contains(string(all), strings.Split(tok, ".")[1]) {
				t.Errorf("the report prints the token: %s", all)
			}
		})
	}
}

func TestCheckTokenUndecodable(t *testing.T) {
	good := jwt(t, delegated(nil))
	parts := strings.Split(good, ".")
	tests := []struct{ name, token, where string }{
		{"empty", "", "empty"},
		{"two parts", parts[0] + "." + parts[1], "2 part(s)"},
		{"encrypted", "a.b.c.d.e", "JWE"},
		{"standard base64 in the payload", parts[0] + "." + parts[1][:3] + "+" + parts[1][4:] + "." + parts[2], "payload, character 4: '+'"},
		{"padding", parts[0] + "=." + parts[1] + "." + parts[2], "header, character"},
		{"payload not json", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("{nope")) + "." + parts[2], "payload: not a JSON object: byte"},
		{"opaque", "EwBwA8l6BAAUbDba3x2OMJElkF7gJ4z", "1 part(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckToken(tt.token, Options{Now: now})
			if err == nil || !strings.Contains(err.Error(), tt.where) {
				t.Fatalf("error %v, want one saying %q", err, tt.where)
			}
		})
	}
}

func TestCheckTokenGoogle(t *testing.T) {
	r, err := CheckToken("ya29.a0AfH6SMBexampleexampleexample", Options{For: "imap", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r.Token.Kind != "google" || r.Failed() || len(r.Findings) != 1 || r.Findings[0].ID != "GM-01" ||
		!strings.Contains(r.Findings[0].Fix, "https://mail.google.com/") || !strings.Contains(r.Findings[0].Title, "not a JWT") {
		t.Fatalf("report %+v", r)
	}
	r, err = CheckToken("1//0gexampleexample", Options{Now: now})
	if err != nil || !r.Failed() || r.Findings[0].ID != "G-06" {
		t.Fatalf("refresh token: %+v, %v", r, err)
	}
}
