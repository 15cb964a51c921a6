package imap

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net"
)

// A personality's MaxCommand bounds a command (IMAPPersonality.MaxCommand):
// the connection go-imap reads holds each command line until its end,
// and a command whose bytes outside literals pass the bound never reaches
// the library. In its place go-imap reads a NOOP tagged with the command's
// tag and tooLongMarker, which the rewriter answers with CommandTooLong
// (commandError); the rest of the client's line (and a non-synchronizing
// literal it announces) is dropped. So nothing of a cut command runs,
// whatever the cut leaves, and go-imap never reaches its own bound, past
// which it reads the rest of a line as commands of their own.

// tooLongMarker ends the tag of a cut command's stand-in: random per
// process, so that no client's tag is taken for one.
var tooLongMarker = func() []byte {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return []byte(".too-long-" + hex.EncodeToString(b))
}()

// bound is ln with its connections' commands bounded, when the
// personality has a MaxCommand.
func (s *Server) bound(ln net.Listener) net.Listener {
	if s.cfg.Personality.MaxCommand <= 0 {
		return ln
	}
	return boundedListener{Listener: ln, max: s.cfg.Personality.MaxCommand, maxAppend: s.cfg.MaxMessageBytes}
}

type boundedListener struct {
	net.Listener
	max       int
	maxAppend int64
}

// Accept implements net.Listener.
func (l boundedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	return &boundedConn{Conn: c, max: l.max, maxAppend: l.maxAppend}, nil
}

// boundedConn follows what the client sends, as go-imap reads it: command
// lines, held until their LF and counted, and literals, passed on as
// they come.
type boundedConn struct {
	net.Conn
	max       int
	maxAppend int64

	out     []byte // what the library reads next
	line    []byte // the line so far, held
	count   int    // bytes of the command's earlier lines
	command string // the command, from its first line
	within  bool   // the line continues a command after a literal
	literal int64  // literal bytes still to pass on
	drop    bool   // dropping the rest of a cut command's line
	tail    []byte // the end of the dropped line, for a literal it announces
	skip    int64  // a dropped line's non-synchronizing literal still to drop
	err     error  // the error of a read whose bytes are still in out
	buf     []byte // what a read of the connection fills
}

// NetConn is the connection under the bound, for mailconn.Of.
func (c *boundedConn) NetConn() net.Conn { return c.Conn }

// Read implements net.Conn.
func (c *boundedConn) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			err := c.err
			c.err = nil
			return 0, err
		}
		if c.buf == nil {
			c.buf = make([]byte, 4096)
		}
		n, err := c.Conn.Read(c.buf)
		c.follow(c.buf[:n])
		c.err = err
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	if len(c.out) == 0 {
		c.out = nil
	}
	return n, nil
}

// follow takes the bytes the client sent into out, or holds or drops them.
func (c *boundedConn) follow(data []byte) {
	for len(data) > 0 {
		switch {
		case c.literal > 0:
			k := min(c.literal, int64(len(data)))
			c.out = append(c.out, data[:k]...)
			data, c.literal = data[k:], c.literal-k
			c.within = true
			continue
		case c.skip > 0:
			k := min(c.skip, int64(len(data)))
			data, c.skip = data[k:], c.skip-k
			continue
		}
		i := bytes.IndexByte(data, '\n')
		chunk := data
		if i >= 0 {
			chunk = data[:i+1]
		}
		data = data[len(chunk):]
		if c.drop {
			c.keepTail(chunk)
			if i >= 0 {
				c.dropEnd()
			}
			continue
		}
		if c.count+len(c.line)+len(chunk) > c.max {
			// The tag may be in this chunk, if the line so far is short.
			c.line = append(c.line, chunk[:min(len(chunk), 256)]...)
			c.cut()
			c.drop = true
			c.tail = c.tail[:0]
			c.keepTail(chunk)
			if i >= 0 {
				c.dropEnd()
			}
			continue
		}
		c.line = append(c.line, chunk...)
		if i >= 0 {
			c.endLine()
		}
	}
}

// keepTail keeps the last bytes of a dropped line, where a literal it
// announces is.
func (c *boundedConn) keepTail(chunk []byte) {
	c.tail = append(c.tail, chunk...)
	if len(c.tail) > 32 {
		c.tail = append(c.tail[:0], c.tail[len(c.tail)-32:]...)
	}
}

// dropEnd ends a dropped line: its non-synchronizing literal comes
// unasked, so it and the line after it are dropped too.
func (c *boundedConn) dropEnd() {
	c.drop = false
	if n, sync := literalOf(c.tail); n >= 0 && !sync {
		c.skip, c.drop = n, true
	}
	c.tail = c.tail[:0]
}

// endLine passes on a whole line and notes the literal it announces:
// go-imap reads a synchronizing one only if it takes its size (APPEND up
// to the message size, any other command up to maxBufferedLiteral), a
// non-synchronizing one always comes.
func (c *boundedConn) endLine() {
	line := c.line
	if !c.within {
		c.command = commandOf(line)
	}
	c.out = append(c.out, line...)
	c.line = nil
	c.within = false
	n, sync := literalOf(line)
	accepted := !sync || c.command == "APPEND" && n <= c.maxAppend || c.command != "APPEND" && n <= maxBufferedLiteral
	if n < 0 || !accepted {
		c.count = 0
		return
	}
	c.count += len(line)
	c.literal, c.within = n, true
}

// cut gives go-imap, in place of the command too long, the end of it: a
// NOOP with the command's tag and tooLongMarker, or, for a command whose
// earlier lines it read already, a byte no IMAP syntax takes (NUL)
// before the line's end, so that it refuses the command.
func (c *boundedConn) cut() {
	if c.within {
		c.out = append(c.out, "\x00\r\n"...)
	} else {
		c.out = append(append(append(c.out, tagOf(c.line)...), tooLongMarker...), " NOOP\r\n"...)
	}
	c.line, c.count, c.within = nil, 0, false
}

// tagOf is the tag a command line starts with: its characters up to the
// first that no tag has (RFC 9051: ASTRING-CHAR but "+").
func tagOf(line []byte) []byte {
	for i, b := range line {
		if b <= ' ' || b >= 0x7f || bytes.IndexByte([]byte(`(){%*"\+`), b) >= 0 {
			return line[:i]
		}
	}
	return line
}
