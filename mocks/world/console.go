package world

import (
	"fmt"
	"slices"
	"time"
)

// What an administrator does in a provider's console, beside AddClient,
// UpdateClient and AddAccount: remove what was added, and manage a
// client's secrets. What the providers issued for a removed client or
// account is theirs to end (authserver.Server.RevokeClient, RevokeUser).

// RemoveClient deletes the client registered in realm under id.
func (w *World) RemoveClient(realm Realm, id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := key{realm, id}
	if _, ok := w.clients[k]; !ok {
		return fmt.Errorf("world: no %s client %q", realm, id)
	}
	delete(w.clients, k)
	for ck := range w.consents {
		if ck.realm == realm && ck.client == id {
			delete(w.consents, ck)
		}
	}
	return nil
}

// RemoveAccount deletes the account of email in realm, and its consents.
func (w *World) RemoveAccount(realm Realm, email string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := userKey(realm, email)
	if _, ok := w.accounts[k]; !ok {
		return fmt.Errorf("world: no %s account %s", realm, email)
	}
	delete(w.accounts, k)
	for ck := range w.consents {
		if ck.realm == realm && ck.user == k.id {
			delete(w.consents, ck)
		}
	}
	return nil
}

// AddSecret gives a client one more secret, as a console's "new client
// secret" does: the others keep working until they expire or are removed
// (a rotation).
func (w *World) AddSecret(realm Realm, id string, s Secret) error {
	if s.Value == "" {
		return fmt.Errorf("world: a secret needs a value")
	}
	return w.UpdateClient(realm, id, func(c *Client) {
		c.Secrets, c.Secret = append(c.AllSecrets(), s), ""
	})
}

// ExpireSecrets makes a client's secret (named by its id or its value) or,
// with which empty, every secret expire now; it returns how many did.
func (w *World) ExpireSecrets(realm Realm, id, which string) (int, error) {
	now := w.Clock.Now().Add(-time.Second)
	n := 0
	err := w.UpdateClient(realm, id, func(c *Client) {
		c.Secrets, c.Secret = c.AllSecrets(), ""
		for i, s := range c.Secrets {
			if which == "" || s.ID == which || s.Value == which {
				c.Secrets[i].Expires = now
				n++
			}
		}
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("world: %s client %q has no secret %q", realm, id, which)
	}
	return n, err
}

// RemoveSecret deletes a client's secret, named by its id or its value.
func (w *World) RemoveSecret(realm Realm, id, which string) error {
	found := false
	err := w.UpdateClient(realm, id, func(c *Client) {
		all := c.AllSecrets()
		kept := slices.DeleteFunc(slices.Clone(all), func(s Secret) bool { return which != "" && (s.ID == which || s.Value == which) })
		found = len(kept) < len(all)
		c.Secrets, c.Secret = kept, ""
	})
	if err == nil && !found {
		err = fmt.Errorf("world: %s client %q has no secret %q", realm, id, which)
	}
	return err
}

// FindAccount returns the account of email at provider, in whichever
// realm holds it.
func (w *World) FindAccount(provider, email string) (Account, bool) {
	for _, realm := range w.Realms(provider) {
		if a, ok := w.Account(realm, email); ok {
			return a, true
		}
	}
	return Account{}, false
}

// FindClient returns the client of provider registered under id, in
// whichever realm.
func (w *World) FindClient(provider, id string) (Client, bool) {
	for _, realm := range w.Realms(provider) {
		if c, ok := w.Client(realm, id); ok {
			return c, true
		}
	}
	return Client{}, false
}
