package world

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The faults a server can be told to answer with (ArmFault), and where.
const (
	// FaultUnavailable is the provider's "try again later": 503
	// temporarily_unavailable over HTTP (a redirect or page at the
	// authorization endpoint), 454 4.7.0 on SMTP, NO [UNAVAILABLE] on IMAP,
	// -ERR [SYS/TEMP] on POP3.
	FaultUnavailable = "unavailable"
	// FaultServerError is an internal error: 500 server_error over HTTP,
	// 451 4.3.0 on SMTP, NO [SERVERBUG] on IMAP, -ERR [SYS/TEMP] on POP3.
	FaultServerError = "server_error"
	// FaultInvalidGrant refuses a token request's grant, in the provider's
	// words (token endpoint only).
	FaultInvalidGrant = "invalid_grant"
	// FaultDisconnect closes the connection without a reply.
	FaultDisconnect = "disconnect"
	// FaultDelay answers DelayMS milliseconds late, then as usual.
	FaultDelay = "delay"
	// FaultThrottled throttles the next session an SMTP or IMAP server
	// authenticates (those servers only): its login goes as usual, then
	// the server answers with its throttling reply (Exchange: IMAP "NO
	// Request is throttled. Suggested Backoff Time: …" at the first
	// mailbox command, BAD and BYE at the next; SMTP "432 4.3.2
	// STOREDRV.ClientSubmit; sender thread limit exceeded" after DATA).
	FaultThrottled = "throttled"
)

// FaultKinds are the faults there are.
var FaultKinds = []string{FaultUnavailable, FaultServerError, FaultInvalidGrant, FaultDisconnect, FaultDelay, FaultThrottled}

// MaxFaultDelay bounds a delay fault.
const MaxFaultDelay = 60 * time.Second

// maxFaults bounds the faults armed at once.
const maxFaults = 100

// Fault is an error armed at a point of a provider: the next Count
// requests there (0: every one until cleared) get it.
type Fault struct {
	ID      string `json:"id"`
	Target  string `json:"target"`
	Kind    string `json:"fault"`
	Count   int    `json:"count"`
	DelayMS int    `json:"delay_ms,omitempty"`
	// Hits is how many requests it answered so far.
	Hits int `json:"hits"`
}

// Delay is how long a delay fault holds the answer.
func (f Fault) Delay() time.Duration {
	return min(time.Duration(f.DelayMS)*time.Millisecond, MaxFaultDelay)
}

// FaultPoint is a place of a provider's servers where a fault can be
// armed: an endpoint or a mail server, as its handler declared it with
// DeclareFault. Only DeclareFault makes one, so no server can ask for the
// faults of a point nobody can arm.
type FaultPoint struct{ target string }

// Target is the point's name, "provider.point" ("google.token").
func (p FaultPoint) Target() string { return p.target }

// DeclareFault declares that provider's server handles faults at point
// ("token", "smtp"): the point becomes a target of ArmFault and is listed
// by FaultPoints. Declaring it again returns the same point.
func (w *World) DeclareFault(provider, point string) FaultPoint {
	p := FaultPoint{target: provider + "." + point}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Contains(w.points, p.target) {
		w.points = append(w.points, p.target)
		slices.Sort(w.points)
	}
	return p
}

// FaultPoints lists the declared targets, "provider.point", sorted.
func (w *World) FaultPoints() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return slices.Clone(w.points)
}

// ArmFault checks f (its target a declared point, "provider.point"; a
// known fault that applies there; a count and delay in bounds) and arms
// it; it returns f with its id.
func (w *World) ArmFault(f Fault) (Fault, error) {
	_, point, _ := strings.Cut(f.Target, ".")
	points := w.FaultPoints()
	switch {
	case !slices.Contains(points, f.Target):
		return Fault{}, fmt.Errorf("target is one of %s", strings.Join(points, ", "))
	case !slices.Contains(FaultKinds, f.Kind):
		return Fault{}, fmt.Errorf("fault is one of %v", FaultKinds)
	case f.Kind == FaultInvalidGrant && point != "token":
		return Fault{}, fmt.Errorf("invalid_grant is a token endpoint's fault")
	case f.Kind == FaultThrottled && point != "smtp" && point != "imap":
		return Fault{}, fmt.Errorf("throttled is an SMTP or IMAP server's fault")
	case f.Count < 0:
		return Fault{}, fmt.Errorf("count is 0 (until cleared) or more")
	case f.Kind == FaultDelay && (f.DelayMS <= 0 || time.Duration(f.DelayMS)*time.Millisecond > MaxFaultDelay):
		return Fault{}, fmt.Errorf("a delay needs delay_ms from 1 to %d", MaxFaultDelay.Milliseconds())
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	f.ID, f.Hits = "f-"+hex.EncodeToString(b), 0
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.faults) >= maxFaults {
		return Fault{}, fmt.Errorf("%d faults are armed already; clear some", maxFaults)
	}
	w.faults = append(w.faults, f)
	w.armed.Store(int64(len(w.faults)))
	return f, nil
}

// Faults lists the armed faults, oldest first.
func (w *World) Faults() []Fault {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return slices.Clone(w.faults)
}

// ClearFaults disarms every fault; it returns how many there were.
func (w *World) ClearFaults() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.faults)
	w.faults = nil
	w.armed.Store(0)
	return n
}

// TakeFault returns the first fault armed at p, counting the request
// against it (a fault whose count is used up is disarmed), and records it
// in the audit log.
func (w *World) TakeFault(p FaultPoint) (Fault, bool) {
	if w.armed.Load() == 0 {
		// Nothing armed, the usual case: no lock on the world.
		return Fault{}, false
	}
	target := p.target
	w.mu.Lock()
	i := slices.IndexFunc(w.faults, func(f Fault) bool { return f.Target == target })
	if i < 0 {
		w.mu.Unlock()
		return Fault{}, false
	}
	w.faults[i].Hits++
	f := w.faults[i]
	if f.Count > 0 && f.Hits >= f.Count {
		w.faults = slices.Delete(w.faults, i, i+1)
		w.armed.Store(int64(len(w.faults)))
	}
	w.mu.Unlock()
	provider, point, _ := strings.Cut(target, ".")
	w.Record(Event{Provider: provider, Protocol: point, Mechanism: "fault", Outcome: "fault", Reason: f.Kind + " " + f.ID})
	return f, true
}
