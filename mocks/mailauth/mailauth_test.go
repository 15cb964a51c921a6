package mailauth_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// rule is a mail rule that answers with verdict and keeps what it was
// asked, and with which context.
type rule struct {
	verdict mailauth.Verdict
	asked   []mailauth.Login
	ctx     context.Context
}

func (r *rule) CheckMail(ctx context.Context, l mailauth.Login) mailauth.Verdict {
	r.asked, r.ctx = append(r.asked, l), ctx
	return r.verdict
}

// gate returns a gate of provider "p" for SMTP over a new world, with r.
func gate(r *rule) (mailauth.Gate, *world.World) {
	w := world.New()
	return mailauth.NewGate("p", "smtp", w, r), w
}

// logins are the events of the audit log that are not faults.
func logins(w *world.World) []world.Event {
	var out []world.Event
	for _, e := range w.Events() {
		if e.Mechanism != "fault" {
			out = append(out, world.Event{Provider: e.Provider, Protocol: e.Protocol, Mechanism: e.Mechanism,
				User: e.User, Client: e.Client, Outcome: e.Outcome, Reason: e.Reason})
		}
	}
	return out
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	refused := func(reason mailauth.Reason) mailauth.Verdict {
		return mailauth.Verdict{Reason: reason, Client: "app", Challenge: []byte(`{"status":"400"}`)}
	}
	for _, c := range []struct {
		name   string
		login  mailauth.Login
		rule   mailauth.Verdict
		want   mailauth.Verdict
		asks   bool          // whether the rule is asked
		events []world.Event // the login's events
	}{{
		name:  "a token the rule accepts opens the user's mailbox",
		login: mailauth.Login{Protocol: "imap", Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"},
		// A rule's stray reason and challenge do not go with an OK.
		rule: mailauth.Verdict{OK: true, Client: "app", Reason: mailauth.ReasonExpired, Challenge: []byte("{}")},
		want: mailauth.Verdict{OK: true, User: "a@x.test", Client: "app"},
		asks: true,
		events: []world.Event{{Provider: "p", Protocol: "smtp", Mechanism: "XOAUTH2", User: "a@x.test", Client: "app",
			Outcome: "ok"}},
	}, {
		name:  "OAUTHBEARER goes to the rule too",
		login: mailauth.Login{Mechanism: "OAUTHBEARER", User: "a@x.test", Token: "t"},
		rule:  mailauth.Verdict{OK: true},
		want:  mailauth.Verdict{OK: true, User: "a@x.test"},
		asks:  true,
		events: []world.Event{{Provider: "p", Protocol: "smtp", Mechanism: "OAUTHBEARER", User: "a@x.test",
			Outcome: "ok"}},
	}, {
		name:  "a token the rule refuses keeps its reason and challenge",
		login: mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "old"},
		rule:  refused(mailauth.ReasonExpired),
		want:  refused(mailauth.ReasonExpired),
		asks:  true,
		events: []world.Event{{Provider: "p", Protocol: "smtp", Mechanism: "XOAUTH2", User: "a@x.test", Client: "app",
			Outcome: "refused", Reason: "expired"}},
	}, {
		name:  "PLAIN is basic authentication, refused without the rule",
		login: mailauth.Login{Mechanism: "PLAIN", User: "a@x.test"},
		rule:  mailauth.Verdict{OK: true},
		want:  mailauth.Verdict{Reason: mailauth.ReasonBasicAuth},
		events: []world.Event{{Provider: "p", Protocol: "smtp", Mechanism: "PLAIN", User: "a@x.test",
			Outcome: "refused", Reason: "basic_auth"}},
	}, {
		name:  "LOGIN is basic authentication",
		login: mailauth.Login{Mechanism: "LOGIN", User: "a@x.test", Token: "not a token"},
		rule:  mailauth.Verdict{OK: true},
		want:  mailauth.Verdict{Reason: mailauth.ReasonBasicAuth},
		events: []world.Event{{Provider: "p", Protocol: "smtp", Mechanism: "LOGIN", User: "a@x.test",
			Outcome: "refused", Reason: "basic_auth"}},
	}, {
		name:  "USER/PASS is basic authentication",
		login: mailauth.Login{Mechanism: mailauth.UserPass, User: "a@x.test"},
		rule:  mailauth.Verdict{OK: true},
		want:  mailauth.Verdict{Reason: mailauth.ReasonBasicAuth},
		events: []world.Event{{Provider: "p", Protocol: "smtp", Mechanism: "USER/PASS", User: "a@x.test",
			Outcome: "refused", Reason: "basic_auth"}},
	}, {
		name:  "another advertised mechanism is refused, unrecorded",
		login: mailauth.Login{Mechanism: "PLAIN-CLIENTTOKEN", User: "a@x.test", Token: "t"},
		rule:  mailauth.Verdict{OK: true},
		want:  mailauth.Verdict{Reason: mailauth.ReasonMechanism},
	}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := &rule{verdict: c.rule}
			g, w := gate(r)
			got := g.Authenticate(t.Context(), c.login)
			if !equal(got, c.want) {
				t.Errorf("verdict %+v, want %+v", got, c.want)
			}
			if asked := len(r.asked) > 0; asked != c.asks {
				t.Errorf("rule asked: %v, want %v", asked, c.asks)
			}
			if c.asks && (r.asked[0].Protocol != "smtp" || r.asked[0].Token != c.login.Token || r.asked[0].User != c.login.User ||
				r.asked[0].Mechanism != c.login.Mechanism) {
				t.Errorf("rule asked %+v: the protocol is the gate's, the rest the login's", r.asked[0])
			}
			if got := logins(w); !reflect.DeepEqual(got, c.events) {
				t.Errorf("events %+v, want %+v", got, c.events)
			}
		})
	}
}

