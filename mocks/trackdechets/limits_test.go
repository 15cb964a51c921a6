package trackdechets_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// hostile are anonymous queries whose validation or expansion grows faster
// than their size: one field repeated (the overlap check compares every
// pair), fragments doubling at each level, and the same past the token bound.
var hostile = []struct {
	name, query, code, message string
}{
	{"one field 2,000 times (26 KB)", "{" + strings.Repeat("me { email } ", 2000) + "}",
		"GRAPHQL_PARSE_FAILED", "Syntax Error: Document contains more that 5000 tokens. Parsing aborted."},
	{"one field 1,200 times", "{" + strings.Repeat("me { email } ", 1200) + "}",
		"GRAPHQL_VALIDATION_FAILED", "Overlapping field validation aborted"},
	{"fragments doubling 20 times", doubling(20), "GRAPHQL_VALIDATION_FAILED", "too many selections"},
	{"a 5,000-fragment chain", chain(5000), "GRAPHQL_PARSE_FAILED", "more that 5000 tokens"},
	{"a 2 MB query", "{ me { email } }" + strings.Repeat(" ", 2<<20), "GRAPHQL_PARSE_FAILED", "maximum allowed query length"},
}

// doubling is a query whose fragment i spreads fragment i+1 twice.
func doubling(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }")
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Query { me { email } }", n)
	return b.String()
}

// chain is a query whose fragment i selects a field and spreads fragment i+1.
func chain(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }")
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Query { me { email } ...F%d }", i, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Query { me { email } }", n)
	return b.String()
}

// TestHostileQueries: a query whose validation would cost seconds and
// hundreds of megabytes is refused as Apollo refuses a bad document, 400
// with the error's code, before or during validation; a query of the same
// fields within the bounds still runs.
func TestHostileQueries(t *testing.T) {
	t.Parallel()
	f := start(t)
	hc := f.srv.Client()
	for _, h := range hostile {
		body, _ := json.Marshal(map[string]string{"query": h.query})
		status, reply := f.gql(hc, nil, string(body))
		var res struct {
			Data   any
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if err := json.Unmarshal([]byte(reply), &res); err != nil || status != http.StatusBadRequest || res.Data != nil || len(res.Errors) != 1 ||
			res.Errors[0].Extensions.Code != h.code || !strings.Contains(res.Errors[0].Message, h.message) {
			t.Errorf("%s: %d %.300s", h.name, status, reply)
		}
	}
	if status, reply := f.gql(hc, nil, `{"query":"{ a: me { email } b: me { email } ...F } fragment F on Query { me { email } }"}`); status != http.StatusOK ||
		!strings.Contains(reply, "UNAUTHENTICATED") {
		t.Errorf("a query within the bounds: %d %s", status, reply)
	}
}
