package mailconn

import (
	"bufio"
	"io"
	"net"
	"testing"
)

// TestCloseAfter: the farewell goes out with the library's next write, in
// the same write, and the connection is closed then; nothing before it is
// touched.
func TestCloseAfter(t *testing.T) {
	t.Parallel()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Wrap(raw, Config{})
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte("* OK hi\r\n"))
		c.(*Conn).CloseAfter("* BYE bye")
		_, _ = c.Write([]byte("a BAD no\r\n"))
		_, _ = c.Write([]byte("never\r\n"))
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, _ := io.ReadAll(bufio.NewReader(c))
	if string(got) != "* OK hi\r\na BAD no\r\n* BYE bye\r\n" {
		t.Fatalf("got %q", got)
	}
}
