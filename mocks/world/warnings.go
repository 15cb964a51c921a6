package world

// A Checker is a Schema that also checks a whole loaded world for what a
// real console accepts but that cannot work (a service principal of an
// application registered nowhere): each such thing is a warning, never an
// error.
type Checker interface {
	Warnings(w *World, provider string) []string
}

// Warnings are what Load found in the world file that a real console
// accepts but that cannot work, one sentence each, in the file's order of
// providers; nil for a world not loaded from a file.
func (w *World) Warnings() []string { return w.warnings }

// check collects the warnings of each schema that is a Checker, for the
// providers the file names.
func (w *World) check(schemas Schemas, providers []string) {
	for _, p := range providers {
		if c, ok := schemas[p].(Checker); ok {
			w.warnings = append(w.warnings, c.Warnings(w, p)...)
		}
	}
}
