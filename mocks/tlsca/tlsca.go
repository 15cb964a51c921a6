// Package tlsca is the certificate authority of a fake world: generated at
// start, it signs the leaf certificate every listener serves, and clients
// trust it the way httptest.NewTLSServer's client trusts its server.
package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"time"
)

// CA is a generated certificate authority and the leaf it issued for the
// loopback names (127.0.0.1, ::1, localhost and any extra host names).
type CA struct {
	// PEM is the CA certificate, PEM-encoded (what serve writes to ca_file).
	PEM []byte
	// KeyPEM is the CA's private key, PEM-encoded, for Load.
	KeyPEM []byte
	// Pool trusts the CA.
	Pool *x509.CertPool
	// Leaf is the server certificate for every listener.
	Leaf tls.Certificate
}

// New generates a CA valid from an hour ago for ten years, and a leaf for
// the loopback names plus hosts.
func New(hosts ...string) (*CA, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"mailoauth"}, CommonName: "mailoauth test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	return issue(caDER, caKey, hosts)
}

// Load is the CA of certPEM and keyPEM (what a CA's PEM and KeyPEM wrote),
// with a new leaf for the loopback names plus hosts: a world restarted on
// the same state keeps the CA its clients trust.
func Load(certPEM, keyPEM []byte, hosts ...string) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("tlsca: no PEM certificate or key")
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	return issue(cb.Bytes, key, hosts)
}

// issue makes the leaf of the CA caDER for the loopback names plus hosts.
func issue(caDER []byte, caKey *ecdsa.PrivateKey, hosts []string) (*CA, error) {
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	dnsNames, ips := []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	for _, h := range hosts {
		// A client dialling an address checks the certificate's IP
		// addresses, never its DNS names.
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
		} else {
			dnsNames = append(dnsNames, h)
		}
	}
	now := time.Now()
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"mailoauth"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     caCert.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(caKey)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &CA{
		PEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		Pool:   pool,
		Leaf:   tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey},
	}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

// ServerConfig is the TLS configuration of a listener serving the leaf.
func (ca *CA) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{ca.Leaf}, MinVersion: tls.VersionTLS12}
}

// ClientConfig is the TLS configuration of a client that trusts the CA.
func (ca *CA) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS12}
}
