package serve

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// manifestClientKeys are the manifest's names for a client's keys, by the
// world file's name they stand for: POST /api/clients takes either, so a
// client copied out of the manifest can be posted back.
var manifestClientKeys = map[string]string{"client_id": "id", "client_secret": "secret"}

// worldClientKeys renames, in the mapping n, the manifest's key names to
// the world file's. Both names of one key is an error.
func worldClientKeys(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	seen := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		name := k.Value
		if world, ok := manifestClientKeys[k.Value]; ok {
			k.Value = world
		}
		if other, ok := seen[k.Value]; ok {
			return fmt.Errorf("the client has both %s and %s: give one", other, name)
		}
		seen[k.Value] = name
	}
	return nil
}
