package serve

import "github.com/mailoauth/mailoauth/mocks"

// ManifestOf is the manifest of the running world m, as serve writes it,
// with caFile as its CA file and no admin API: what `mailoauth run --app`
// gives each scenario's application as MAILOAUTH_MANIFEST.
func ManifestOf(m *mocks.Server, caFile string) Manifest { return manifest(m, caFile, "") }
