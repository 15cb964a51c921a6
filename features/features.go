// Package features embeds the Gherkin scenarios, so the mailoauth binary
// carries them. Each scenario is tagged with its provider (@google) and its
// flow (@authcode, @refresh, @device, @revoke, ...) and names the
// PROVIDERS.md entries it proves.
package features

import "embed"

// FS holds every *.feature file, in a directory per provider.
//
//go:embed */*.feature
var FS embed.FS
