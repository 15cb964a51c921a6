package app

import (
	"os"
	"path/filepath"
)

// Sandbox is one scenario's temporary directory: the manifest, the CA
// file, the application's state directory and the browser command. Close
// removes it all, so nothing of a scenario's state reaches the next.
type Sandbox struct {
	Dir          string
	StateDir     string
	CAFile       string
	ManifestFile string
	// Browser is a script that runs `SELF browse CONTROL URL`: a single
	// path, so that any application can run it with the URL as its
	// argument (Python's webbrowser, Node's spawn, a shell's $BROWSER).
	Browser string
}

// NewSandbox makes a sandbox holding caPEM and manifest, whose browser
// command hands its URL to the control endpoint controlURL through the
// executable self.
func NewSandbox(caPEM, manifest []byte, self, controlURL string) (*Sandbox, error) {
	dir, err := os.MkdirTemp("", "mailoauth-app-")
	if err != nil {
		return nil, err
	}
	s := &Sandbox{Dir: dir, StateDir: filepath.Join(dir, "state"), CAFile: filepath.Join(dir, "ca.pem"),
		ManifestFile: filepath.Join(dir, "manifest.json"), Browser: filepath.Join(dir, "browser")}
	script := "#!/bin/sh\nexec " + Quote(self) + " browse " + Quote(controlURL) + " \"$@\"\n"
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{s.CAFile, caPEM, 0o644}, {s.ManifestFile, manifest, 0o600}, {s.Browser, []byte(script), 0o755}} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := os.Mkdir(s.StateDir, 0o700); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// WriteManifest replaces the manifest (the world changed).
func (s *Sandbox) WriteManifest(manifest []byte) error {
	tmp := s.ManifestFile + ".tmp"
	if err := os.WriteFile(tmp, manifest, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.ManifestFile)
}

// Close removes the sandbox.
func (s *Sandbox) Close() error { return os.RemoveAll(s.Dir) }

// Self is the executable of this process, which answers `browse` and
// `adapter` (the mailoauth binary, or a test binary that dispatches them in
// its TestMain).
func Self() (string, error) { return os.Executable() }

// ReferenceCommand is the command of the Go reference adapter run by the
// executable self.
func ReferenceCommand(self string) string { return Quote(self) + " adapter" }
