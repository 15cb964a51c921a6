package microsoft_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// TestLoopDetectionResetsWithTheWorld (M-14): ROPC in a loop is refused
// AADSTS50196 at the 21st request; the world's reset, and a reset to a
// snapshot, forget the count.
func TestLoopDetectionResetsWithTheWorld(t *testing.T) {
	t.Parallel()
	srv := mocks.Start(t, mocks.Options{Providers: []string{microsoft.Name}})
	e := srv.Provider(microsoft.Name).TenantEndpoint("contoso")
	hc := srv.Client()
	form := url.Values{"grant_type": {"password"}, "client_id": {desktopID}, "scope": {"https://outlook.office.com/SMTP.Send"},
		"username": {mailbox}, "password": {"alice-password"}}
	loop := func(when string) {
		t.Helper()
		for i := range 20 {
			if status, body := postForm(t, hc, e.TokenURL, form); status != http.StatusOK {
				t.Fatalf("%s: request %d: HTTP %d %v", when, i+1, status, body)
			}
		}
		status, body := postForm(t, hc, e.TokenURL, form)
		if codes, _ := body["error_codes"].([]any); status != http.StatusBadRequest || body["error"] != "invalid_request" ||
			len(codes) != 1 || codes[0] != float64(50196) {
			t.Fatalf("%s: request 21: HTTP %d %v, want 400 invalid_request AADSTS50196", when, status, body)
		}
	}
	snap := srv.Snapshot()
	loop("first")
	srv.Reset()
	loop("after the reset")
	srv.ResetTo(snap)
	loop("after the reset to a snapshot")
}
