package mailauth

import (
	"strings"
	"time"
)

// SMTPReply is an SMTP reply line: code, enhanced status code (RFC 3463)
// and text. A text with "\n" is sent as a multi-line reply. In a text,
// "{id}" is replaced by the connection's id, "{ip}" by the client's
// address, "{date}" by the date (RFC 5322) and "{ts}" by the time (ISO
// 8601) the reply is sent.
type SMTPReply struct {
	Code     int
	Enhanced [3]int
	Text     string
}

// IMAPReply is a tagged IMAP status response: its type ("NO" or "BAD"), its
// response code ("AUTHENTICATIONFAILED", or "") and its text.
type IMAPReply struct {
	Type string
	Code string
	Text string
}

// SMTPPersonality is how a provider's SMTP server presents itself.
type SMTPPersonality struct {
	// Domain is the server's name in the EHLO reply.
	Domain string
	// Greeting is the text of the 220 greeting.
	Greeting string
	// Mechanisms are the SASL mechanisms of the EHLO AUTH line, in order.
	// XOAUTH2 and OAUTHBEARER go to the mail rule; PLAIN and LOGIN get
	// BasicAuthRefused; any other listed one fails with AuthFailed.
	Mechanisms []string
	// AuthSucceeded answers a token the mail rule accepted; zero: the
	// library's "235 2.0.0 Authentication succeeded".
	AuthSucceeded SMTPReply
	// AuthFailed answers a refusal whose reason has no reply of its own.
	AuthFailed SMTPReply
	// Refusals are the replies to refusals for given reasons (Exchange's
	// 5.7.139 for ReasonAuthDisabled and ReasonBasicAuth).
	Refusals map[Reason]SMTPReply
	// Malformed answers a SASL message that does not parse.
	Malformed SMTPReply
	// UnknownMechanism answers AUTH with a mechanism the server does not
	// offer; zero: RFC 4954 §4's "504 5.5.4 Unrecognized authentication type".
	UnknownMechanism SMTPReply
	// AuthRequired answers MAIL FROM before authentication.
	AuthRequired SMTPReply
	// TLSRequired answers AUTH and MAIL FROM before STARTTLS on the
	// submission port; zero: go-smtp's "523 5.7.10 TLS is required" to
	// AUTH, and AuthRequired to MAIL FROM.
	TLSRequired SMTPReply
	// AuthWithoutTLS answers AUTH before STARTTLS on the submission
	// port; zero: TLSRequired.
	AuthWithoutTLS SMTPReply
	// ConnID makes the id a connection's replies quote, in the provider's
	// shape; nil: 20 hex digits.
	ConnID func() string
	// MaxMessageBytes is the SIZE the server announces and enforces.
	MaxMessageBytes int64
	// NoImplicitTLS says the provider has no implicit-TLS submission port
	// (Exchange Online has no 465, EX-11): the server listens on the
	// STARTTLS port only.
	NoImplicitTLS bool

	// Hello is the text of EHLO's first line and of HELO's reply, after
	// "250" ("{ip}" is the client's address); "" keeps go-smtp's "Hello
	// <name>".
	Hello string
	// Extensions, when set, are the EHLO lines after the first, in the
	// provider's order, in place of go-smtp's (which has LIMITS and its
	// own order); the entry AuthState stands for what the connection's
	// state adds (STARTTLS before TLS, the AUTH line after). DSN,
	// BINARYMIME and SMTPUTF8 listed here are also enabled in go-smtp,
	// which then takes their parameters. A SIZE entry says
	// MaxMessageBytes.
	Extensions []string
	// SenderOK, RecipientOK, StartData and Closing answer a MAIL FROM and
	// a RCPT TO the server takes, DATA, and QUIT; Queued a message it
	// took, "{msgid}" being the message's Message-ID; StartTLS is the
	// STARTTLS go-ahead; UnknownCommand answers a command the server does
	// not know, "{command}" being its name. Zero: go-smtp's ("250 2.0.0
	// Roger, accepting mail from <a>", "250 2.0.0 I'll make sure <b> gets
	// this", "354 Go ahead...", "221 2.0.0 Bye", "250 2.0.0 OK: queued",
	// "220 2.0.0 Ready to start TLS", "500 5.5.2 Syntax errors, X command
	// unrecognized"). A reply whose Enhanced is zero has no enhanced code
	// (EHLO's, 354).
	SenderOK, RecipientOK, StartData, Queued, Closing, StartTLS, UnknownCommand SMTPReply
	// SendAsDenied answers, after DATA, a message whose MAIL FROM is an
	// address the login may not send as (Verdict.SendAs); "{user}" is the
	// authenticated mailbox, "{from}" the address (EX-12).
	SendAsDenied SMTPReply
	// MaxSessionsPerMailbox, when set, is how many SMTP sessions
	// authenticated as one mailbox may be open at once; a message on a
	// session past it gets SenderThrottled after DATA (Exchange: 3,
	// EX-12).
	MaxSessionsPerMailbox int
	// SenderThrottled answers, after DATA, a message past
	// MaxSessionsPerMailbox, and the first message of a throttled
	// session (Verdict.Throttled); zero: 451 4.3.2 "Too busy, try again
	// later" (RFC 3463 4.3.2, system not accepting messages).
	SenderThrottled SMTPReply
}

