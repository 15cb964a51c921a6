package trackdechets_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/trackdechets"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// lastEvent is the newest event of mechanism and outcome.
func lastEvent(t *testing.T, evs []world.Event, mechanism, outcome string) world.Event {
	t.Helper()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Mechanism == mechanism && evs[i].Outcome == outcome {
			return evs[i]
		}
	}
	t.Fatalf("no %s %s event in %+v", mechanism, outcome, evs)
	return world.Event{}
}

// TestSeen: the dialog's authorization says what the request carried
// (state sent, never its value), the token request that the client
// authenticated with HTTP Basic; a dialog request Trackdéchets refuses
// itself is recorded with what was expected and found.
func TestSeen(t *testing.T) {
	t.Parallel()
	f := start(t)
	f.signIn(f.hc)
	resp, body := f.do(f.hc, http.MethodGet, trackdechets.AuthorizePath+authorizeQuery("the-state-value"), nil, "")
	var tx struct{ TransactionID string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &tx) != nil {
		t.Fatalf("authorize: %d %s", resp.StatusCode, body)
	}
	resp, _ = f.do(f.hc, http.MethodPost, trackdechets.DecisionPath, form, "transaction_id="+tx.TransactionID)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	want := map[string]string{"redirect_uri": appURI, "response_type": "code", "state": "sent"}
	if got := lastEvent(t, f.srv.Events(), "authorize", "ok").Seen; !maps.Equal(got, want) {
		t.Errorf("authorize seen %v, want %v", got, want)
	}
	if _, err := f.exchange(code); err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"client_auth": "client_secret_basic", "redirect_uri": appURI, "code_verifier": "absent"}
	if got := lastEvent(t, f.srv.Events(), "authorization_code", "ok").Seen; !maps.Equal(got, want) {
		t.Errorf("token seen %v, want %v", got, want)
	}

	q := url.Values{"response_type": {"code"}, "client_id": {appID}, "redirect_uri": {"http://localhost:9/elsewhere"}}
	f.do(f.hc, http.MethodGet, trackdechets.AuthorizePath+"?"+q.Encode(), nil, "")
	ev := lastEvent(t, f.srv.Events(), "authorize", "refused")
	want = map[string]string{"redirect_uri": "http://localhost:9/elsewhere", "response_type": "code", "state": "absent"}
	if ev.Reason != "redirect_uri_mismatch" || !strings.Contains(ev.Detail, appURI) || !maps.Equal(ev.Seen, want) {
		t.Errorf("refused dialog: %+v", ev)
	}
	raw, _ := json.Marshal(f.srv.Events())
	for _, secret := range []string{"the-state-value", code, appSecret} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("an event carries %q", secret)
		}
	}
}
