package pop3

// The server's own reply texts, after "+OK " or "-ERR ": those a
// personality does not set (POP3Personality has the greeting and the
// authentication's).
const (
	// busy is the reply to a connection past the Limit, goodbye the one
	// to every open connection when the server stops (RFC 3206 SYS/TEMP).
	busy    = "-ERR [SYS/TEMP] Too many connections, try again later"
	goodbye = "-ERR [SYS/TEMP] Server shutting down"

	textCapabilities  = "Capability list follows"
	textBeginTLS      = "Begin TLS negotiation"
	textTLSActive     = "Command not permitted when TLS active"
	textTLSRequired   = "[AUTH] TLS is required"
	textSendPass      = "send PASS"
	textUnknownMech   = "Unknown authentication mechanism"
	textCancelled     = "[AUTH] Authentication cancelled"
	textUnknownInAuth = "Unknown command in AUTHORIZATION state"
	textUnknown       = "Unknown command"
	textNoSuchMessage = "No such message"
	textInvalidArgs   = "Invalid arguments"
	textLineTooLong   = "Line too long"
	textBye           = "Bye"
	textOctets        = "%d octets"
	textDeleted       = "message %d deleted"
)

// capabilities are CAPA's lines before STLS and SASL, which depend on
// the connection (RFC 2449, RFC 3206's RESP-CODES and AUTH-RESP-CODE).
var capabilities = []string{"TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"}