// POP3Personality is how a provider's POP3 server presents itself: the
// texts after "+OK " and "-ERR ", with "{id}" and "{ip}" as in SMTP's.
type POP3Personality struct {
	// Greeting is the text of the +OK greeting.
	Greeting string
	// ConnID makes the id a connection's replies quote; nil: hex.
	ConnID func() string
	// Mechanisms are the SASL mechanisms of CAPA's SASL line, in order;
	// XOAUTH2 and OAUTHBEARER go to the mail rule, PLAIN is refused as
	// basic authentication.
	Mechanisms []string
	// AuthSucceeded answers a token the mail rule accepted.
	AuthSucceeded string
	// AuthFailed answers every refusal, USER/PASS included.
	AuthFailed string
	// Malformed answers a SASL message that does not parse.
	Malformed string
	// Capabilities, when set, are CAPA's lines in the provider's order in
	// place of the server's own; the entry AuthState stands for what the
	// connection's state adds (STLS before TLS, the SASL line where a
	// login may be).
	Capabilities []string
	// CapaText is the text of CAPA's +OK with Capabilities ("": a bare
	// "+OK", as Exchange's).
	CapaText string
	// TwoStepOnly says AUTH takes no initial response (Exchange, EX-04):
	// "AUTH <mech> <response>" gets -ERR OneLineRefused and the
	// connection is closed.
	TwoStepOnly bool
	// OneLineRefused is the -ERR text of an AUTH with an initial
	// response, when TwoStepOnly.
	OneLineRefused string
	// PasswordRefused is the -ERR text of PASS (basic authentication);
	// "": AuthFailed.
	PasswordRefused string
}

// IMAPPersonality is how a provider's IMAP server presents itself.
type IMAPPersonality struct {
	// Greeting is the text of the untagged OK greeting.
	Greeting string
	// Mechanisms are the AUTH= capabilities, in order.
	Mechanisms []string
	// ConnID makes the id a connection's replies quote, in the provider's
	// shape; nil: 20 hex digits.
	ConnID func() string
	// AuthFailed answers a refusal whose reason has no reply of its own.
	AuthFailed IMAPReply
	// Refusals are the replies to refusals for given reasons (LOGIN and
	// AUTHENTICATE PLAIN are ReasonBasicAuth).
	Refusals map[Reason]IMAPReply
	// Malformed answers a SASL message that does not parse.
	Malformed IMAPReply
	// Capabilities are announced once authenticated, besides those the
	// server adds by state (SASL-IR, AUTH=, STARTTLS or LOGINDISABLED
	// before; UNSELECT, IDLE, ENABLE after). Only capabilities the server
	// implements (NAMESPACE, UIDPLUS, MOVE, ESEARCH, SEARCHRES,
	// LIST-STATUS, STATUS=SIZE...): announcing one it does not would make
	// clients fail on the fake where they succeed on the real server.
	Capabilities []string
	// ListedBefore and ListedAfter, when set, are the provider's own
	// CAPABILITY lists, in its order, before and once authenticated, in
	// place of go-imap's (which announces LITERAL-, ENABLE, UTF8=ACCEPT
	// and APPENDLIMIT= where the provider may not, and UNSELECT, IDLE
	// and LITERAL+ only once authenticated). The entry AuthState stands
	// for what go-imap lists by the connection's state (STARTTLS,
	// LOGINDISABLED, the AUTH= mechanisms); without it they go last.
	// Only capabilities the server implements belong here, as for
	// Capabilities.
	ListedBefore, ListedAfter []string
	// AuthSucceeded is the text of the tagged OK after a successful
	// AUTHENTICATE; "" keeps go-imap's "[CAPABILITY ...] XOAUTH2
	// authentication successful". When set, the CAPABILITY response code
	// goes with the library's text.
	AuthSucceeded string
	// CapabilityCompleted is the text of the tagged OK that ends
	// CAPABILITY ("" keeps "CAPABILITY completed").
	CapabilityCompleted string
	// LogoutBye and LogoutCompleted are the texts of LOGOUT's untagged BYE
	// and tagged OK ("" keeps "Logging out" and "LOGOUT completed").
	LogoutBye, LogoutCompleted string
	// Unconnected are the refusals AUTHENTICATE answers as a success
	// (AuthSucceeded) on a session that opens no mailbox: its first
	// mailbox command gets NotConnected, the next NotConnected and the
	// untagged BYE Hangup, and the connection is closed (Exchange,
	// EX-08's reply B).
	Unconnected []Reason
	// NotConnected is the reply to a mailbox command on such a session.
	NotConnected IMAPReply
	// Hangup is the text of the untagged BYE before the server closes a
	// connection it gives up on (Exchange: "Connection closed. 14").
	Hangup string
	// InvalidState, ArgumentError and CommandTooLong, when set, are the
	// tagged replies to a command sent in a state it is not valid in
	// (SELECT before authentication, FETCH before SELECT), to one whose
	// arguments do not parse, and to a command longer than MaxCommand, in
	// place of go-imap's BAD [CLIENTBUG] texts (Exchange's "Command
	// received in Invalid state.", "Command Argument Error. 11", "Command
	// Error. 10", EX-09). Zero: go-imap's.
	InvalidState, ArgumentError, CommandTooLong IMAPReply
	// MaxCommand, when set, is the longest command the server reads, its
	// bytes outside literals: a longer one is not run and gets
	// CommandTooLong. Zero: go-imap's own bound (50 KiB), past which it
	// answers NO [SERVERBUG] and reads the rest of the line as commands.
	MaxCommand int
	// Throttled answers the first mailbox command of a throttled session
	// (Verdict.Throttled), ThrottledBye the next, followed by the BYE
	// Hangup and the end of the connection; zero: NO [UNAVAILABLE] "Too
	// busy, try again later" (RFC 5530) and the same as BAD.
	Throttled, ThrottledBye IMAPReply
}

