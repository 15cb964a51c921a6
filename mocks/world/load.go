package world

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// File is the YAML form of a world: for each provider, its clients and users.
//
//	providers:
//	  google:
//	    clients:
//	      - {name: web, id: 1234-web.apps.googleusercontent.com, secret: GOCSPX-x, type: web,
//	         redirect_uris: ["http://localhost:3017/"]}
//	    users:
//	      - {email: alice@gmail.test, name: Alice, password: alice-pw}
type File struct {
	Providers map[string]ProviderFile `yaml:"providers"`
}

// ProviderFile is one provider's part of a File.
type ProviderFile struct {
	Clients []Client  `yaml:"clients"`
	Users   []Account `yaml:"users"`
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the YAML of the default world: the clients and users
// every scenario and `mailoauth serve` start from.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Default returns a new world loaded from DefaultYAML.
func Default() *World {
	w, err := Load(bytes.NewReader(defaultYAML))
	if err != nil {
		panic("world: the embedded default world is invalid: " + err.Error())
	}
	return w
}

// LoadFile reads a world from a YAML file.
func LoadFile(path string) (*World, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// Load reads a world from YAML. Unknown keys are errors, so a typo in a
// world file is reported instead of silently ignored.
func Load(r io.Reader) (*World, error) {
	dec := yaml.NewDecoder(io.LimitReader(r, 4<<20))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil && err != io.EOF {
		return nil, fmt.Errorf("world: %w", err)
	}
	w := New()
	for provider, p := range f.Providers {
		for _, c := range p.Clients {
			if err := w.AddClient(provider, c); err != nil {
				return nil, err
			}
		}
		for _, a := range p.Users {
			if err := w.AddAccount(provider, a); err != nil {
				return nil, err
			}
		}
	}
	return w, nil
}
