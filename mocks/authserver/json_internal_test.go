package authserver

import (
	"net/http/httptest"
	"testing"
)

// TestJSONStyleOrder: a map body's keys in Order first, the rest sorted,
// on one line or indented.
func TestJSONStyleOrder(t *testing.T) {
	t.Parallel()
	body := map[string]any{"b": 1, "z": "<", "a": []int{1}, "token_type": "Bearer"}
	rec := httptest.NewRecorder()
	JSONStyle{Order: []string{"token_type", "z", "absent"}}.Write(rec, 200, body)
	if got, want := rec.Body.String(), `{"token_type":"Bearer","z":"\u003c","a":[1],"b":1}`+"\n"; got != want {
		t.Errorf("compact: %q, want %q", got, want)
	}
	rec = httptest.NewRecorder()
	JSONStyle{Indent: true, Order: []string{"z"}}.Write(rec, 200, map[string]any{"a": 1, "z": 2})
	if got, want := rec.Body.String(), "{\n  \"z\": 2,\n  \"a\": 1\n}\n"; got != want {
		t.Errorf("indented: %q, want %q", got, want)
	}
	rec = httptest.NewRecorder()
	JSONStyle{}.Write(rec, 200, map[string]any{"z": 1, "a": 2})
	if got, want := rec.Body.String(), `{"a":2,"z":1}`+"\n"; got != want {
		t.Errorf("no order: %q, want %q", got, want)
	}
}
