package mocks_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/google"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestReset: after Reset the world is the one that started: a token issued
// before is unknown, a client added since is gone and one changed is back,
// mail and the audit log are empty, the clock reads the real time; the
// listeners and the CA stay, and a new token works (issue 12, item 3).
func TestReset(t *testing.T) {
	srv := mocks.Start(t, mocks.Options{Providers: []string{google.Name}})
	ctx := context.Background()
	tok, err := srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/")
	if err != nil {
		t.Fatal(err)
	}
	web, _ := srv.World.ClientNamed(google.Realm, "web")
	if err := srv.World.UpdateClient(google.Realm, web.ID, func(c *world.Client) { c.Secret = "GOCSPX-changed" }); err != nil {
		t.Fatal(err)
	}
	if err := srv.World.AddClient(google.Realm, world.Client{Name: "added", ID: "1-added.apps.googleusercontent.com", Type: google.Web}); err != nil {
		t.Fatal(err)
	}
	if err := srv.World.Deliver("alice@gmail.test", []string{"bob@gmail.test"}, []byte("Subject: x\r\n\r\ny\r\n")); err != nil {
		t.Fatal(err)
	}

	if !userinfo(t, srv, tok.AccessToken) {
		t.Fatal("the token does not open userinfo before the reset")
	}
	srv.World.Clock.Advance(time.Minute) // the token lives an hour
	began := time.Now()
	srv.Reset()
	t.Logf("Reset took %v", time.Since(began))

	if active := userinfo(t, srv, tok.AccessToken); active {
		t.Error("a token issued before the reset still opens userinfo")
	}
	if _, ok := srv.World.ClientNamed(google.Realm, "added"); ok {
		t.Error("a client added since the start survived the reset")
	}
	if c, _ := srv.World.ClientNamed(google.Realm, "web"); c.AllSecrets()[0].Value != web.AllSecrets()[0].Value {
		t.Error("the changed secret was not restored")
	}
	if len(srv.Messages("bob@gmail.test")) != 0 || len(srv.World.Events()) != 0 || srv.World.Clock.Offset() != 0 {
		t.Errorf("mail %d, events %d, clock offset %v after the reset", len(srv.Messages("bob@gmail.test")),
			len(srv.World.Events()), srv.World.Clock.Offset())
	}
	tok, err = srv.Google.Token(ctx, "alice@gmail.test", "https://mail.google.com/")
	if err != nil || !userinfo(t, srv, tok.AccessToken) || tok.RefreshToken == "" {
		t.Fatalf("a token after the reset: %v (a first consent again, so a refresh token: %v)", err, tok != nil && tok.RefreshToken != "")
	}
}

// userinfo reports whether Google's userinfo endpoint accepts token.
func userinfo(t *testing.T, srv *mocks.Server, token string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.Google.URL+google.UserinfoPath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