func equal(a, b mailauth.Verdict) bool {
	return a.OK == b.OK && a.Reason == b.Reason && a.User == b.User && a.Client == b.Client && string(a.Challenge) == string(b.Challenge) &&
		(a.Challenge == nil) == (b.Challenge == nil)
}

// ctxKey marks the context the rule must be given.
type ctxKey struct{}

func TestAuthenticateGivesTheRuleTheContext(t *testing.T) {
	t.Parallel()
	r := &rule{verdict: mailauth.Verdict{OK: true}}
	g, _ := gate(r)
	ctx := context.WithValue(t.Context(), ctxKey{}, "the connection's")
	g.Authenticate(ctx, mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"})
	if r.ctx == nil || r.ctx.Value(ctxKey{}) != "the connection's" {
		t.Fatal("the rule was not given the caller's context")
	}
}

func TestAuthenticateFaults(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind    string
		delayMS int
		want    mailauth.Reason
	}{
		{kind: world.FaultUnavailable, want: mailauth.ReasonUnavailable},
		{kind: world.FaultServerError, want: mailauth.ReasonServerError},
		{kind: world.FaultDisconnect, want: mailauth.ReasonDisconnect},
	} {
		for _, mech := range []string{"XOAUTH2", "PLAIN", mailauth.UserPass} {
			t.Run(c.kind+" "+mech, func(t *testing.T) {
				t.Parallel()
				r := &rule{verdict: mailauth.Verdict{OK: true}}
				g, w := gate(r)
				arm(t, w, world.Fault{Target: "p.smtp", Kind: c.kind, Count: 1})
				v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: mech, User: "a@x.test", Token: "t"})
				if v.OK || v.Reason != c.want {
					t.Fatalf("verdict %+v, want reason %s", v, c.want)
				}
				if len(r.asked) != 0 || len(logins(w)) != 0 {
					t.Fatalf("a fault let the login through: asked %v, events %v", r.asked, logins(w))
				}
				// The fault was armed once: the next login is the rule's.
				if v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"}); !v.OK {
					t.Fatalf("after the fault: %+v", v)
				}
			})
		}
	}
	t.Run("a fault at another server is not this one's", func(t *testing.T) {
		t.Parallel()
		g, w := gate(&rule{verdict: mailauth.Verdict{OK: true}})
		mailauth.NewGate("p", "imap", w, nil)
		arm(t, w, world.Fault{Target: "p.imap", Kind: world.FaultUnavailable})
		if v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"}); !v.OK {
			t.Fatalf("%+v", v)
		}
	})
	t.Run("a malformed or unoffered mechanism does not take the fault", func(t *testing.T) {
		t.Parallel()
		g, w := gate(&rule{verdict: mailauth.Verdict{OK: true}})
		arm(t, w, world.Fault{Target: "p.smtp", Kind: world.FaultUnavailable, Count: 1})
		if v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: "XOAUTH", User: "a@x.test"}); v.Reason != mailauth.ReasonMechanism {
			t.Fatalf("%+v", v)
		}
		if len(w.Faults()) != 1 {
			t.Fatal("the fault was taken")
		}
	})
	t.Run("a throttled fault lets the rule decide and marks the login", func(t *testing.T) {
		t.Parallel()
		r := &rule{verdict: mailauth.Verdict{OK: true}}
		g, w := gate(r)
		arm(t, w, world.Fault{Target: "p.smtp", Kind: world.FaultThrottled, Count: 1})
		if v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"}); !v.OK || !v.Throttled || len(r.asked) != 1 {
			t.Fatalf("%+v, asked %v", v, r.asked)
		}
		if v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"}); !v.OK || v.Throttled {
			t.Fatalf("the next login: %+v", v)
		}
		r.verdict = mailauth.Verdict{Reason: mailauth.ReasonExpired}
		arm(t, w, world.Fault{Target: "p.smtp", Kind: world.FaultThrottled, Count: 1})
		if v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"}); v.OK || v.Throttled {
			t.Fatalf("a refused login is not throttled: %+v", v)
		}
	})
	t.Run("a delay, then the rule's verdict", func(t *testing.T) {
		t.Parallel()
		r := &rule{verdict: mailauth.Verdict{OK: true}}
		g, w := gate(r)
		arm(t, w, world.Fault{Target: "p.smtp", Kind: world.FaultDelay, DelayMS: 1, Count: 1})
		if v := g.Authenticate(t.Context(), mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"}); !v.OK || len(r.asked) != 1 {
			t.Fatalf("%+v, asked %v", v, r.asked)
		}
		if len(w.Faults()) != 0 {
			t.Fatal("the delay was not taken")
		}
	})
	t.Run("a delay ends with the connection's context", func(t *testing.T) {
		t.Parallel()
		r := &rule{verdict: mailauth.Verdict{OK: true}}
		g, w := gate(r)
		arm(t, w, world.Fault{Target: "p.smtp", Kind: world.FaultDelay, DelayMS: int(world.MaxFaultDelay.Milliseconds())})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		v := g.Authenticate(ctx, mailauth.Login{Mechanism: "XOAUTH2", User: "a@x.test", Token: "t"})
		if v.Reason != mailauth.ReasonDisconnect || len(r.asked) != 0 || len(logins(w)) != 0 {
			t.Fatalf("%+v, asked %v, events %v", v, r.asked, logins(w))
		}
	})
}

