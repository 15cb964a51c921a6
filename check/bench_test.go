package check

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// BenchmarkCheckFile is one `mailoauth check FILE` of seed configurations
// in-process: parse the file, build the world, start the fakes on
// loopback, run every step to the first mailbox command, diagnose.
func BenchmarkCheckFile(b *testing.B) {
	for _, name := range []string{"001-office365-imap.yaml", "002-client-credentials-imap.yaml", "000-google-smtp.yaml", "004-trackdechets.yaml"} {
		doc, err := os.ReadFile("../testdata/check/" + name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				in, err := ParseInput(name, bytes.NewReader(doc))
				if err != nil {
					b.Fatal(err)
				}
				r, err := Run(context.Background(), in)
				if err != nil || r.Failed() {
					b.Fatalf("%v %+v", err, r)
				}
			}
		})
	}
}

// BenchmarkParseInput is the input parser alone.
func BenchmarkParseInput(b *testing.B) {
	doc, err := os.ReadFile("../testdata/check/001-office365-imap.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseInput("in.yaml", bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}
