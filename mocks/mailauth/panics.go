package mailauth

import (
	"fmt"
	"strings"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// PanicLog is the mail libraries' error log: a panic they recovered from
// while serving a connection goes into the world's audit log (outcome
// "panic", its first line as the reason), where tests see it; the rest is
// dropped, for the events already say what happened.
type PanicLog struct {
	World    *world.World
	Provider string
	Protocol string
}

// Printf implements the libraries' logger interfaces.
func (l PanicLog) Printf(format string, args ...any) { l.record(fmt.Sprintf(format, args...)) }

// Println implements go-smtp's logger interface.
func (l PanicLog) Println(args ...any) { l.record(fmt.Sprintln(args...)) }

func (l PanicLog) record(msg string) {
	if !strings.HasPrefix(msg, "panic") || l.World == nil {
		return
	}
	first, _, _ := strings.Cut(msg, "\n")
	l.World.Record(world.Event{Provider: l.Provider, Protocol: l.Protocol, Mechanism: "server", Outcome: "panic", Reason: first})
}
