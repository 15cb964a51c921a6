package imap

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

// chunked is a connection whose reads return its chunks one by one, then
// io.EOF.
type chunked struct {
	net.Conn
	chunks [][]byte
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	if c.chunks[0] = c.chunks[0][n:]; len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

// through is what go-imap reads through a bound of max when the client
// sends data in pieces of at most size bytes.
func through(t *testing.T, data string, size, max int) string {
	t.Helper()
	var chunks [][]byte
	for len(data) > 0 {
		k := min(size, len(data))
		chunks = append(chunks, []byte(data[:k]))
		data = data[k:]
	}
	c := &boundedConn{Conn: &chunked{chunks: chunks}, max: max, maxAppend: 100}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

// TestBound: what the bound hands go-imap, whatever the pieces the client
// sends: commands within the bound byte for byte (literals too, and a
// literal go-imap refuses not taken for one), a command past it replaced
// by its tag's stand-in and dropped to its line's end, with the
// non-synchronizing literal it announces and that literal's line; a
// line after a literal past it ended with NUL.
func TestBound(t *testing.T) {
	t.Parallel()
	m := string(tooLongMarker)
	long := strings.Repeat("x", 40)
	for _, tc := range []struct{ name, in, want string }{
		{"within", "a NOOP\r\nb LOGIN {3}\r\nabc def\r\n", "a NOOP\r\nb LOGIN {3}\r\nabc def\r\n"},
		{"exactly the bound", "a " + strings.Repeat("y", 28) + "\r\n", "a " + strings.Repeat("y", 28) + "\r\n"},
		{"one byte past it", "a " + strings.Repeat("y", 29) + "\r\nb NOOP\r\n", "a" + m + " NOOP\r\nb NOOP\r\n"},
		{"past it", "t1 UID SEARCH " + long + "\r\nb NOOP\r\n", "t1" + m + " NOOP\r\nb NOOP\r\n"},
		{"no tag", " " + long + "\r\n", m + " NOOP\r\n"},
		{"a tag of atom characters only", "a(b " + long + "\r\n", "a" + m + " NOOP\r\n"},
		{"its literal dropped", "a APPEND " + long + " {5+}\r\nhello more\r\nb NOOP\r\n", "a" + m + " NOOP\r\nb NOOP\r\n"},
		{"a synchronizing literal is not sent", "a APPEND " + long + " {5}\r\nb NOOP\r\n", "a" + m + " NOOP\r\nb NOOP\r\n"},
		{"literal data is not counted", "a APPEND INBOX {50+}\r\n" + strings.Repeat("z", 50) + "\r\nb NOOP\r\n",
			"a APPEND INBOX {50+}\r\n" + strings.Repeat("z", 50) + "\r\nb NOOP\r\n"},
		{"the command's lines are", "a X {1+}\r\nz " + strings.Repeat("w", 20) + "\r\nb NOOP\r\n", "a X {1+}\r\nz\x00\r\nb NOOP\r\n"},
		{"a refused literal is no literal", "a LOGIN {5000}\r\n\r\nb NOOP\r\n", "a LOGIN {5000}\r\n\r\nb NOOP\r\n"},
		{"APPEND's literal up to its size", "a APPEND X {100}\r\n" + strings.Repeat("q", 100) + "\r\n", "a APPEND X {100}\r\n" + strings.Repeat("q", 100) + "\r\n"},
		{"APPEND's literal past its size", "a APPEND X {101}\r\nb NOOP\r\n", "a APPEND X {101}\r\nb NOOP\r\n"},
		{"an empty literal", "a X {0}\r\n " + strings.Repeat("v", 27) + "\r\n", "a X {0}\r\n\x00\r\n"},
	} {
		for _, size := range []int{1, 3, 7, 4096} {
			if got := through(t, tc.in, size, 32); got != tc.want {
				t.Errorf("%s, in pieces of %d: go-imap read %q, want %q", tc.name, size, got, tc.want)
			}
		}
	}
}

// TestBoundReadError: a read error reaches go-imap once what came before
// it did.
func TestBoundReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	c := &boundedConn{Conn: &failing{data: []byte("a NOOP\r\nb NO"), err: boom}, max: 32}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if string(buf[:n]) != "a NOOP\r\n" || err != nil {
		t.Fatalf("first read %q, %v", buf[:n], err)
	}
	if n, err := c.Read(buf); n != 0 || !errors.Is(err, boom) {
		t.Fatalf("second read %d, %v", n, err)
	}
	if c.NetConn() != c.Conn {
		t.Fatal("NetConn is not the connection under the bound")
	}
}

// failing returns data and err in one read.
type failing struct {
	net.Conn
	data []byte
	err  error
}

func (f *failing) Read(p []byte) (int, error) { return copy(p, f.data), f.err }

// FuzzBound: commands of short lines without literals go through
// unchanged, however they are cut into reads.
func FuzzBound(f *testing.F) {
	f.Add([]byte("a NOOP\r\nb SELECT INBOX\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		var in bytes.Buffer
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(l) < 20 && bytes.IndexByte(l, '{') < 0 {
				in.Write(l)
				in.WriteString("\n")
			}
		}
		if got := through(t, in.String(), int(size)+1, 32); got != in.String() {
			t.Fatalf("go-imap read %q, want %q", got, in.String())
		}
	})
}
