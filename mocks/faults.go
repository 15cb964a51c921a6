package mocks

import (
	"fmt"
	"time"

	"github.com/mailoauth/mailoauth/mocks/world"
)

// The kinds of fault ArmFault arms.
const (
	// FaultUnavailable is the provider's "try again later": 503
	// temporarily_unavailable over HTTP, 454 4.7.0 on SMTP, NO
	// [UNAVAILABLE] on IMAP, -ERR [SYS/TEMP] on POP3.
	FaultUnavailable = world.FaultUnavailable
	// FaultServerError is an internal error: 500 server_error over HTTP,
	// 451 4.3.0 on SMTP, NO [SERVERBUG] on IMAP, -ERR [SYS/TEMP] on POP3.
	FaultServerError = world.FaultServerError
	// FaultInvalidGrant refuses a token request's grant in the provider's
	// words (token endpoints only).
	FaultInvalidGrant = world.FaultInvalidGrant
	// FaultDisconnect closes the connection without a reply.
	FaultDisconnect = world.FaultDisconnect
	// FaultDelay holds the answer, then gives it as usual (ArmDelay).
	FaultDelay = world.FaultDelay
)

// FaultPoints lists the targets a fault can be armed at in this world,
// "provider.point" ("google.token", "microsoft.imap"), for the providers
// it runs.
// Each endpoint and mail server declares its point where it is mounted
// (authserver.FaultAt, mailauth.NewGate).
func (s *Server) FaultPoints() []string { return s.World.FaultPoints() }

// ArmFault makes the next count requests at target (one of FaultPoints;
// count 0: every one until ClearFaults) answer with the fault kind
// (FaultUnavailable, FaultServerError, FaultInvalidGrant,
// FaultDisconnect): an outage on demand. ArmDelay arms a delay.
func (s *Server) ArmFault(target, kind string, count int) (Fault, error) {
	if kind == world.FaultDelay {
		return Fault{}, fmt.Errorf("mocks: a delay is armed with ArmDelay")
	}
	return s.arm(world.Fault{Target: target, Kind: kind, Count: count})
}

// ArmDelay makes the next count requests at target (count 0: every one
// until ClearFaults) wait d (at most a minute), then answer as usual.
func (s *Server) ArmDelay(target string, d time.Duration, count int) (Fault, error) {
	return s.arm(world.Fault{Target: target, Kind: world.FaultDelay, Count: count, DelayMS: int(d.Milliseconds())})
}

func (s *Server) arm(f world.Fault) (Fault, error) {
	f, err := s.World.ArmFault(f)
	if err != nil {
		return Fault{}, fmt.Errorf("mocks: %w", err)
	}
	return f, nil
}

// ClearFaults disarms every fault.
func (s *Server) ClearFaults() { s.World.ClearFaults() }
