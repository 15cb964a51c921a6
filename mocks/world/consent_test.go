package world_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestConsentCapped: repeated approvals of new scopes grow a consent up to
// MaxConsentScopes and MaxConsentBytes, no further; the scopes past them
// are not remembered (Consented says no, so consent is asked again), and
// a consent costs a few kilobytes however many scopes were approved.
func TestConsentCapped(t *testing.T) {
	w := world.New()
	realm := world.Realm{Provider: "microsoft", Tenant: "t"}
	const users, approvals = 100, 500
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for u := range users {
		for i := range approvals {
			scope := fmt.Sprintf("api://%d/%s", i, strings.Repeat("x", 40))
			w.GrantConsent(realm, fmt.Sprintf("u%d@t.test", u), "app", []string{scope})
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perConsent := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / users
	t.Logf("a consent after %d approvals of a new scope: %d bytes", approvals, perConsent)
	got := w.ConsentedScopes(realm, "u0@t.test", "app")
	size := 0
	for _, s := range got {
		size += len(s)
	}
	if len(got) > world.MaxConsentScopes || size > world.MaxConsentBytes {
		t.Errorf("a consent kept %d scopes, %d bytes", len(got), size)
	}
	if perConsent > 3*world.MaxConsentBytes {
		t.Errorf("a consent costs %d bytes", perConsent)
	}
	last := fmt.Sprintf("api://%d/%s", approvals-1, strings.Repeat("x", 40))
	if w.Consented(realm, "u0@t.test", "app", []string{last}) {
		t.Error("a scope past the cap is consented")
	}
	if !w.Consented(realm, "u0@t.test", "app", got[:1]) {
		t.Error("a scope under the cap is not consented")
	}
	runtime.KeepAlive(w)
}
