package imap

// LibraryErrors are the go-imap texts commandError replaces, as the
// table has them ("*" for what go-imap fills in).
func LibraryErrors() []string {
	var libs []string
	for _, e := range libraryErrors {
		libs = append(libs, e.lib)
	}
	return libs
}

// TooLongMarker ends the tag of a cut command's stand-in.
func TooLongMarker() string { return string(tooLongMarker) }
