package microsoft

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/mailoauth/mailoauth/mocks/authserver"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// reprocessCtx is what /common/reprocess?ctx=… carries (M-13): the
// application's name, the tenant the page names and the troubleshooting
// ids, from which the page is built again. Entra's ctx is opaque; this
// one is base64url JSON.
type reprocessCtx struct {
	Name        string `json:"n"`
	Tenant      string `json:"t"`
	Trace       string `json:"i"`
	Correlation string `json:"c"`
	Timestamp   string `json:"ts"`
}

// reprocessURL is where "Need admin approval" is shown for client, the
// page naming tenant and quoting e's ids.
func reprocessURL(client world.Client, tenant string, e aadError) string {
	b, _ := json.Marshal(reprocessCtx{Name: clientName(client), Tenant: tenant, Trace: e.TraceID, Correlation: e.CorrelationID,
		Timestamp: e.Timestamp})
	return "/" + Common + ReprocessPath + "?ctx=" + base64.RawURLEncoding.EncodeToString(b)
}

// reprocess shows "Need admin approval" (M-13) for the ctx reprocessURL
// made, or the sign-in error page for another.
func (p *Provider) reprocess(w http.ResponseWriter, r *http.Request) {
	var x reprocessCtx
	raw, err := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("ctx"))
	if err == nil {
		err = json.Unmarshal(raw, &x)
	}
	if err != nil || x.Name == "" || x.Tenant == "" {
		p.Message(w, http.StatusBadRequest, "Sign in", "Sorry, but we're having trouble signing you in.", "The request is malformed.")
		return
	}
	e := answer(900941, vars{tenant: x.Tenant, name: x.Name}).bodyOf(x.Trace, x.Correlation, x.Timestamp)
	page := needAdminApproval(authserver.Call{Client: world.Client{Name: x.Name}}, e)
	p.Message(w, page.Status, page.Title, page.Lines...)
}
