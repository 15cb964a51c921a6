package mocks_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"golang.org/x/oauth2"

	"github.com/mailoauth/mailoauth/mocks"
)

// TestSnapshotAndMint: tokens minted before a snapshot refresh after
// ResetTo it, those minted after do not; Mint answers the token
// endpoint's own JSON and its refusals.
func TestSnapshotAndMint(t *testing.T) {
	srv := mocks.Start(t)
	ctx := context.Background()
	g := srv.Google
	mint := func(user string) *oauth2.Token {
		tok, body, err := g.Mint(ctx, mocks.TokenRequest{User: user, Scopes: []string{"https://mail.google.com/"}, Offline: true})
		var raw map[string]any
		if err != nil || json.Unmarshal(body, &raw) != nil || raw["refresh_token"] != tok.RefreshToken || tok.RefreshToken == "" {
			t.Fatalf("minting for %s: %v %s", user, err, body)
		}
		return tok
	}
	before := mint("alice@gmail.test")
	if err := srv.Deliver("alice@gmail.test", "Subject: kept\r\n\r\nx\r\n"); err != nil {
		t.Fatal(err)
	}
	snap := srv.Snapshot()
	after := mint("bob@gmail.test")
	cfg, _ := g.Config("web")
	refresh := func(tok *oauth2.Token) error {
		_, err := cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, srv.Client()), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		return err
	}
	srv.ResetTo(snap)
	if err := refresh(before); err != nil {
		t.Fatalf("refresh token minted before the snapshot: %v", err)
	}
	if err := refresh(after); err == nil {
		t.Fatal("a refresh token minted after the snapshot still works")
	}
	if msgs := srv.Messages("alice@gmail.test"); len(msgs) != 1 || msgs[0].Subject != "kept" {
		t.Fatalf("mail after ResetTo: %+v", msgs)
	}
	if _, _, err := srv.Microsoft.Mint(ctx, mocks.TokenRequest{Client: "daemon"}); err != nil {
		t.Fatalf("an application token: %v", err)
	}
	_, _, err := srv.Microsoft.Mint(ctx, mocks.TokenRequest{User: "alice@contoso.test", Scopes: []string{"https://outlook.office.com/Nope"}})
	var denied *mocks.AuthorizationError
	if !errors.As(err, &denied) || denied.Code != "invalid_scope" {
		t.Fatalf("a scope Entra refuses: %v", err)
	}
	if _, _, err := g.Mint(ctx, mocks.TokenRequest{Client: "tv", User: "alice@gmail.test"}); err == nil {
		t.Fatal("a device-only client ran the authorization code flow")
	}
}
