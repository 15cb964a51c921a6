package mailconn

import (
	"context"
	"net"
	"testing"
)

// TestTransport: an accepted connection's context says it is in clear
// text; one in TLS says which way it got there (the smtp package's tests
// see both over the wire); another context says nothing.
func TestTransport(t *testing.T) {
	t.Parallel()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Wrap(raw, Config{})
	defer ln.Close()
	go func() {
		if c, err := net.Dial("tcp", raw.Addr().String()); err == nil {
			defer c.Close()
			_, _ = c.Read(make([]byte, 1))
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := Transport(c.(*Conn).Context()); got != TransportPlain {
		t.Errorf("accepted in clear: %q", got)
	}
	for c, want := range map[*Conn]string{{tls: true}: TransportTLS, {tls: true, starttls: true}: TransportSTARTTLS, {}: TransportPlain} {
		if got := c.transport(); got != want {
			t.Errorf("%+v: %q, want %q", c, got, want)
		}
	}
	if got := Transport(context.Background()); got != "" {
		t.Errorf("no connection's context: %q", got)
	}
}
