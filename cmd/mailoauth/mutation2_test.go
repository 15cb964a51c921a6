package main

import (
	"strings"
	"testing"
)

// The tests of this file kill the mutants of --advertise's check
// (docs/testing.md, "Mutation", cmd/mailoauth) without starting a world:
// each command line also has a bad --ports, which serve reports only once
// every flag parsed, so a refused --advertise and an accepted one give
// different lines on stderr, both with the usage exit code.

// TestAdvertiseRefusedBeforePorts: --advertise with a scheme, a port or a
// character no host name has is refused by its own line; an IPv6 address
// and a name of letters, digits, '-', '.' and '_' pass on to the --ports
// check.
func TestAdvertiseRefusedBeforePorts(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"http://mailoauth:7781", "mailoauth:7781", "bad~name", "a/b", ""} {
		var out, errOut strings.Builder
		code := mainArgs([]string{"serve", "--advertise", host, "--ports", "none"}, &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), "is not a host name or address (no scheme, no port)") {
			t.Errorf("--advertise %q: exit %d, %q", host, code, errOut.String())
		}
	}
	for _, host := range []string{"::1", "10.9.8.7", "mail-oauth_1.example.TEST", "Z9"} {
		var out, errOut strings.Builder
		code := mainArgs([]string{"serve", "--advertise", host, "--ports", "none"}, &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), `--ports is auto or default, not "none"`) {
			t.Errorf("--advertise %q: exit %d, %q", host, code, errOut.String())
		}
	}
}
