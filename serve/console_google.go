package serve

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks/google"
)

// Google's console switches in the admin API.
func init() {
	consoles[google.Name] = func(a *admin, r *mux.Router) {
		r.HandleFunc("/api/providers/google/testing", a.googleTesting).Methods(http.MethodPost)
	}
}

// googleTesting is POST /api/providers/google/testing (client_id,
// testing): the client's consent screen in Testing or in production (G-08).
func (a *admin) googleTesting(w http.ResponseWriter, r *http.Request) {
	if !form(w, r, "client_id", "testing") {
		return
	}
	var testing bool
	if err := boolParam(r, "testing", &testing); err != nil {
		refuse(w, err)
		return
	}
	if err := google.SetTesting(a.m.World, r.Form.Get("client_id"), testing); err != nil {
		refuse(w, err)
		return
	}
	a.done(w, google.Name, "testing", r.Form.Get("client_id")+"="+strconv.FormatBool(testing), map[string]bool{"testing": testing})
}
