package registry_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/mux"
	"golang.org/x/oauth2"
	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/harness"
	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/registry"
	"github.com/mailoauth/mailoauth/mocks/world"
	"github.com/mailoauth/mailoauth/reports"
	"github.com/mailoauth/mailoauth/serve"
)

// acme is a fourth provider, declared here alone: an authorization code
// server on the neutral core, no mail.
var acme = registry.Provider{
	Name:   "acme",
	Schema: acmeSchema{},
	Seed: []byte(`clients: [{name: web, id: acme-web, secret: acme-secret, redirect_uris: ["http://localhost:3017/"]}]
users: [{email: alice@acme.test, name: Alice, password: alice-password}]
`),
	New: func(w *world.World, o registry.Options) registry.Instance {
		return &acmeServer{Server: authserver.New(w, authserver.Profile{
			Name: "acme", DisplayName: "Acme",
			CodeLifespan: 10 * time.Minute, AccessTokenLifespan: time.Hour, RefreshTokenLifespan: authserver.Never,
			Grants:     []string{"authorization_code"},
			GrantTypes: func(world.Client) []string { return []string{"authorization_code"} },
			RedirectAllowed: func(c authserver.Call, uri string) bool {
				return slices.Contains(world.Strings(c.Client.RedirectURIs), uri)
			},
		}), auto: o.AutoApprove}
	},
	Endpoint: func(base, _ string) oauth2.Endpoint {
		return oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token", AuthStyle: oauth2.AuthStyleInParams}
	},
	Describe: func(_ *world.World, _ registry.Instance, base string) registry.Section {
		return registry.Section{BaseURL: base, AuthorizationEndpoint: base + "/authorize", TokenEndpoint: base + "/token"}
	},
}

type acmeServer struct {
	*authserver.Server
	auto bool
}

func (a *acmeServer) Handler() http.Handler {
	r := mux.NewRouter()
	r.Handle("/authorize", a.FaultAt("authorize", a.Authorize))
	r.Handle("/token", a.FaultAt("token", a.Token))
	if a.auto {
		return authserver.AutoApprove(r)
	}
	return r
}

type acmeSchema struct{}

func (acmeSchema) DecodeClient(n *yaml.Node) (world.Client, error) {
	var f world.ClientFields
	err := world.DecodeStrict(n, &f)
	return world.Client{Name: f.Name, ID: f.ID, Secret: f.Secret, RedirectURIs: f.RedirectURIs, Type: "web"}, err
}

const acmeFeature = `@acme @authcode
Feature: Acme
  Scenario: Alice authorizes the application
    Given the application uses the "web" client
    When alice@acme.test authorizes the application
    Then the server answers 200
`

// TestAFourthProvider: a provider registered here, and nowhere else,
// appears in serve's manifest, in the fault targets and in the report's
// matrix after the built-in ones.
func TestAFourthProvider(t *testing.T) {
	registry.Register(acme)
	w, err := world.Load(strings.NewReader("providers:\n  acme:\n    "+strings.ReplaceAll(string(acme.Seed), "\n", "\n    ")), mocks.Schemas())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := serve.Start(serve.Config{World: w, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(t.Context())
	sec, ok := inst.Manifest.Providers["acme"]
	if !ok || sec.TokenEndpoint != sec.BaseURL+"/token" || len(sec.Clients) != 1 || sec.Clients[0].ClientID != "acme-web" {
		t.Fatalf("manifest: %+v", inst.Manifest.Providers)
	}
	if len(inst.Manifest.Providers) != 1 {
		t.Errorf("a world of Acme alone started %d providers", len(inst.Manifest.Providers))
	}
	if got := inst.Mocks.FaultPoints(); !slices.Equal(got, []string{"acme.authorize", "acme.token"}) {
		t.Errorf("fault points %v", got)
	}
	if _, err := inst.Mocks.ArmFault("acme.token", mocks.FaultUnavailable, 1); err != nil {
		t.Error(err)
	}

	dir := t.TempDir()
	features := fstest.MapFS{"acme/authcode.feature": {Data: []byte(acmeFeature)}}
	var progress strings.Builder
	passed, err := harness.Run(harness.Options{Features: features, ReportDir: dir, Concurrency: 1, Progress: &progress})
	if err != nil || !passed {
		t.Fatalf("the Acme scenario: passed %v, %v\n%s", passed, err, progress.String())
	}
	f, err := os.Open(filepath.Join(dir, "cucumber.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := reports.FromCucumberJSON(f, registry.Names())
	if err != nil {
		t.Fatal(err)
	}
	m := run.Matrix()
	if !slices.Equal(m.Providers, []string{"acme"}) || m.Cells["acme"]["authcode"] != (reports.Cell{Passed: 1, Total: 1}) {
		t.Errorf("matrix %+v", m)
	}
	if names := registry.Names(); names[len(names)-1] != "acme" || len(names) != 4 {
		t.Errorf("registry %v", names)
	}
}
