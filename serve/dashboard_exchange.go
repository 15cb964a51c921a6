package serve

import (
	"strings"

	"github.com/mailoauth/mailoauth/mocks/microsoft"
)

// spView is a service principal Exchange knows (New-ServicePrincipal)
// beside the app registration of its app id: the object id registered,
// the registration's own and its enterprise application's, and whether
// Exchange accepts the app's tokens with it (EX-02, F-02).
type spView struct {
	AppID, ObjectID string
	// App is the name of the registration of AppID in the tenant; empty
	// if there is none.
	App                                      string
	RegistrationObjectID, EnterpriseObjectID string
	// Verdict says what the registered object id is; OK whether it is
	// the one Exchange needs.
	Verdict string
	OK      bool
}

// permView is a mailbox permission (Add-MailboxPermission) with whom its
// user is: a service principal's app, or a user's address.
type permView struct {
	Mailbox, User, Who string
}

// servicePrincipalViews are the tenant's service principals beside apps.
func servicePrincipalViews(ex microsoft.Exchange, apps []appView) []spView {
	var out []spView
	for _, sp := range ex.ServicePrincipals {
		v := spView{AppID: sp.AppID, ObjectID: sp.ObjectID, Verdict: "no app registration with this app id in the tenant"}
		for _, a := range apps {
			if !strings.EqualFold(a.AppID, sp.AppID) {
				continue
			}
			v.App, v.RegistrationObjectID, v.EnterpriseObjectID = a.Name, a.ObjectID, a.EnterpriseObjectID
			switch {
			case strings.EqualFold(sp.ObjectID, a.EnterpriseObjectID):
				v.Verdict, v.OK = "the enterprise application's: Exchange accepts the app's tokens", true
			case strings.EqualFold(sp.ObjectID, a.ObjectID):
				v.Verdict = "the app registration's (F-02): Exchange refuses the app's tokens; it needs " + a.EnterpriseObjectID
			default:
				v.Verdict = "neither the registration's nor its enterprise application's (" + a.EnterpriseObjectID + ")"
			}
		}
		out = append(out, v)
	}
	return out
}

// permissionViews are the tenant's mailbox permissions, each user named:
// the app whose service principal's object id it is, or a user.
func permissionViews(ex microsoft.Exchange, sps []spView) []permView {
	var out []permView
	for _, m := range ex.MailboxPermissions {
		v := permView{Mailbox: m.Mailbox, User: m.User, Who: "a user (delegate)"}
		if !strings.Contains(m.User, "@") {
			v.Who = "no service principal with this object id"
			for _, sp := range sps {
				if strings.EqualFold(sp.ObjectID, m.User) {
					v.Who = "service principal of " + sp.AppID
					if sp.App != "" {
						v.Who = "service principal of " + sp.App
					}
				}
			}
		}
		out = append(out, v)
	}
	return out
}
