package check

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mailoauth/mailoauth/mocks"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// CheckWorld validates a world file as serve --config and PUT /api/world
// load it: what stops loading is a *FileError (with the file's line and
// column); what loads but cannot work is a warning finding each, placed
// in the file where its subject is.
func CheckWorld(name string, r io.Reader) (*Report, error) {
	doc, err := io.ReadAll(io.LimitReader(r, world.MaxFileBytes+1))
	if err != nil {
		return nil, &FileError{File: name, Problem: err.Error()}
	}
	if len(doc) > world.MaxFileBytes {
		return nil, &FileError{File: name, Problem: fmt.Sprintf("larger than %d bytes (4 MiB), the limit of a world file", world.MaxFileBytes)}
	}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(doc)).Decode(&root); err != nil && err != io.EOF {
		return nil, yamlError(name, err)
	}
	w, err := world.LoadNode(&root, mocks.Schemas())
	if err != nil {
		return nil, placeError(name, &root, err)
	}
	rep := &Report{}
	for _, warning := range w.Warnings() {
		place := ""
		for _, q := range placeWords(warning) {
			if at := findScalar(&root, q); at != nil {
				place = fmt.Sprintf("%s:%d:%d: ", name, at.Line, at.Column)
				break
			}
		}
		id, fix := classify(warning)
		rep.add(id, Warning, warning, place+warning, fix)
	}
	n := 0
	for _, p := range []string{"google", "microsoft", "trackdechets"} {
		for _, realm := range w.Realms(p) {
			n += len(w.Clients(realm))
		}
	}
	rep.note("%s loads: %d registration(s), %d warning(s)", name, n, len(rep.Findings))
	rep.finish()
	return rep, nil
}

// placeWords are the words of a warning that may name a value of the
// file: ids, addresses, URIs, in the order the warning gives them.
func placeWords(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, `"(),;:`)
		if strings.ContainsAny(f, "@-/.") && len(f) > 6 {
			out = append(out, f)
		}
	}
	// The most specific word first: an object id before an app id.
	if strings.Contains(s, "object_id ") {
		if _, after, ok := strings.Cut(s, "object_id "); ok {
			out = append([]string{strings.Fields(after)[0]}, out...)
		}
	}
	return out
}

// classify gives a world warning its PROVIDERS.md id and fix.
func classify(w string) (id, fix string) {
	switch {
	case strings.Contains(w, "app registration's own object id"):
		return "F-02", "New-ServicePrincipal -AppId <app id> -ObjectId <the enterprise application's object id> (Entra admin center > Enterprise applications > the app > Object ID); Remove-ServicePrincipal the wrong one"
	case strings.Contains(w, "is no app registration"):
		return "F-02", "the app_id of New-ServicePrincipal is the Application (client) ID of the app registration: fix the id, or add the registration"
	case strings.Contains(w, "mailbox permission on"):
		return "EX-02", "Add-MailboxPermission -Identity <an existing mailbox>: fix the address, or add the account"
	case strings.Contains(w, "expired on"):
		return "F-09", "Certificates & secrets > New client secret, and put its Value in the application"
	case strings.Contains(w, "expires on"):
		return "F-09", "make a new secret before this one expires and put its Value in the application"
	case strings.Contains(w, "out-of-band"):
		return "F-15", "register a loopback redirect URI (http://127.0.0.1:PORT/) on a Desktop app client (G-10)"
	case strings.Contains(w, "redirect URI") && strings.Contains(w, "Entra"):
		return "F-38", "register an https redirect URI, or http://localhost for a local listener"
	case strings.Contains(w, "redirect URI"):
		return "G-10", "register an https URI, or http://localhost / http://127.0.0.1 for a local listener, with no fragment or wildcard"
	}
	return "world", "fix the world file where it says"
}
