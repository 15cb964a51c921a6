package mailauth_test

import (
	"testing"
	"time"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
	"github.com/mailoauth/mailoauth/mocks/world"
)

func TestServerConfigOpen(t *testing.T) {
	t.Parallel()
	w := world.New()
	r := &rule{}
	c := mailauth.ServerConfig{Provider: "p", World: w, Rule: r}
	g, err := c.Open("imap", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Listener.Close()
	defer c.TLSListener.Close()
	if c.Listener == nil || c.TLSListener == nil || c.Listener.Addr().String() == c.TLSListener.Addr().String() {
		t.Fatal("the two listeners are not open")
	}
	if c.Idle != time.Minute {
		t.Fatalf("Idle %v, want the protocol's default", c.Idle)
	}
	if g.Provider != "p" || g.Protocol != "imap" || g.World != w || g.Rule != r {
		t.Fatalf("gate %+v", g)
	}
	own := mailauth.ServerConfig{Listener: c.Listener, TLSListener: c.TLSListener, Idle: time.Second}
	if _, err := own.Open("smtp", time.Minute); err != nil || own.Idle != time.Second || own.Listener != c.Listener {
		t.Fatalf("a set Idle or listener was replaced: %v %v", own.Idle, err)
	}
	if f := own.Face(); f.Idle != time.Second || f.StartTLS != nil {
		t.Fatalf("face %+v", f)
	}
}
