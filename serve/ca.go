package serve

import "net/http"

// caPEM is GET /api/ca.pem: the CA certificate every listener's
// certificate chains to (ca_file), for a client that cannot read serve's
// files: a job beside a container, a CI service.
func (a *admin) caPEM(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(a.m.CA.PEM)
}
