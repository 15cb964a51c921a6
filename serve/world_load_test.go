package serve_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// largeWorld is a world file of n Google clients, as large as the limit
// lets.
func largeWorld(n int) []byte {
	var b bytes.Buffer
	b.WriteString("providers:\n  google:\n    clients:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - {name: c%06d, id: %06d-web.apps.googleusercontent.com, secret: GOCSPX-%06d, type: web, redirect_uris: [\"http://l/\"]}\n", i, i, i)
	}
	return b.Bytes()
}

// TestPutLargeWorld: a world file of 31,000 clients, under serve's soft
// memory limit of 64 MiB, loads without the collector running all along
// (30 to 40 times when the load builds a gigabyte of garbage, or when the
// limit stays under the 100 MB the load holds; 200 times with both), and
// the client gets its 200; the limit is serve's again after. (Not parallel: the memory limit
// is the process's.)
func TestPutLargeWorld(t *testing.T) {
	doc := largeWorld(31000)
	if len(doc) > world.MaxFileBytes {
		t.Fatalf("the world file is %d bytes, over the limit", len(doc))
	}
	const serveLimit = 64 << 20
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(serveLimit))
	inst := start(t)
	req, err := http.NewRequest(http.MethodPut, inst.Manifest.AdminURL+"/api/world", bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/yaml")
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT /api/world of %d bytes: no answer: %v", len(doc), err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	runtime.ReadMemStats(&after)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("PUT /api/world of %d bytes: %s %s", len(doc), res.Status, body)
	}
	gcs := after.NumGC - before.NumGC
	t.Logf("%d bytes loaded: %d collections, %d MB allocated", len(doc), gcs, (after.TotalAlloc-before.TotalAlloc)>>20)
	if gcs > 15 {
		t.Errorf("%d collections while the world loaded: the collector ran all along", gcs)
	}
	if limit := debug.SetMemoryLimit(-1); limit != serveLimit {
		t.Errorf("the memory limit is %d after the load, want serve's %d", limit, serveLimit)
	}
	if n := len(inst.Mocks.World.Clients(world.Realm{Provider: "google"})); n != 31000 {
		t.Errorf("the world has %d Google clients, want 31000", n)
	}
}
