package app

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkBareSpawn is the floor: one `sh -c true`, as os/exec runs it.
func BenchmarkBareSpawn(b *testing.B) {
	for b.Loop() {
		if err := exec.Command("/bin/sh", "-c", "true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAction is one action of an application that does nothing
// (CMD true): the contract's environment built, sh -c 'true "$@"' sh send
// in a process group of its own, both streams read, the group killed once
// it ends, the last line parsed.
func BenchmarkAction(b *testing.B) {
	st := Setup{Provider: "google", ManifestFile: "/tmp/m.json", CAFile: "/tmp/ca.pem", StateDir: b.TempDir(),
		ClientID: "id", ClientSecret: "secret", RedirectURI: "http://localhost:4242/", ClientAuth: "client_secret_post",
		TokenEndpoint: "https://127.0.0.1:1/token", Scopes: []string{"https://mail.google.com/"}, User: "alice@gmail.test",
		SMTP: MailServer{"127.0.0.1", 587, "starttls"}, Browser: "/tmp/browser", Now: time.Now()}
	rn := Runner{Command: "true"}
	for b.Loop() {
		res := rn.Run(b.Context(), "send", st.Environ("send", os.Environ()), st.StateDir)
		if res.Outcome() != Done {
			b.Fatal(res)
		}
	}
}
