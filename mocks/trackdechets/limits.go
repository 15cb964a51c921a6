package trackdechets

import (
	"fmt"
	"strings"
	"text/scanner"

	graphql "github.com/graph-gophers/graphql-go"
)

// The bounds of one GraphQL operation. graph-gophers' validation cannot be
// interrupted (it takes no context), and its overlap check is quadratic in
// the selections sharing a response name, so the work is bounded before and
// during validation: a document is refused past maxTokens before it is
// parsed, past maxQueryBytes by graph-gophers (MaxQueryLength), past
// maxOverlapPairs compared pairs during validation (OverlapValidationLimit),
// and past maxSelections once its fragments are expanded (MaxSelections).
// Every selection, fragment and alias costs at least one token, so
// maxTokens bounds their number too. A real client's query of this schema
// (an introspection query included) is a few hundred tokens.
const (
	maxTokens       = 5000
	maxQueryBytes   = 1 << 20
	maxOverlapPairs = 2000
	maxSelections   = 10000
)

// limitOptions are the schema options applying the bounds above.
func limitOptions() []graphql.SchemaOpt {
	return []graphql.SchemaOpt{
		graphql.MaxDepth(10),
		graphql.MaxQueryLength(maxQueryBytes),
		graphql.OverlapValidationLimit(maxOverlapPairs),
		graphql.MaxSelections(maxSelections),
	}
}

// tooManyTokens is graphql-js's parse error for a document over its
// maxTokens parse option (Apollo Server passes parseOptions to it), or ""
// if query is within maxTokens. Tokens are counted with text/scanner, as
// graph-gophers' lexer reads them, skipping commas and comments as it does;
// the scan stops at the first token past the bound, so it costs at most
// the length of maxTokens tokens. A query over maxQueryBytes is left to
// graph-gophers' MaxQueryLength, unscanned.
func tooManyTokens(query string) string {
	if len(query) > maxQueryBytes {
		return ""
	}
	var sc scanner.Scanner
	sc.Init(strings.NewReader(query))
	sc.Mode = scanner.ScanIdents | scanner.ScanInts | scanner.ScanFloats | scanner.ScanStrings
	sc.Error = func(*scanner.Scanner, string) {} // the parser reports bad input
	n := 0
	for tok := sc.Scan(); tok != scanner.EOF; tok = sc.Scan() {
		switch tok {
		case ',':
			continue
		case '#':
			for r := sc.Peek(); r != '\n' && r != '\r' && r != scanner.EOF; r = sc.Peek() {
				sc.Next()
			}
			continue
		}
		if n++; n > maxTokens {
			return fmt.Sprintf("Syntax Error: Document contains more that %d tokens. Parsing aborted.", maxTokens)
		}
	}
	return ""
}