func arm(t *testing.T, w *world.World, f world.Fault) {
	t.Helper()
	if _, err := w.ArmFault(f); err != nil {
		t.Fatal(err)
	}
}

func TestVerdictOutcome(t *testing.T) {
	t.Parallel()
	if (mailauth.Verdict{OK: true}).Outcome() != "ok" || (mailauth.Verdict{}).Outcome() != "refused" {
		t.Fatal("outcomes")
	}
}

func TestOffers(t *testing.T) {
	t.Parallel()
	mechs := []string{"XOAUTH2", "OAUTHBEARER"}
	if !mailauth.Offers(mechs, "xoauth2") || mailauth.Offers(mechs, "PLAIN") {
		t.Fatal("Offers")
	}
}

func TestPanicLog(t *testing.T) {
	t.Parallel()
	w := world.New()
	l := mailauth.PanicLog{World: w, Provider: "p", Protocol: "imap"}
	l.Printf("panic serving %v: boom\ngoroutine 1", "127.0.0.1")
	l.Println("accept error: closed")
	want := []world.Event{{Provider: "p", Protocol: "imap", Mechanism: "server", Outcome: "panic", Reason: "panic serving 127.0.0.1: boom"}}
	if got := logins(w); !reflect.DeepEqual(got, want) {
		t.Fatalf("%+v", got)
	}
	mailauth.PanicLog{}.Printf("panic without a world") // no world: dropped
}

func TestExpand(t *testing.T) {
	t.Parallel()
	if got := mailauth.Expand("ready {ip} {id}", "ID1", "10.0.0.1"); got != "ready 10.0.0.1 ID1" {
		t.Fatal(got)
	}
	got := mailauth.Expand("[{date}] {ts}", "", "")
	if strings.Contains(got, "{") || !strings.Contains(got, " +0000]") || !strings.HasSuffix(got, "Z") {
		t.Fatal(got)
	}
	if got := mailauth.Expand("plain", "x", "y"); got != "plain" {
		t.Fatal(got)
	}
}
