package mailconn

import (
	"net"
	"testing"
)

// accept wraps a loopback listener, dials it n times and returns the
// accepted connections.
func accept(t *testing.T, n int) (net.Listener, []*Conn) {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Wrap(raw, Config{})
	t.Cleanup(func() { _ = ln.Close() })
	var conns []*Conn
	for range n {
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Close() })
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		conns = append(conns, c.(*Conn))
	}
	return ln, conns
}

// TestContextEndsWithTheConnection: a connection's context is done once
// it is closed, and only its own.
func TestContextEndsWithTheConnection(t *testing.T) {
	t.Parallel()
	_, conns := accept(t, 2)
	if conns[0].Context().Err() != nil {
		t.Fatal("done before the connection closed")
	}
	_ = conns[0].Close()
	<-conns[0].Context().Done()
	if conns[1].Context().Err() != nil {
		t.Fatal("closing one connection ended another's context")
	}
}

// TestContextEndsWithTheListener: closing the listener (the server's
// shutdown) ends every open connection's context.
func TestContextEndsWithTheListener(t *testing.T) {
	t.Parallel()
	ln, conns := accept(t, 2)
	_ = ln.Close()
	for _, c := range conns {
		<-c.Context().Done()
	}
}
