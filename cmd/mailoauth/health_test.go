package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestHealth checks `mailoauth health` against a running serve (by --url
// and by --manifest), a server that answers something else, one that is
// gone, and bad usage.
func TestHealth(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(manifest, []byte(`{"admin_url":"`+s.manifest.AdminURL+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"starting"}`))
	}))
	defer sick.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"--url", s.manifest.AdminURL}, exitPassed},
		{[]string{"--url", s.manifest.AdminURL + "/"}, exitPassed},
		{[]string{"--manifest", manifest}, exitPassed},
		{[]string{"--url", sick.URL}, exitFailed},
		{[]string{"--url", gone.URL}, exitFailed},
		{[]string{"--manifest", filepath.Join(t.TempDir(), "none.json")}, exitFailed},
		{[]string{"--url", s.manifest.AdminURL, "--manifest", manifest}, exitUsage},
		{[]string{"--no-such-flag"}, exitUsage},
		{[]string{"extra"}, exitUsage},
	} {
		var out, errOut bytes.Buffer
		if code := mainArgs(append([]string{"health"}, c.args...), &out, &errOut); code != c.want {
			t.Errorf("health %v: exit %d, want %d\n%s", c.args, code, c.want, errOut.String())
		}
	}
}
