package client

import (
	"strings"
	"testing"
)

func TestParsePage(t *testing.T) {
	t.Parallel()
	doc := `<!DOCTYPE html><html><head><title>Consent - Google</title><style>p{}</style></head><body>
<h1>App wants access</h1>
<form id="consent" method="post" action="/auth?x=1">
<input type="hidden" name="csrf" value="tok">
<button type="submit" name="consent" value="deny">Cancel</button>
<button type="submit" name="consent" value="allow">Allow</button>
</form><form id="other"><input name="q"></form></body></html>`
	p, err := parsePage(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Consent - Google" || !strings.Contains(p.Text, "App wants access") || strings.Contains(p.Text, "p{}") {
		t.Fatalf("title %q text %q", p.Title, p.Text)
	}
	f, ok := p.form("consent")
	if !ok || f.Method != "POST" || f.Action != "/auth?x=1" || f.Fields.Get("csrf") != "tok" {
		t.Fatalf("form %+v", f)
	}
	if got := f.Buttons["consent"]; len(got) != 2 || got[1] != "allow" {
		t.Fatalf("buttons %v", got)
	}
	if _, ok := p.form("other"); !ok {
		t.Fatal("second form lost")
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	if got := Redact("ya29.a0ARrdaM-secret"); got != "ya29.a…" {
		t.Fatalf("Redact: %q", got)
	}
	if got := Redact("abc"); got != "***" {
		t.Fatalf("Redact short: %q", got)
	}
	q := redactQuery("token=ya29.secretsecret&state=keep")
	if strings.Contains(q, "secretsecret") || !strings.Contains(q, "state=keep") {
		t.Fatalf("redactQuery: %q", q)
	}
	body := redactJSON([]byte(`{"access_token": "ya29.secretsecret", "refresh_token":"1//secretsecret","scope":"s"}`))
	if strings.Contains(string(body), "secretsecret") || !strings.Contains(string(body), `"scope":"s"`) {
		t.Fatalf("redactJSON: %s", body)
	}
}

func FuzzParsePage(f *testing.F) {
	f.Add(`<form id="signin" method="post" action="/x"><input name="a" value="b"><button name="c" value="d"></form>`)
	f.Add(`<title></title><form><form><input>`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := parsePage(strings.NewReader(doc))
		if err != nil {
			return
		}
		for _, fm := range p.Forms {
			if fm.Fields == nil || fm.Buttons == nil {
				t.Fatal("form without field maps")
			}
		}
	})
}

func FuzzRedactJSON(f *testing.F) {
	f.Add(`{"access_token":"ya29.abcdefghij"}`)
	f.Add(`{"refresh_token" : "1//abc\"def"}`)
	f.Fuzz(func(t *testing.T, body string) {
		out := string(redactJSON([]byte(body)))
		if strings.Count(out, `"`) > strings.Count(body, `"`) {
			t.Fatalf("redaction added quotes: %q -> %q", body, out)
		}
	})
}
