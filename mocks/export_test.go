package mocks_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// TestExportRoundTrip: the default world written out as YAML and as JSON
// loads back into the same world, passwords included when asked for and
// left out otherwise.
func TestExportRoundTrip(t *testing.T) {
	w := mocks.DefaultWorld()
	w.SetApproveAs([]string{"alice@gmail.test"})
	first := w.Export(mocks.Schemas(), true)
	for name, marshal := range map[string]func(any) ([]byte, error){"yaml": yaml.Marshal, "json": json.Marshal} {
		raw, err := marshal(first)
		if err != nil {
			t.Fatal(err)
		}
		back, err := world.Load(bytes.NewReader(raw), mocks.Schemas())
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, raw)
		}
		again, _ := json.Marshal(back.Export(mocks.Schemas(), true))
		want, _ := json.Marshal(first)
		if !bytes.Equal(again, want) {
			t.Errorf("%s: the world changed on the way:\n%s\n%s", name, want, again)
		}
	}
	raw, _ := json.Marshal(w.Export(mocks.Schemas(), false))
	if bytes.Contains(raw, []byte("password")) {
		t.Errorf("an export without passwords has them: %s", raw)
	}
}
