package tlsca

import (
	"crypto/tls"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"sync"
)

// testKeys are the embedded, public test CA and leaf (testkeys/README.md).
//
//go:embed testkeys/*.pem
var testKeys embed.FS

var testCA = sync.OnceValue(func() *CA {
	read := func(name string) []byte {
		b, err := testKeys.ReadFile("testkeys/" + name)
		if err != nil {
			panic("tlsca: embedded test key missing: " + err.Error())
		}
		return b
	}
	caPEM, caKey := read("ca.pem"), read("ca-key.pem")
	leaf, err := tls.X509KeyPair(append(read("leaf.pem"), caPEM...), read("leaf-key.pem"))
	if err != nil {
		panic("tlsca: embedded test leaf invalid: " + err.Error())
	}
	block, _ := pem.Decode(caPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		panic("tlsca: embedded test CA invalid: " + err.Error())
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{PEM: caPEM, KeyPEM: caKey, Pool: pool, Leaf: leaf}
})

// Test returns the embedded test CA and its leaf for 127.0.0.1, ::1 and
// localhost: published keys, as httptest's certificate is, that spare a
// test world the key generation. Never trust it outside a test.
func Test() *CA {
	ca := *testCA()
	return &ca
}
