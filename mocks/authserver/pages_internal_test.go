package authserver

import (
	"net/http/httptest"
	"testing"
)

// TestSignInsBounded: however many times browsers sign in, at most
// maxSignIns sessions are remembered, the newest among them.
func TestSignInsBounded(t *testing.T) {
	s := newSignIns("sid")
	var last string
	for range maxSignIns + 10 {
		last = s.signIn(httptest.NewRecorder(), "u@x.test")
	}
	if len(s.users) != maxSignIns || s.users[last] != "u@x.test" {
		t.Errorf("%d sessions, the newest known: %v", len(s.users), s.users[last] != "")
	}
}
