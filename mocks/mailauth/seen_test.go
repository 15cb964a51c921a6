package mailauth_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// TestSeen: the gate's event says the user= sent, whose token it was and
// its client, as the rule found them, and the rule's detail of a refusal;
// a password's refusal says why; nothing of the token.
func TestSeen(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		login  mailauth.Login
		rule   mailauth.Verdict
		seen   map[string]string
		detail string
	}{{
		name:  "accepted",
		login: mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "the-token"},
		rule:  mailauth.Verdict{OK: true, Client: "app", TokenUser: "a@x.test", Detail: "stray"},
		seen:  map[string]string{"sasl_user": "a@x.test", "token_user": "a@x.test", "token_client": "app"},
	}, {
		name:  "another user's token",
		login: mailauth.Login{Mechanism: "XOAUTH2", User: "b@x.test", Token: "the-token"},
		rule: mailauth.Verdict{Reason: mailauth.ReasonWrongUser, Client: "app", TokenUser: "a@x.test",
			Detail: "user= b@x.test, token issued to a@x.test"},
		seen:   map[string]string{"sasl_user": "b@x.test", "token_user": "a@x.test", "token_client": "app"},
		detail: "user= b@x.test, token issued to a@x.test",
	}, {
		name:   "a token that did not resolve",
		login:  mailauth.Login{Mechanism: "OAUTHBEARER", User: "a@x.test", Token: "the-token"},
		rule:   mailauth.Verdict{Reason: mailauth.ReasonUnknownToken, Detail: "not issued here"},
		seen:   map[string]string{"sasl_user": "a@x.test"},
		detail: "not issued here",
	}, {
		name:   "a password",
		login:  mailauth.Login{Mechanism: "PLAIN", User: "a@x.test"},
		seen:   map[string]string{"sasl_user": "a@x.test"},
		detail: "PLAIN sends a password; only a bearer token (XOAUTH2, OAUTHBEARER) is accepted",
	}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g, w := gate(&rule{verdict: c.rule})
			g.Authenticate(t.Context(), c.login)
			e := w.Events()
			if len(e) != 1 || !maps.Equal(e[0].Seen, c.seen) || e[0].Detail != c.detail {
				t.Fatalf("events %+v, want seen %v and detail %q", e, c.seen, c.detail)
			}
			if strings.Contains(e[0].Detail, "the-token") {
				t.Errorf("the detail carries the token")
			}
		})
	}
}

// TestMalformedDetail: a bearer message that does not parse is recorded
// with where it goes wrong, and without its token.
func TestMalformedDetail(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]string{
		"user=a@x.test^Aauth=Bearer the-token^A^A":        "typed ^A",
		"user=a@x.test auth=Bearer the-token":             "no \\x01 separators",
		"auth=Bearer the-token\x01user=a@x.test\x01\x01":  "does not start with user=",
		"user=a@x.test\x01auth=Bearer\x01\x01":            "no auth=Bearer field",
		"user=a@x.test\x01auth=bearer  the-token\x01\x01": "no auth=Bearer field",
		"": "an empty XOAUTH2 message",
	} {
		g, w := gate(&rule{verdict: mailauth.Verdict{OK: true}})
		a := &answers{}
		run(g.SASL(t.Context(), "XOAUTH2", a.answer), []byte(msg))
		e := w.Events()
		if len(e) != 1 || e[0].Reason != "malformed" || !strings.Contains(e[0].Detail, want) || strings.Contains(e[0].Detail, "the-token") ||
			len(e[0].Seen) != 0 {
			t.Errorf("%q: events %+v, want a detail with %q", msg, e, want)
		}
	}
	g, w := gate(&rule{verdict: mailauth.Verdict{OK: true}})
	run(g.SASL(t.Context(), "OAUTHBEARER", (&answers{}).answer), []byte("a=a@x.test,\x01auth=Bearer the-token\x01\x01"))
	if e := w.Events(); len(e) != 1 || !strings.Contains(e[0].Detail, "no GS2 header") {
		t.Errorf("OAUTHBEARER without GS2 header: %+v", e)
	}
}
