package steps

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// seenScenario is an @app scenario's state whose world's audit log holds
// events, with their Seen entries as the recording fills them.
func seenScenario(t *testing.T, events ...world.Event) *scenario {
	t.Helper()
	srv, err := mocks.New(mocks.Options{Providers: []string{"google"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s := &scenario{server: srv, providerName: "google"}
	s.run.reg = world.Client{ID: "app"}
	s.run.redirect = "http://localhost:4242/"
	for _, e := range events {
		srv.World.Record(e)
	}
	return s
}

func authorizeEvent(seen map[string]string) world.Event {
	return world.Event{Protocol: "oauth", Mechanism: "authorize", Client: "app", Outcome: "ok", Seen: seen}
}

// TestSeenSteps: the steps that read what the world saw pass on the
// right entries and fail, naming what was seen, on others.
func TestSeenSteps(t *testing.T) {
	t.Parallel()
	good := seenScenario(t,
		authorizeEvent(map[string]string{"access_type": "offline", "state": "sent", "scope": "https://mail.google.com/ openid",
			"redirect_uri": "http://localhost:4242/", "prompt": "consent"}),
		world.Event{Protocol: "oauth", Mechanism: "authorization_code", Client: "app", Outcome: "ok",
			Seen: map[string]string{"client_auth": "client_secret_post", "code_verifier": "sent"}},
		world.Event{Protocol: "oauth", Mechanism: "refresh_token", Client: "app", Outcome: "ok", Seen: map[string]string{"refresh_generation": "1"}},
		world.Event{Protocol: "oauth", Mechanism: "refresh_token", Client: "app", Outcome: "ok", Seen: map[string]string{"refresh_generation": "2"}},
		world.Event{Protocol: "smtp", Mechanism: "XOAUTH2", User: "alice@gmail.test", Client: "app", Outcome: "ok",
			Seen: map[string]string{"transport": "starttls", "token_user": "alice@gmail.test"}},
		world.Event{Protocol: "smtp", Mechanism: "message", User: "alice@gmail.test", Outcome: "ok",
			Seen: map[string]string{"from": "alice@gmail.test", "to": "bob@gmail.test", "subject": "x"}},
	)
	for name, err := range map[string]error{
		"access_type":  good.appAuthorizeCarried("access_type", "offline"),
		"state":        good.appAuthorizeCarried("state", "sent"),
		"no login":     good.appAuthorizeLacked("login_hint"),
		"scope in":     good.appAuthorizeScope("includes", "https://mail.google.com/"),
		"scope out":    good.appAuthorizeScope("does not include", "https://www.googleapis.com/auth/gmail.send"),
		"redirect":     good.appAuthorizeRedirect(),
		"client_auth":  good.appTokenCarried("authorization_code", "client_auth", "client_secret_post"),
		"generation":   good.appRefreshGeneration("2"),
		"transport":    good.appMailTransport("smtp", "starttls"),
		"mail auth":    good.appMailAuthWas("smtp", "XOAUTH2", "alice@gmail.test"),
		"count":        good.appSawRequests("2", "refresh_token"),
		"at most":      good.appSawRequests("at most 2", "refresh_token"),
		"none":         good.appSawRequests("no", "client_credentials"),
		"smtp ok":      good.appSawMailAuth("an accepted", "smtp"),
		"no imap auth": good.appSawMailAuth("no", "imap"),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := seenScenario(t,
		authorizeEvent(map[string]string{"state": "absent", "scope": "https://www.googleapis.com/auth/gmail.send",
			"redirect_uri": "http://localhost:3017/", "login_hint": "alice@gmail.test"}),
		world.Event{Protocol: "oauth", Mechanism: "refresh_token", Client: "app", Outcome: "ok", Seen: map[string]string{"refresh_generation": "1"}},
		world.Event{Protocol: "oauth", Mechanism: "refresh_token", Client: "app", Outcome: "ok", Seen: map[string]string{"refresh_generation": "1"}},
		world.Event{Protocol: "smtp", Mechanism: "XOAUTH2", User: "bob@gmail.test", Client: "app", Outcome: "refused"},
		world.Event{Protocol: "imap", Mechanism: "XOAUTH2", User: "alice@gmail.test", Client: "other", Outcome: "ok"},
		world.Event{Protocol: "pop3", Mechanism: "XOAUTH2", User: "alice@gmail.test", Client: "app", Outcome: "ok",
			Seen: map[string]string{"token_user": "bob@gmail.test", "transport": "plain"}},
	)
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"access_type": {bad.appAuthorizeCarried("access_type", "offline"), `carried access_type="" (present: false), not "offline"`},
		"state":       {bad.appAuthorizeCarried("state", "sent"), `carried state="absent"`},
		"login_hint":  {bad.appAuthorizeLacked("login_hint"), `carried login_hint="alice@gmail.test"`},
		"scope":       {bad.appAuthorizeScope("includes", "https://mail.google.com/"), "https://www.googleapis.com/auth/gmail.send"},
		"redirect":    {bad.appAuthorizeRedirect(), `"http://localhost:3017/"`},
		"generation":  {bad.appRefreshGeneration("2"), `generation "1", not 2`},
		"count":       {bad.appSawRequests("at most 1", "refresh_token"), "saw 2 refresh_token requests, not at most 1"},
		"user":        {bad.appMailAuthWas("smtp", "XOAUTH2", "alice@gmail.test"), `as "bob@gmail.test"`},
		"client":      {bad.appMailAuthWas("imap", "XOAUTH2", "alice@gmail.test"), `with a token of "other"`},
		"token_user":  {bad.appMailAuthWas("pop3", "XOAUTH2", "alice@gmail.test"), "carried a token of bob@gmail.test"},
		"transport":   {bad.appMailTransport("pop3", "tls"), `over "plain", not "tls"`},
		"accepted":    {bad.appSawMailAuth("an accepted", "smtp"), "not an accepted one"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, c.err, c.want)
		}
	}
}

// TestWaitedInterval reads the device polls' times in the world's audit log.
func TestWaitedInterval(t *testing.T) {
	t.Parallel()
	s := seenScenario(t, world.Event{Protocol: "oauth", Mechanism: "device_authorization", Client: "app", Outcome: "ok"})
	s.server.World.Clock.Advance(4 * time.Second)
	s.server.World.Record(world.Event{Protocol: "oauth", Mechanism: "urn:ietf:params:oauth:grant-type:device_code", Client: "app", Outcome: "refused"})
	if err := s.appWaitedInterval(5); err == nil || !strings.Contains(err.Error(), "before the interval of 5s") {
		t.Fatalf("a poll 4 s after: %v", err)
	}
	if err := s.appWaitedInterval(3); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAppSetup is what the harness does before each action besides
// the spawn: the world's manifest marshalled and written to the sandbox,
// the CA file, the contract's variables.
func BenchmarkAppSetup(b *testing.B) {
	srv, err := mocks.New(mocks.Options{Providers: []string{"microsoft"}, Pages: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	s := &scenario{server: srv, providerName: "microsoft"}
	if err := s.appIs("web"); err != nil {
		b.Fatal(err)
	}
	defer s.closeApp()
	for b.Loop() {
		st, err := s.appSetup()
		if err != nil {
			b.Fatal(err)
		}
		_ = st.Environ("send", nil)
	}
}

// TestClockNeedsFaketime: once the world's clock moved, an application
// other than the Go reference adapter cannot follow it without
// libfaketime: its action is not run, and the scenario is not supported
// on this machine (godog's skip, the reason attached).
func TestClockNeedsFaketime(t *testing.T) {
	t.Parallel()
	s := seenScenario(t)
	s.run.cfg.App = "echo {}; true"
	s.user.browser = nil
	if err := s.appIs("web"); err != nil {
		t.Fatal(err)
	}
	defer s.closeApp()
	if _, err := s.appAct(t.Context(), "send", true); err != nil {
		t.Fatalf("before the clock moved: %v", err)
	}
	s.server.World.Clock.Advance(time.Hour)
	_, err := s.appAct(t.Context(), "send", true)
	if !errors.Is(err, godog.ErrSkip) || !strings.Contains(err.Error(), "not supported on this machine") || len(s.run.results) != 1 {
		t.Fatalf("err %v, %d actions run", err, len(s.run.results))
	}
	s.run.faketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
	if _, err := s.appAct(t.Context(), "send", true); err != nil || len(s.run.results) != 2 {
		t.Fatalf("with libfaketime: %v", err)
	}
}

func TestDecodedSubject(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{"=?utf-8?q?R=C3=A9essai_SMTP?=": "Réessai SMTP",
		"=?UTF-8?B?QXByw6hzIGxhIHBhbm5l?=": "Après la panne", "Planning": "Planning", "=?bad?q?x?=": "=?bad?q?x?="} {
		if got := decodedSubject(raw); got != want {
			t.Errorf("%q: %q, want %q", raw, got, want)
		}
	}
}
