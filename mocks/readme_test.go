package mocks_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADME: the README's Go example is readme_example_test.go, which
// go test compiles and runs, so the front page's example always works.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## In `go test`")
	_, rest, ok2 := strings.Cut(rest, "```go\n")
	block, _, ok3 := strings.Cut(rest, "```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README has no Go block under \"## In `go test`\"")
	}
	test, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, _ := strings.Cut(string(test), "\n\n")
	if want := strings.Replace(block, "package myapp_test", "package mocks_test", 1); code != want {
		t.Errorf("README's example and readme_example_test.go differ:\nREADME:\n%s\ntest:\n%s", want, code)
	}
}
