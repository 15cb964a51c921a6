package serve

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sync"
)

// manifestFile keeps Config.ManifestFile up to date: written at start,
// and again after every admin request that changed the world (any method
// but GET answered 2xx), so clients and users added at run time appear in
// it. Each write is atomic (a temporary file renamed over it): a reader
// never sees half of one.
type manifestFile struct {
	path    string
	current func() Manifest

	mu sync.Mutex // one write at a time, each of the manifest as it is then
}

// write writes the current manifest.
func (f *manifestFile) write() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	out, err := json.MarshalIndent(f.current(), "", "  ")
	if err != nil {
		return err
	}
	return writeAtomically(f.path, append(out, '\n'))
}

// rewriting is h, followed by a write of the manifest after each change.
func (f *manifestFile) rewriting(h http.Handler, log func(error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead && sw.status/100 == 2 {
			if err := f.write(); err != nil {
				log(err)
			}
		}
	})
}

// statusWriter notes the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader implements http.ResponseWriter.
func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Flush implements http.Flusher, for the streamed answers.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// writeAtomically writes data to path through a temporary file in the
// same directory, renamed over it.
func writeAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
