package serve

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/mailoauth/mailoauth/mocks/trackdechets"
	"github.com/mailoauth/mailoauth/mocks/world"
)

// Trackdéchets' platform setting in the admin API.
func init() {
	consoles[trackdechets.Name] = func(a *admin, r *mux.Router) {
		r.HandleFunc("/api/providers/trackdechets/settings", a.trackdechetsSettings).Methods(http.MethodGet, http.MethodPost)
	}
}

// strictClientAuth is Trackdéchets' setting the dashboard shows (F-18).
func strictClientAuth(w *world.World) bool { return trackdechets.Strict(w) }

// trackdechetsSettings is GET and POST /api/providers/trackdechets/settings
// (form strict_client_auth=true|false): whether the token endpoint refuses
// client credentials in the body (F-18).
func (a *admin) trackdechetsSettings(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"the form could not be parsed"})
			return
		}
		strict, err := strconv.ParseBool(r.PostForm.Get("strict_client_auth"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"strict_client_auth must be true or false"})
			return
		}
		trackdechets.SetStrict(a.m.World, strict)
		a.m.World.Record(world.Event{Provider: trackdechets.Name, Protocol: "admin", Mechanism: "settings",
			Outcome: "ok", Reason: "strict_client_auth=" + strconv.FormatBool(strict)})
	}
	writeJSON(w, http.StatusOK, map[string]bool{"strict_client_auth": trackdechets.Strict(a.m.World)})
}