// AuthState is the place of the state-dependent capabilities in an
// IMAPPersonality's ListedBefore or ListedAfter.
const AuthState = "{state}"

// The standard replies to a fault, for a personality that has none of its
// own: RFC 4954 §6's 454 for a temporary failure, RFC 5530's UNAVAILABLE
// and SERVERBUG, RFC 3206's SYS/TEMP.
var (
	smtpFaults = map[Reason]SMTPReply{
		ReasonUnavailable: {Code: 454, Enhanced: [3]int{4, 7, 0}, Text: "Temporary authentication failure"},
		ReasonServerError: {Code: 451, Enhanced: [3]int{4, 3, 0}, Text: "Internal server error"},
	}
	imapFaults = map[Reason]IMAPReply{
		ReasonUnavailable: {Type: "NO", Code: "UNAVAILABLE", Text: "Temporary authentication failure"},
		ReasonServerError: {Type: "NO", Code: "SERVERBUG", Text: "Internal server error"},
	}
	pop3Faults = map[Reason]string{
		ReasonUnavailable: "[SYS/TEMP] Temporary authentication failure",
		ReasonServerError: "[SYS/TEMP] Internal server error",
	}
)

// refusal is the reply to a refusal for reason: malformed for
// ReasonMalformed, else the personality's own, else the standard reply to
// a fault, else its default.
func refusal[R any](own, faults map[Reason]R, reason Reason, malformed, fallback R) R {
	if reason == ReasonMalformed {
		return malformed
	}
	if r, ok := own[reason]; ok {
		return r
	}
	if r, ok := faults[reason]; ok {
		return r
	}
	return fallback
}

// Refusal is the reply to a refusal for reason.
func (p SMTPPersonality) Refusal(reason Reason) SMTPReply {
	return refusal(p.Refusals, smtpFaults, reason, p.Malformed, p.AuthFailed)
}

// Refusal is the reply to a refusal for reason.
func (p IMAPPersonality) Refusal(reason Reason) IMAPReply {
	return refusal(p.Refusals, imapFaults, reason, p.Malformed, p.AuthFailed)
}

// Refusal is the -ERR text of a refusal for reason.
func (p POP3Personality) Refusal(reason Reason) string {
	return refusal(nil, pop3Faults, reason, p.Malformed, p.AuthFailed)
}

// Personality is a provider's mail servers' face.
type Personality struct {
	SMTP SMTPPersonality
	IMAP IMAPPersonality
	POP3 POP3Personality
}

// Expand fills in "{id}", "{ip}", "{date}" and "{ts}" in a personality's
// text. The dates are the real time's: a server's clock, not the world's.
func Expand(text, id, ip string) string {
	if !strings.Contains(text, "{") {
		return text
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "{id}", id), "{ip}", ip)
	if strings.Contains(text, "{date}") || strings.Contains(text, "{ts}") {
		now := time.Now().UTC()
		text = strings.ReplaceAll(text, "{date}", now.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
		text = strings.ReplaceAll(text, "{ts}", now.Format("2006-01-02T15:04:05.000Z"))
	}
	return text
}
