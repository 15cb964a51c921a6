package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBrowseHandsTheURLToTheScenario(t *testing.T) {
	t.Parallel()
	var got []string
	c, err := NewControl(func(_ context.Context, u string) error {
		got = append(got, u)
		if strings.Contains(u, "refuse") {
			return errors.New("the browser stopped on the provider's error page")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var stderr bytes.Buffer
	if code := Browse([]string{c.URL, "https://127.0.0.1/o/oauth2/auth?x=1"}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if code := Browse([]string{c.URL, "https://127.0.0.1/refuse"}, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "the browser stopped on the provider's error page") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if len(got) != 2 || got[0] != "https://127.0.0.1/o/oauth2/auth?x=1" {
		t.Fatalf("the scenario got %v", got)
	}
	// Another path (another scenario's token) is not this scenario's user.
	if code := Browse([]string{c.URL + "x", "https://127.0.0.1/"}, &stderr); code != 1 || len(got) != 2 {
		t.Fatalf("a wrong token was served: exit %d, %v", code, got)
	}
	if code := Browse([]string{"only-one"}, &stderr); code != 2 {
		t.Fatalf("usage: exit %d", code)
	}
}

func TestSandboxIsRemoved(t *testing.T) {
	t.Parallel()
	sb, err := NewSandbox([]byte("CA"), []byte("{}"), "/bin/mailoauth", "http://127.0.0.1:1/browse/x")
	if err != nil {
		t.Fatal(err)
	}
	script, _ := os.ReadFile(sb.Browser)
	if string(script) != "#!/bin/sh\nexec /bin/mailoauth browse http://127.0.0.1:1/browse/x \"$@\"\n" {
		t.Fatalf("browser script %q", script)
	}
	if err := os.WriteFile(filepath.Join(sb.StateDir, "tokens.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := sb.WriteManifest([]byte(`{"schema":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sb.Dir); !os.IsNotExist(err) {
		t.Fatalf("the sandbox is still there: %v", err)
	}
}
