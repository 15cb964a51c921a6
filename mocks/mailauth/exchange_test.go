package mailauth_test

import (
	"errors"
	"fmt"
	"testing"

	gosasl "github.com/emersion/go-sasl"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/sasl"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// answers is a protocol session's Answer that keeps the verdicts: a
// refusal is an error naming its reason, a success nil.
type answers struct{ got []mailauth.Verdict }

func (a *answers) answer(v mailauth.Verdict) error {
	a.got = append(a.got, v)
	if v.OK {
		return nil
	}
	return fmt.Errorf("refused: %s", v.Reason)
}

// exchange runs mech's SASL server over responses, and returns every
// step's challenge and the result.
type step struct {
	challenge string
	done      bool
	err       string
}

func run(s gosasl.Server, responses ...[]byte) []step {
	var out []step
	for _, r := range responses {
		ch, done, err := s.Next(r)
		st := step{challenge: string(ch), done: done}
		if err != nil {
			st.err = err.Error()
		}
		out = append(out, st)
		if done {
			break
		}
	}
	return out
}

func TestSASL(t *testing.T) {
	t.Parallel()
	ir := sasl.EncodeXOAUTH2("a@x.test", "t")
	bearer := []byte("n,a=a@x.test,\x01auth=Bearer t\x01\x01")
	challenge := []byte(`{"status":"400"}`)
	ok := mailauth.Verdict{OK: true, Client: "app"}
	refused := mailauth.Verdict{Reason: mailauth.ReasonWrongScope, Challenge: challenge}
	for _, c := range []struct {
		name      string
		mech      string
		rule      mailauth.Verdict
		responses [][]byte
		steps     []step
		answered  []mailauth.Reason // the reasons the answer was given ("" for OK)
	}{
		{name: "success with an initial response", mech: "XOAUTH2", rule: ok, responses: [][]byte{ir},
			steps: []step{{done: true}}, answered: []mailauth.Reason{""}},
		{name: "mechanism names in any case", mech: "xoauth2", rule: ok, responses: [][]byte{ir},
			steps: []step{{done: true}}, answered: []mailauth.Reason{""}},
		{name: "an empty challenge first without an initial response", mech: "OAUTHBEARER", rule: ok,
			responses: [][]byte{nil, bearer}, steps: []step{{}, {done: true}}, answered: []mailauth.Reason{""}},
		{name: "an error challenge, an empty acknowledgement, the failure", mech: "XOAUTH2", rule: refused,
			responses: [][]byte{ir, {}, {}},
			steps:     []step{{challenge: string(challenge)}, {done: true, err: "refused: wrong_scope"}},
			answered:  []mailauth.Reason{mailauth.ReasonWrongScope}},
		{name: "an error challenge acknowledged with %x01 (X-02)", mech: "OAUTHBEARER", rule: refused,
			responses: [][]byte{bearer, {0x01}},
			steps:     []step{{challenge: string(challenge)}, {done: true, err: "refused: wrong_scope"}},
			answered:  []mailauth.Reason{mailauth.ReasonWrongScope}},
		{name: "a refusal without a challenge fails at once", mech: "XOAUTH2", rule: mailauth.Verdict{Reason: mailauth.ReasonExpired},
			responses: [][]byte{ir}, steps: []step{{done: true, err: "refused: expired"}},
			answered: []mailauth.Reason{mailauth.ReasonExpired}},
		{name: "malformed XOAUTH2", mech: "XOAUTH2", rule: ok, responses: [][]byte{bearer},
			steps: []step{{done: true, err: "refused: malformed"}}, answered: []mailauth.Reason{mailauth.ReasonMalformed}},
		{name: "malformed OAUTHBEARER", mech: "OAUTHBEARER", rule: ok, responses: [][]byte{ir},
			steps: []step{{done: true, err: "refused: malformed"}}, answered: []mailauth.Reason{mailauth.ReasonMalformed}},
		{name: "PLAIN is basic authentication", mech: "PLAIN", rule: ok, responses: [][]byte{[]byte("\x00a@x.test\x00pw")},
			steps: []step{{done: true, err: "refused: basic_auth"}}, answered: []mailauth.Reason{mailauth.ReasonBasicAuth}},
		{name: "LOGIN asks for the user name and the password", mech: "LOGIN", rule: ok,
			responses: [][]byte{nil, []byte("a@x.test"), []byte("pw")},
			steps:     []step{{challenge: "Username:"}, {challenge: "Password:"}, {done: true, err: "refused: basic_auth"}},
			answered:  []mailauth.Reason{mailauth.ReasonBasicAuth}},
		{name: "LOGIN with the user name as initial response", mech: "LOGIN", rule: ok,
			responses: [][]byte{[]byte("a@x.test"), []byte("pw")},
			steps:     []step{{challenge: "Password:"}, {done: true, err: "refused: basic_auth"}},
			answered:  []mailauth.Reason{mailauth.ReasonBasicAuth}},
		{name: "another mechanism fails at once", mech: "XOAUTH", rule: ok, responses: [][]byte{nil},
			steps: []step{{done: true, err: "refused: mechanism"}}, answered: []mailauth.Reason{mailauth.ReasonMechanism}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := &rule{verdict: c.rule}
			g, w := gate(r)
			a := &answers{}
			steps := run(g.SASL(t.Context(), c.mech, a.answer), c.responses...)
			if fmt.Sprint(steps) != fmt.Sprint(c.steps) {
				t.Errorf("steps %+v, want %+v", steps, c.steps)
			}
			var reasons []mailauth.Reason
			for _, v := range a.got {
				reasons = append(reasons, v.Reason)
			}
			if fmt.Sprint(reasons) != fmt.Sprint(c.answered) {
				t.Errorf("answered %v, want %v", reasons, c.answered)
			}
			if len(a.got) == 1 && a.got[0].OK && a.got[0].User != "a@x.test" {
				t.Errorf("accepted %+v without the user", a.got[0])
			}
			if c.answered[0] == mailauth.ReasonMalformed {
				// It does not reach the rule; the log says it, and why.
				if e := w.Events(); len(r.asked) != 0 || len(e) != 1 || e[0].Reason != "malformed" || e[0].Detail == "" {
					t.Errorf("a malformed message reached the rule (%v), or the log says %+v", r.asked, e)
				}
			}
			if c.mech == "PLAIN" || c.mech == "LOGIN" {
				if e := logins(w); len(e) != 1 || e[0].User != "a@x.test" || e[0].Mechanism != c.mech {
					t.Errorf("events %+v", e)
				}
			}
		})
	}
}

