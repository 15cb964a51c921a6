package world

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DecodeStrict decodes n into v, refusing keys v has no field for (a
// yaml.Node's own Decode accepts them), as yaml.v3's Decoder.KnownFields
// does: at every depth, with the line of the key in n's document. The
// check walks n in place, so that a world of thousands of clients is
// read without writing each one out again.
func DecodeStrict(n *yaml.Node, v any) error {
	w := walk{seen: map[visit]bool{}}
	if err := w.knownFields(n, reflect.TypeOf(v), 0); err != nil {
		return err
	}
	return n.Decode(v)
}

// KeyError is a key of a world file that nothing reads: a typo, said with
// its place in the file and the keys that may stand there.
type KeyError struct {
	Line, Column int
	Key          string
	// Known are the keys that may stand there, sorted.
	Known []string
}

// Error implements error: where, which key, and the keys that may stand
// there.
func (e *KeyError) Error() string {
	return fmt.Sprintf("line %d, column %d: unknown key %q (the keys here are %s)", e.Line, e.Column, e.Key, strings.Join(e.Known, ", "))
}

func sortedKeys(fields map[string]reflect.Type) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	nodeType        = reflect.TypeFor[yaml.Node]()
)

// maxStrictDepth bounds the walk over aliases that refer to each other.
const maxStrictDepth = 100

// A visit is a node checked against a type: aliases and merge keys reach
// the same node many times (a document of anchors that each merge the
// previous one twice has 2^n paths), and each is checked once.
type visit struct {
	n *yaml.Node
	t reflect.Type
}

// walk is one DecodeStrict's check, with the visits done.
type walk struct{ seen map[visit]bool }

// knownFields returns the error of the first key of n that t has no field
// for. What does not fit t (a sequence for a struct) is left to Decode,
// which says so; so are the values a type decodes itself (yaml.Unmarshaler,
// yaml.Node).
func (w walk) knownFields(n *yaml.Node, t reflect.Type, depth int) error {
	if n == nil || t == nil || depth > maxStrictDepth || w.seen[visit{n, t}] {
		return nil
	}
	w.seen[visit{n, t}] = true
	switch n.Kind {
	case yaml.AliasNode:
		return w.knownFields(n.Alias, t, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			return w.knownFields(n.Content[0], t, depth+1)
		}
		return nil
	}
	for ; t.Kind() == reflect.Pointer; t = t.Elem() {
		if t.Implements(unmarshalerType) {
			return nil
		}
	}
	if t == nodeType || t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		fields, rest := map[string]reflect.Type{}, reflect.Type(nil)
		structFields(t, fields, &rest)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "" || k.Tag == "!" || k.Tag == "!!merge") {
				merged := []*yaml.Node{val}
				if val.Kind == yaml.SequenceNode {
					merged = val.Content
				}
				for _, m := range merged {
					if err := w.knownFields(m, t, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			ft, ok := fields[k.Value]
			if !ok && rest == nil {
				return &KeyError{Line: k.Line, Column: k.Column, Key: k.Value, Known: sortedKeys(fields)}
			}
			if !ok {
				ft = rest
			}
			if err := instant(k, val, ft); err != nil {
				return err
			}
			if err := w.knownFields(val, ft, depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				if err := w.knownFields(c, t.Elem(), depth+1); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				if err := w.knownFields(n.Content[i], t.Elem(), depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ValueError is a value of a world file a real console would refuse, said
// with its place in the file and its key.
type ValueError struct {
	Line, Column int
	Key          string
	// Problem says what the value must be, with an example.
	Problem string
}

// Error implements error: where, and what the value must be.
func (e *ValueError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Problem)
}

var timeType = reflect.TypeFor[time.Time]()

// instant refuses a value for a time.Time (t) that is not an RFC 3339
// instant: yaml.v3 also takes a date alone or a space for the T, which
// would leave the time of day or the zone to a guess.
func instant(k, val *yaml.Node, t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != timeType || val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, val.Value); err != nil {
		return &ValueError{Line: val.Line, Column: val.Column, Key: k.Value,
			Problem: fmt.Sprintf("%s must be an RFC 3339 instant, like 2026-01-31T00:00:00Z, not %q", k.Value, val.Value)}
	}
	return nil
}

// structFields adds the keys of struct t to fields, by the rules of
// yaml.v3: the tag's name or the lower-cased field name, "-" left out,
// inline structs' keys merged; an inline map takes the other keys (rest is
// its value type).
func structFields(t reflect.Type, fields map[string]reflect.Type, rest *reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "" && !strings.Contains(string(f.Tag), ":") {
			tag = string(f.Tag)
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch ft.Kind() {
			case reflect.Map:
				*rest = ft.Elem()
			case reflect.Struct:
				structFields(ft, fields, rest)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
}
