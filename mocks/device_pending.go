package mocks

// PendingUserCodes are the user codes of the pending device authorizations
// of the provider's client clientID: what the application would show its
// user, for a test that plays the user of an application it cannot read
// (`mailoauth run --app`).
func (p *Provider) PendingUserCodes(clientID string) []string {
	return p.oauth.PendingUserCodes(clientID)
}
