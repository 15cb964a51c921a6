package world_test

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestDecodeStrict: an unknown key is refused at any depth (a client's
// secret), with its line in the document; inline structs and maps, "-"
// fields, aliases and merges read as yaml.v3's Decoder.KnownFields reads
// them.
func TestDecodeStrict(t *testing.T) {
	t.Parallel()
	type file struct {
		world.ClientFields `yaml:",inline"`
		Skipped            string               `yaml:"-"`
		Extra              map[string]yaml.Node `yaml:",inline"`
	}
	type strictFile struct {
		world.ClientFields `yaml:",inline"`
		Skipped            string `yaml:"-"`
	}
	decode := func(doc string, v any) error {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
			t.Fatal(err)
		}
		return world.DecodeStrict(n.Content[0], v)
	}
	var f strictFile
	ok := "base: &b {name: web}\nid: x\n<<: *b\nsecrets:\n  - {id: s1, value: v}\n"
	if err := decode("name: web\nid: x\nsecrets:\n  - {id: s1, value: v}\n", &f); err != nil || f.Secrets[0].Value != "v" {
		t.Fatalf("a known document: %v %+v", err, f)
	}
	for doc, want := range map[string]string{
		"name: web\nid: x\nsecrets:\n  - {id: s1, value: v, colour: red}\n": `line 4, column 24: unknown key "colour" (the keys here are expires, id, value)`,
		"name: web\nskipped: yes\n":                                         `line 2, column 1: unknown key "skipped"`,
		ok:                                                                  `line 1, column 1: unknown key "base"`,
	} {
		if err := decode(doc, &f); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", doc, err, want)
		}
	}
	var g file
	if err := decode(ok, &g); err != nil || g.Name != "web" || g.ID != "x" || len(g.Extra) != 1 {
		t.Errorf("an inline map takes the other keys, a merge is read: %v %+v", err, g)
	}
}
