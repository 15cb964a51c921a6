package steps

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// cancelled are scenarios that reach a step doing I/O: run with a
// cancelled scenario context, each must fail there with context.Canceled,
// which only a step that passes the scenario's context down can report.
const cancelled = `Feature: steps honour the scenario's context

  @google
  Scenario: the user's browser
    Given the application uses the "web" client
    When alice@gmail.test authorizes the application for "https://mail.google.com/"

  @google
  Scenario: the application's own request
    Given the application uses the "web" client
    When the application posts "grant_type=refresh_token" to the token endpoint

  @microsoft
  Scenario: a GET of the provider
    Given the application uses the "web" client
    When the application fetches "/common/v2.0/.well-known/openid-configuration"

  @trackdechets
  Scenario: the platform's sign-in page
    Given alice@trackdechets.test signs in to Trackdéchets
`

func TestStepsUseTheScenarioContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	status := godog.TestSuite{ScenarioInitializer: Initialize, Options: &godog.Options{
		Format: "progress", Output: &out, NoColors: true, Strict: true, DefaultContext: ctx,
		FeatureContents: []godog.Feature{{Name: "cancelled.feature", Contents: []byte(cancelled)}},
	}}.Run()
	if status != 1 {
		t.Fatalf("status %d:\n%s", status, out.String())
	}
	if n := strings.Count(out.String(), "context canceled"); n != 4 || !strings.Contains(out.String(), "4 scenarios (4 failed)") {
		t.Fatalf("%d steps failed with context canceled, want 4:\n%s", n, out.String())
	}
}
