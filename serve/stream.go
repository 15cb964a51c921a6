package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// The admin API's long replies (the delivery log of a mailbox, the audit
// log) are written one element at a time as they are encoded: a reader
// costs one element's encoding, not the whole reply's. Their JSON is not
// HTML-escaped (nothing renders it as HTML) and each element takes one
// line.

// writeArray answers 200 with items as a JSON array, one element a line,
// each encoded by encode into a buffer the elements share. It stops when
// the client is gone.
func writeArray[T any](w http.ResponseWriter, items []T, encode func(*bytes.Buffer, *T) error) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if len(items) == 0 {
		_, _ = io.WriteString(w, "[]\n")
		return
	}
	var buf bytes.Buffer
	for i := range items {
		buf.Reset()
		buf.WriteString(",\n")
		if i == 0 {
			buf.Reset()
			buf.WriteString("[\n")
		}
		if encode(&buf, &items[i]) != nil {
			return
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, "\n]\n")
}

// encodeCompact appends v's JSON to buf, on one line, not HTML-escaped.
func encodeCompact(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

// rawChunk is how much of a message's raw text is encoded at a time.
const rawChunk = 32 << 10

// messageWriter writes messages whose raw text, up to the store's 35 MB
// and more, is encoded and written a chunk at a time.
type messageWriter struct {
	w io.Writer
}

// encode appends m's JSON to buf and writes it, its raw text in chunks:
// what is left in buf is the element's end. raw is the last field of
// world.Message, so the rest is encoded whole, with raw empty, then cut
// before its closing quote.
func (mw messageWriter) encode(buf *bytes.Buffer, m *world.Message) error {
	head := *m
	head.Raw = ""
	if err := encodeCompact(buf, head); err != nil {
		return err
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte(`"raw":""}`)) {
		return errors.New("serve: raw is not the last field of a message")
	}
	buf.Truncate(buf.Len() - len(`"}`))
	raw := m.Raw
	for raw != "" {
		n := min(rawChunk, len(raw))
		for n < len(raw) && n > rawChunk-utf8.UTFMax && !utf8.RuneStart(raw[n]) {
			n-- // cut before a rune, never inside one
		}
		mark := buf.Len()
		if err := encodeCompact(buf, raw[:n]); err != nil {
			return err
		}
		// Keep the chunk's characters, not its quotes.
		chunk := buf.Bytes()[mark+1 : buf.Len()-1]
		copy(buf.Bytes()[mark:], chunk)
		buf.Truncate(mark + len(chunk))
		raw = raw[n:]
		if _, err := mw.w.Write(buf.Bytes()); err != nil {
			return err
		}
		buf.Reset()
	}
	buf.WriteString(`"}`)
	return nil
}

// window is what the limit and since parameters of a log's request keep:
// the entries after since (an RFC 3339 instant), then the last limit of
// them.
type window struct {
	since time.Time
	limit int // 0: no limit
}

// parseWindow reads the limit and since parameters of q.
func parseWindow(q url.Values) (window, error) {
	var win window
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return win, errors.New("limit must be a whole number from 1")
		}
		win.limit = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return win, errors.New("since must be an RFC 3339 instant, such as 2030-01-01T00:00:00Z")
		}
		win.since = t
	}
	return win, nil
}

// keep is the part of entries, oldest first, that win keeps.
func keep[T any](win window, entries []T, at func(*T) time.Time) []T {
	if !win.since.IsZero() {
		first := len(entries)
		for i := range entries {
			if at(&entries[i]).After(win.since) {
				first = i
				break
			}
		}
		entries = entries[first:]
	}
	if win.limit > 0 && len(entries) > win.limit {
		entries = entries[len(entries)-win.limit:]
	}
	return entries
}
