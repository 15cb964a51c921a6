package mocks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mailoauth/mailoauth/mocks"
)

// BenchmarkNew is a world with every provider started and closed: the
// price of mocks.Start in a test (docs/benchmarks.md). The reference is
// httptest.NewTLSServer, started and closed in the same run.
func BenchmarkNew(b *testing.B) {
	b.Run("mocks", func(b *testing.B) {
		for b.Loop() {
			srv, err := mocks.New()
			if err != nil {
				b.Fatal(err)
			}
			srv.Close()
		}
	})
	b.Run("httptest", func(b *testing.B) {
		for b.Loop() {
			httptest.NewTLSServer(http.NotFoundHandler()).Close()
		}
	})
}

// BenchmarkFirstMicrosoftToken is a start with every provider, then the
// first Microsoft token (the authorization code flow over HTTPS, a JWT
// signed with the realm's key), then the close.
func BenchmarkFirstMicrosoftToken(b *testing.B) {
	for b.Loop() {
		srv, err := mocks.New()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.Microsoft.Token(context.Background(), "alice@contoso.test", "https://outlook.office.com/IMAP.AccessAsUser.All"); err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
}
