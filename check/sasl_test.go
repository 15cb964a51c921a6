package check

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/sasl"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestCheckSASL(t *testing.T) {
	tok := jwt(t, delegated(nil))
	graph := jwt(t, delegated(func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" }))
	tests := []struct {
		name, blob string
		opt        Options
		mechanism  string
		parsed     bool
		errors     []string
		want       []string
	}{
		{name: "healthy xoauth2", blob: base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("alice@contoso.test", tok)),
			opt: Options{For: "imap", User: "alice@contoso.test"}, mechanism: "XOAUTH2", parsed: true},
		{name: "healthy xoauth2 google", blob: b64("user=bob@gmail.test\x01auth=Bearer ya29.a0example\x01\x01"),
			mechanism: "XOAUTH2", parsed: true, want: []string{"GM-01"}},
		{name: "healthy line from a log", blob: "A1 AUTHENTICATE XOAUTH2 " + base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("alice@contoso.test", tok)),
			mechanism: "XOAUTH2", parsed: true},
		{name: "typed ^A", blob: b64("user=alice@contoso.test^Aauth=Bearer " + tok + "^A^A"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{`the characters \"^A\", not the byte 0x01`, "NO AUTHENTICATE failed."}},
		{name: "typed \\x01", blob: b64(`user=alice@contoso.test\x01auth=Bearer ` + tok + `\x01\x01`), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{`\\\\x01`}},
		{name: "one final separator", blob: b64("user=a@b.test\x01auth=Bearer " + tok + "\x01"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{"ends with 1 0x01 byte(s)"}},
		{name: "no space after Bearer", blob: b64("user=a@b.test\x01auth=Bearer" + tok + "\x01\x01"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{"no space after Bearer"}},
		{name: "two spaces", blob: b64("user=a@b.test\x01auth=Bearer  " + tok + "\x01\x01"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{"two spaces after Bearer"}},
		{name: "space before Bearer", blob: b64("user=a@b.test\x01auth= Bearer " + tok + "\x01\x01"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{"a space between auth= and Bearer"}},
		{name: "another scheme", blob: b64("user=a@b.test\x01auth=OAuth " + tok + "\x01\x01"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{`the scheme is \"OAuth\"`}},
		{name: "auth key misspelt", blob: b64("user=a@b.test\x01Auth=Bearer " + tok + "\x01\x01"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{"not auth="}},
		{name: "empty user", blob: b64("user=\x01auth=Bearer " + tok + "\x01\x01"), mechanism: "XOAUTH2",
			errors: []string{"GM-02"}, want: []string{"user= is empty"}},
		{name: "missing padding", blob: strings.TrimRight(base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("alice@contoso.test", tok+"x")), "="),
			mechanism: "XOAUTH2", parsed: true, errors: []string{"GM-02"}, want: []string{"padding"}},
		{name: "plain text", blob: "user=alice@contoso.test\x01auth=Bearer " + tok + "\x01\x01", mechanism: "XOAUTH2", parsed: true,
			errors: []string{"GM-02"}, want: []string{"plain text, not base64"}},
		{name: "user= another mailbox", blob: base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("bob@contoso.test", tok)),
			opt: Options{For: "smtp", User: "alice@contoso.test"}, mechanism: "XOAUTH2", parsed: true, errors: []string{"F-03"}, want: []string{`user= \"bob@contoso.test\"`}},
		{name: "user= is not the token's user", blob: base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("bob@contoso.test", tok)),
			opt: Options{For: "imap"}, mechanism: "XOAUTH2", parsed: true, errors: []string{"F-19"}, want: []string{`upn \"alice@contoso.test\"`}},
		{name: "graph token inside", blob: base64.StdEncoding.EncodeToString(sasl.EncodeXOAUTH2("alice@contoso.test", graph)),
			opt: Options{For: "smtp"}, mechanism: "XOAUTH2", parsed: true, errors: []string{"F-01"}},
		{name: "healthy oauthbearer", blob: b64("n,a=alice@contoso.test,\x01host=imap.gmail.com\x01port=993\x01auth=Bearer ya29.a0example\x01\x01"),
			mechanism: "OAUTHBEARER", parsed: true, want: []string{"F-17"}},
		{name: "oauthbearer to exchange", blob: b64("n,a=alice@contoso.test,\x01auth=Bearer " + tok + "\x01\x01"),
			mechanism: "OAUTHBEARER", parsed: true, want: []string{"F-17", "Exchange Online does not"}},
		{name: "oauthbearer without user", blob: b64("n,,\x01auth=Bearer ya29.a0example\x01\x01"),
			mechanism: "OAUTHBEARER", parsed: true, errors: []string{"X-01"}, want: []string{"n,a=alice@example.com,"}},
		{name: "gs2 header without final comma", blob: b64("n,a=alice@contoso.test\x01auth=Bearer ya29.x\x01\x01"),
			mechanism: "OAUTHBEARER", errors: []string{"X-01"}, want: []string{"lacks its final comma"}},
		{name: "gs2 channel binding", blob: b64("p=tls-unique,,\x01auth=Bearer ya29.x\x01\x01"),
			mechanism: "OAUTHBEARER", errors: []string{"X-01"}, want: []string{"channel binding"}},
		{name: "oauthbearer typed ^A", blob: b64("n,a=alice@contoso.test,^Aauth=Bearer ya29.x^A^A"),
			mechanism: "OAUTHBEARER", errors: []string{"X-01"}, want: []string{`\"^A\"`}},
		{name: "oauthbearer Bearer spelling", blob: b64("n,a=a@b.test,\x01auth=Bearerya29.x\x01\x01"),
			mechanism: "OAUTHBEARER", errors: []string{"X-01"}, want: []string{"no space after Bearer"}},
		{name: "neither", blob: b64("hello"), errors: []string{"GM-02"}, want: []string{"neither XOAUTH2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Now = now
			r, err := CheckSASL(tt.blob, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.SASL.Mechanism != tt.mechanism || r.SASL.Parsed != tt.parsed {
				t.Errorf("mechanism %q parsed %t, want %q %t", r.SASL.Mechanism, r.SASL.Parsed, tt.mechanism, tt.parsed)
			}
			if got := strings.Join(ids(r, Error), " "); got != strings.Join(tt.errors, " ") {
				t.Errorf("error findings %q, want %q: %+v", got, tt.errors, r.Findings)
			}
			all, _ := json.Marshal(r)
			for _, w := range tt.want {
				if !strings.Contains(string(all), w) {
					t.Errorf("the report lacks %q: %s", w, all)
				}
			}
			if strings.Contains(string(all), tok) || strings.Contains(string(all), "a0example") {
				t.Errorf("the report prints the token: %s", all)
			}
		})
	}
}

func TestCheckSASLUndecodable(t *testing.T) {
	for _, tt := range []struct{ blob, where string }{
		{"", "empty"},
		{"dXNlcj1h*GI=", "character 9: '*'"},
	} {
		if _, err := CheckSASL(tt.blob, Options{Now: now}); err == nil || !strings.Contains(err.Error(), tt.where) {
			t.Errorf("CheckSASL(%q): %v, want an error saying %q", tt.blob, err, tt.where)
		}
	}
}
