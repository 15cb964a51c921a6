package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// failingWriter is a client gone before the dashboard is written.
type failingWriter struct{ header http.Header }

func (f *failingWriter) Header() http.Header       { return f.header }
func (f *failingWriter) WriteHeader(int)           {}
func (f *failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestDashboardErrorLoggedAsJSON: a dashboard that cannot be written is
// one JSON line of serve's logger, not a text line of the default one.
func TestDashboardErrorLoggedAsJSON(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	inst, err := Start(Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(context.Background())
	a := newAdmin(inst.Mocks, inst.Manifest, logger)
	a.ServeHTTP(&failingWriter{header: http.Header{}}, httptest.NewRequest(http.MethodGet, "/", nil))
	var line struct{ Msg string }
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || !strings.Contains(line.Msg, "dashboard") {
		t.Errorf("log %q: %v", buf.String(), err)
	}
}
