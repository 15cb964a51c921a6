package mocks

import "testing"

// SetHTTPSCaps sets the HTTPS connection caps of the worlds New starts,
// until restore: for tests that reach the cap with a few connections. Not
// for parallel tests.
func SetHTTPSCaps(listener, world int) (restore func()) {
	old := httpsCaps
	httpsCaps = httpCaps{listener: listener, world: world}
	return func() { httpsCaps = old }
}

// TestCapsFor: the HTTPS caps stay under the open-file limit with the
// mail cap and the reserve beside them, up to the bound of a world; one
// listener gets half of the world's.
func TestCapsFor(t *testing.T) {
	for _, tc := range []struct {
		nofile int
		want   httpCaps
	}{
		{4096, httpCaps{1024, 2048}},
		{2048, httpCaps{496, 992}},
		{1 << 20, httpCaps{1024, 2048}},
		{1024, httpCaps{128, 256}},
		{8, httpCaps{1, 2}},
	} {
		got := capsFor(tc.nofile)
		if got != tc.want {
			t.Errorf("capsFor(%d) = %+v, want %+v", tc.nofile, got, tc.want)
		}
		if tc.nofile >= MaxMailConnections+fileReserve+2 && got.world+MaxMailConnections+fileReserve > tc.nofile {
			t.Errorf("capsFor(%d) = %+v: with the mail cap and the reserve, past the limit", tc.nofile, got)
		}
	}
	if got := capsFor(openFileLimit()); got != httpsCaps {
		t.Errorf("the caps %+v are not those of this process's open-file limit (%+v)", httpsCaps, got)
	}
}
