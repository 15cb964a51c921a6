package trackdechets

import (
	"net/http"
)

// applications is the account's "Applications et API" page (T-06): the
// applications holding a token of the signed-in user, each with a button
// that revokes it. The real interface calls the GraphQL mutation
// revokeAuthorizedApplication; the page posts the same request as a form.
func (p *Provider) applications(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	v, ok := p.Visitor(r)
	if !ok {
		signInFirst(w, r)
		return
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			expressError(w, http.StatusBadRequest)
			return
		}
		p.RevokeApplication(v.Email, r.PostForm.Get("id"))
		http.Redirect(w, r, ApplicationsPath, http.StatusSeeOther)
		return
	}
	d := pageData{Title: "Applications et API", Action: ApplicationsPath}
	for _, app := range p.api.authorized(v.Account) {
		d.Applications = append(d.Applications, *app)
	}
	p.pages.render(w, "applications", d)
}
