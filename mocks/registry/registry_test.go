package registry_test

import (
	"slices"
	"testing"

	_ "github.com/mailoauth/mailoauth/mocks" // registers the built-in providers
	"github.com/mailoauth/mailoauth/mocks/registry"
)

// TestLookup finds each registered provider by its name, and no other.
func TestLookup(t *testing.T) {
	for _, name := range []string{"google", "microsoft", "trackdechets"} {
		p, ok := registry.Lookup(name)
		if !ok || p.Name != name {
			t.Errorf("Lookup(%q) = %q, %v", name, p.Name, ok)
		}
	}
	if _, ok := registry.Lookup("yahoo"); ok {
		t.Error("Lookup found a provider that is not registered")
	}
	if names := registry.Names(); !slices.Equal(names[:3], []string{"google", "microsoft", "trackdechets"}) {
		t.Errorf("names %v: the built-in providers first, in the matrix's order", names)
	}
}

// TestRegisterRefusesIncompleteAndTwice: a provider lacking a part, or a
// name registered twice, is a set-up error.
func TestRegisterRefusesIncompleteAndTwice(t *testing.T) {
	google, _ := registry.Lookup("google")
	for name, change := range map[string]func(*registry.Provider){
		"twice":       func(*registry.Provider) {},
		"no name":     func(p *registry.Provider) { p.Name = "" },
		"no schema":   func(p *registry.Provider) { p.Name, p.Schema = "x1", nil },
		"no New":      func(p *registry.Provider) { p.Name, p.New = "x2", nil },
		"no Endpoint": func(p *registry.Provider) { p.Name, p.Endpoint = "x3", nil },
		"no Describe": func(p *registry.Provider) { p.Name, p.Describe = "x4", nil },
	} {
		p := google
		change(&p)
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered", name)
				}
			}()
			registry.Register(p)
		}()
	}
	for _, name := range []string{"x1", "x2", "x3", "x4"} {
		if _, ok := registry.Lookup(name); ok {
			t.Errorf("%s was registered", name)
		}
	}
}
