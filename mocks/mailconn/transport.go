package mailconn

import "context"

// The transports of a connection, as the audit log names them
// (world.Event.Seen's transport).
const (
	TransportTLS      = "tls"      // implicit TLS (SMTPS 465, IMAPS 993, POP3S 995)
	TransportSTARTTLS = "starttls" // in TLS after STARTTLS (or STLS)
	TransportPlain    = "plain"    // in clear text
)

type transportKey struct{}

// Transport is how the connection whose Context is ctx reached its
// server: TransportTLS, TransportSTARTTLS or TransportPlain; "" for a
// context that is no connection's.
func Transport(ctx context.Context) string {
	t, _ := ctx.Value(transportKey{}).(string)
	return t
}

func (c *Conn) transport() string {
	switch {
	case c.starttls:
		return TransportSTARTTLS
	case c.tls:
		return TransportTLS
	}
	return TransportPlain
}