func TestSASLEndsOnce(t *testing.T) {
	t.Parallel()
	g, _ := gate(&rule{verdict: mailauth.Verdict{Reason: mailauth.ReasonWrongUser, Challenge: []byte("{}")}})
	a := &answers{}
	s := g.SASL(t.Context(), "XOAUTH2", a.answer)
	_, _, _ = s.Next(sasl.EncodeXOAUTH2("a@x.test", "t"))
	_, _, _ = s.Next([]byte{})
	if _, done, err := s.Next([]byte{}); !done || !errors.Is(err, gosasl.ErrUnexpectedClientResponse) {
		t.Fatalf("a finished exchange took more: %v %v", done, err)
	}
	if len(a.got) != 1 {
		t.Fatalf("answered %d times", len(a.got))
	}
}

func TestSASLDisconnect(t *testing.T) {
	t.Parallel()
	g, w := gate(&rule{verdict: mailauth.Verdict{OK: true}})
	arm(t, w, world.Fault{Target: "p.smtp", Kind: world.FaultDisconnect, Count: 1})
	a := &answers{}
	steps := run(g.SASL(t.Context(), "XOAUTH2", a.answer), sasl.EncodeXOAUTH2("a@x.test", "t"))
	if len(a.got) != 1 || a.got[0].Reason != mailauth.ReasonDisconnect || len(steps) != 1 || !steps[0].done {
		t.Fatalf("answered %+v, steps %+v", a.got, steps)
	}
}

// FuzzSASL feeds any two messages to the bearer exchanges: each must end
// by the acknowledgement of its error challenge, and answer once.
func FuzzSASL(f *testing.F) {
	f.Add([]byte("n,,\x01auth=Bearer t\x01\x01"), []byte{1})
	f.Add(sasl.EncodeXOAUTH2("a@x.test", "t"), []byte{})
	f.Fuzz(func(t *testing.T, first, second []byte) {
		for _, mech := range []string{sasl.XOAUTH2, sasl.OAuthBearer} {
			g, _ := gate(&rule{verdict: mailauth.Verdict{Reason: mailauth.ReasonUnknownToken, Challenge: []byte("{}")}})
			a := &answers{}
			s := g.SASL(t.Context(), mech, a.answer)
			_, done, _ := s.Next(first)
			if !done {
				if _, done, _ = s.Next(second); !done {
					t.Fatal("the exchange did not end after the acknowledgement")
				}
			}
			if len(a.got) != 1 {
				t.Fatalf("answered %d times", len(a.got))
			}
		}
	})
}
