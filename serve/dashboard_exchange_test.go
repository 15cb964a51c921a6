package serve_test

import (
	"html"
	"strings"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestDashboardExchangeObjectIDs: beside each service principal Exchange
// knows, the dashboard shows its app registration's two object ids and
// says which the registered one is (F-02); each mailbox permission says
// whose it is; each event says why.
func TestDashboardExchangeObjectIDs(t *testing.T) {
	t.Parallel()
	inst := start(t)
	inst.Mocks.World.Record(world.Event{Provider: "microsoft", Protocol: "imap", Mechanism: "XOAUTH2", Outcome: "refused",
		Reason: "no_mailbox_permission", Detail: "service principal 9a8b of app 2b7c has no FullAccess to mailbox bob@contoso.test"})
	_, page := call(t, "GET", inst.Manifest.AdminURL+"/", nil)
	page = html.UnescapeString(page)
	for _, want := range []string{
		// daemon: registered with its enterprise application's object id.
		"<td><code>2b7c1d0e-5f3a-4e6b-8c9d-1a2b3c4d5e6f</code></td><td><code>9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d</code></td>" +
			"<td>daemon: <code>3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d</code><br><code>9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d</code></td>" +
			`<td class="ok">the enterprise application's: Exchange accepts the app's tokens</td>`,
		// wrong-sp: with its app registration's (F-02).
		`<td class="refused">the app registration's (F-02): Exchange refuses the app's tokens; it needs 4d3c2b1a-0f9e-4d8c-b7a6-958473625140</td>`,
		"<td><code>alice@contoso.test</code></td><td><code>9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d</code></td><td>service principal of daemon</td>",
		"<td><code>info@contoso.test</code></td><td><code>alice@contoso.test</code></td><td>a user (delegate)</td>",
		"<td>service principal 9a8b of app 2b7c has no FullAccess to mailbox bob@contoso.test</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
}
