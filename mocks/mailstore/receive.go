package mailstore

import (
	"io"
	"strings"
)

// Chunk sizes a message is read in (Receive): the first small, for the
// many small messages, doubling up to the largest.
const (
	firstChunk = 4 << 10
	lastChunk  = 1 << 20
)

// Receive reads a message from r as it arrives and delivers it (Deliver),
// returning its body. Every chunk of it is reserved in the store's budget
// before it is read (what it was not filled with given back after), and
// so is the contiguous body made of them at the end: a message the store has no room for stops being read at
// ErrStoreFull, and what was read is dropped. An error of r (the client's
// size limit, a connection gone) is returned as it is.
func (s *Store) Receive(to []string, r io.Reader) (string, error) {
	s.mu.Lock()
	l := s.ledger
	s.mu.Unlock()
	var (
		chunks   [][]byte
		reserved int64
		total    int
	)
	drop := func() { l.unreserve(reserved) }
	for size := firstChunk; ; size = min(2*size, lastChunk) {
		if err := l.reserve(int64(size)); err != nil {
			drop()
			return "", err
		}
		reserved += int64(size)
		chunk := make([]byte, size)
		n, err := fill(r, chunk)
		chunks, total = append(chunks, chunk[:n]), total+n
		// What the chunk was not filled with is given back: the last
		// one's room is garbage once the body is made.
		l.unreserve(int64(size - n))
		reserved -= int64(size - n)
		if err == io.EOF {
			break
		}
		if err != nil {
			drop()
			return "", err
		}
	}
	if err := l.reserve(int64(total)); err != nil {
		drop()
		return "", err
	}
	var b strings.Builder
	b.Grow(total)
	for i, c := range chunks {
		b.Write(c)
		chunks[i] = nil
	}
	l.unreserve(reserved)
	body := b.String()
	if err := s.deliver(to, body, l, int64(total)); err != nil {
		return "", err
	}
	return body, nil
}

// fill reads into p until it is full or r fails: io.EOF once r is read
// to its end.
func fill(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
