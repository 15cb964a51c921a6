package check

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// schema is the subset of JSON Schema docs/check-report.schema.json uses.
type schema struct {
	Type                 string             `json:"type"`
	Enum                 []string           `json:"enum"`
	Required             []string           `json:"required"`
	AdditionalProperties *bool              `json:"additionalProperties"`
	Properties           map[string]*schema `json:"properties"`
	Items                *schema            `json:"items"`
}

// validate checks v against s field by field, and names the first path
// that does not fit.
func (s *schema) validate(path string, v any) error {
	if s.Enum != nil {
		str, ok := v.(string)
		if !ok || !slices.Contains(s.Enum, str) {
			return fmt.Errorf("%s: %v is none of %v", path, v, s.Enum)
		}
	}
	switch s.Type {
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: %v is not a string", path, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %v is not a boolean", path, v)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an array", path, v)
		}
		for i, e := range a {
			if err := s.Items.validate(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	case "object":
		o, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an object", path, v)
		}
		for _, k := range s.Required {
			if _, ok := o[k]; !ok {
				return fmt.Errorf("%s: no %q", path, k)
			}
		}
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, ok := s.Properties[k]
			if !ok {
				if s.AdditionalProperties != nil && !*s.AdditionalProperties {
					return fmt.Errorf("%s: %q is not in the schema", path, k)
				}
				continue
			}
			if err := p.validate(path+"."+k, o[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestJSONSchema: the report of every seed and broken configuration, of
// check world, check token and check sasl validates against the
// documented schema, and the schema documents no field the reports lack.
func TestJSONSchema(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../docs/check-report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"status":"pass","findings":[],"extra":1}`, `{"status":"maybe","findings":[]}`, `{"status":"pass"}`,
		`{"status":"fail","findings":[{"id":"F-01","severity":"fatal","title":"","evidence":"","fix":""}]}`,
		`{"status":"fail","steps":[{"name":"x","sent":"","reply":"","pass":"yes"}],"findings":[]}`} {
		var v any
		_ = json.Unmarshal([]byte(bad), &v)
		if s.validate("report", v) == nil {
			t.Errorf("%s validates", bad)
		}
	}
	var reports []*Report
	files, _ := filepath.Glob("../testdata/check/0*.yaml")
	broken, _ := filepath.Glob("../testdata/check/broken/F-0[1-3]*.yaml")
	for _, f := range append(files, broken...) {
		reports = append(reports, runFile(t, f))
	}
	w, err := CheckWorld("w.yaml", strings.NewReader(badWorld))
	if err != nil {
		t.Fatal(err)
	}
	reports = append(reports, w)
	tok, err := CheckToken(jwt(t, delegated(nil)), Options{For: "imap"})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := CheckSASL(b64("user=a@b.test^Aauth=Bearer x^A^A"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	reports = append(reports, tok, sa)
	seen := map[string]bool{}
	for i, r := range reports {
		b, _ := json.Marshal(r)
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if err := s.validate("report", v); err != nil {
			t.Errorf("report %d: %v\n%s", i, err, b)
		}
		collect("", v, seen)
	}
	for _, want := range []string{".status", ".steps", ".steps.name", ".steps.sent", ".steps.reply", ".steps.pass", ".first_failure", ".proved",
		".token", ".token.kind", ".token.shown", ".token.claims", ".sasl", ".findings", ".findings.id", ".findings.severity", ".findings.title",
		".findings.evidence", ".findings.fix", ".findings.candidates", ".findings.candidates.verdict", ".notes"} {
		if !seen[want] {
			t.Errorf("no report has %s", want)
		}
	}
}

// collect records the paths of v's keys (arrays' elements under their
// array's path).
func collect(path string, v any, seen map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			seen[path+"."+k] = true
			if !strings.HasSuffix(path, ".claims") && k != "claims" {
				collect(path+"."+k, e, seen)
			}
		}
	case []any:
		for _, e := range x {
			collect(path, e, seen)
		}
	}
}
