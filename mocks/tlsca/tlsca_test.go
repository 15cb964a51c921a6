package tlsca

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
)

func TestLeafChainsToTheCA(t *testing.T) {
	ca, err := New("mail.example.test", "10.0.0.5")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(ca.PEM)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatal("PEM is not a certificate")
	}
	leaf, err := x509.ParseCertificate(ca.Leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "::1", "localhost", "mail.example.test", "10.0.0.5"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "example.com"}); err == nil {
		t.Error("the leaf is valid for a name it was not issued for")
	}
}
