package google

import (
	"fmt"
	"math/rand/v2"

	"github.com/mailoauth/mailoauth/mocks/mailauth"
)

// connID is an id like those Gmail puts in its replies: "g6sm941968ign.4",
// "x1sm12072765qti.91", "w18sm5036480wrr.7", "pe5sm5768337wjb.15" (GM-04
// [OBS]: nodemailer#144, nfo/gmail_xoauth#17, soywod/iris.vim#45,
// virtualzone/tubewarder#29).
// It names a connection and guards nothing, so math/rand makes it:
// crypto/rand's cost on every connection would buy no safety.
func connID() string {
	letter := func() byte { return byte('a' + rand.IntN(26)) }
	return fmt.Sprintf("%c%dsm%d%c%c%c.%d", letter(), 1+rand.IntN(99), 1_000_000+rand.IntN(99_000_000), letter(), letter(), letter(), rand.IntN(200))
}

// badCredentials is Gmail's refusal of a login, over SMTP (GM-04 [OBS]): two
// lines, the second with two spaces after the enhanced code.
var badCredentials = mailauth.SMTPReply{Code: 535, Enhanced: [3]int{5, 7, 8},
	Text: "Username and Password not accepted. Learn more at\n https://support.google.com/mail/?p=BadCredentials {id} - gsmtp"}

// invalidCredentials is Gmail's refusal of a login over IMAP (GM-05 [OBS]).
var invalidCredentials = mailauth.IMAPReply{Type: "NO", Code: "AUTHENTICATIONFAILED", Text: "Invalid credentials (Failure)"}

// Personality is how Gmail's SMTP (smtp.gmail.com) and IMAP
// (imap.gmail.com) servers present themselves and fail.
func Personality() mailauth.Personality {
	return mailauth.Personality{
		SMTP: mailauth.SMTPPersonality{
			Domain: "smtp.gmail.com",
			// GM-04 [OBS]: "220 smtp.gmail.com ESMTP <id> - gsmtp".
			Greeting: "smtp.gmail.com ESMTP {id} - gsmtp",
			ConnID:   connID,
			// GM-04 [OBS]: the AUTH line after STARTTLS, in Gmail's order.
			Mechanisms: []string{"LOGIN", "PLAIN", "XOAUTH2", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH"},
			// GM-04 [DOC]: "S: 235 2.7.0 Accepted".
			AuthSucceeded: mailauth.SMTPReply{Code: 235, Enhanced: [3]int{2, 7, 0}, Text: "Accepted"},
			AuthFailed:    badCredentials,
			// GM-04 [OBS]: a payload that does not decode.
			Malformed: mailauth.SMTPReply{Code: 501, Enhanced: [3]int{5, 5, 2}, Text: "Cannot Decode response {id} - gsmtp"},
			// Gmail's own text is not in PROVIDERS.md: RFC 4954 §6's is used.
			AuthRequired: mailauth.SMTPReply{Code: 530, Enhanced: [3]int{5, 7, 0}, Text: "Authentication required"},
			// [OBS] virtualzone/tubewarder#29, deanproxy/eMail#53: AUTH or
			// MAIL FROM on 587 before STARTTLS.
			TLSRequired: mailauth.SMTPReply{Code: 530, Enhanced: [3]int{5, 7, 0}, Text: "Must issue a STARTTLS command first. {id} - gsmtp"},
			// GM-08 [OBS]: the EHLO lines, STARTTLS before TLS and the
			// AUTH line (GM-04) in its place after.
			Hello:           "smtp.gmail.com at your service, [{ip}]",
			Extensions:      []string{"SIZE 35882577", "8BITMIME", mailauth.AuthState, "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"},
			MaxMessageBytes: 35882577,
			// GM-08 [OBS]: "221 2.0.0 closing connection <id> - gsmtp".
			Closing: mailauth.SMTPReply{Code: 221, Enhanced: [3]int{2, 0, 0}, Text: "closing connection {id} - gsmtp"},
		},
		POP3: mailauth.POP3Personality{
			// GM-09 [OBS]: "+OK Gpop ready for requests from <ip> <id>".
			Greeting: "Gpop ready for requests from {ip} {id}",
			ConnID:   connID,
			// GM-09 [OBS]: "SASL PLAIN XOAUTH2 OAUTHBEARER", and CAPA's
			// lines in Gmail's order (STLS, on the plain port, where the
			// SASL line goes).
			Mechanisms:   []string{"PLAIN", "XOAUTH2", "OAUTHBEARER"},
			Capabilities: []string{"USER", "RESP-CODES", "EXPIRE 0", "LOGIN-DELAY 300", "TOP", "UIDL", "X-GOOGLE-RICO", mailauth.AuthState},
			CapaText:     "Capability list follows",
			// GM-06 [DOC]: "+OK Welcome.".
			AuthSucceeded: "Welcome.",
			// GM-06: the final -ERR text is NOT FOUND; RFC 3206's [AUTH]
			// response code with RFC 5034's wording.
			AuthFailed: "[AUTH] Authentication failed.",
			// Gmail POP's answer to a message that does not parse is NOT
			// FOUND; IMAP's words (GM-05) with RFC 3206's code [INF].
			Malformed: "[AUTH] Invalid SASL argument.",
		},
		IMAP: mailauth.IMAPPersonality{
			// GM-05 [OBS]: "* OK Gimap ready for requests from <ip> <id>".
			Greeting: "Gimap ready for requests from {ip} {id}",
			ConnID:   connID,
			// GM-05 [OBS]: the AUTH= capabilities, in Gmail's order.
			Mechanisms: []string{"XOAUTH2", "PLAIN", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH"},
			AuthFailed: invalidCredentials,
			// GM-05 [OBS]: "BAD Invalid SASL argument" for a malformed blob.
			Malformed: mailauth.IMAPReply{Type: "BAD", Text: "Invalid SASL argument. {id}"},
			// GM-05 [OBS] lists IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID
			// XLIST CHILDREN X-GM-EXT-1 XYZZY SASL-IR AUTH=... before
			// authentication: so does the server (no LITERAL-, which
			// go-imap would add), without QUOTA, ID, XLIST, CHILDREN,
			// X-GM-EXT-1 and XYZZY, for it does not implement them and a
			// client that used them would fail here and not at Gmail.
			// Gmail's list once authenticated is not recorded: go-imap's,
			// with UIDPLUS and MOVE, which Gmail has then.
			Capabilities: []string{"NAMESPACE", "UIDPLUS", "MOVE"},
			ListedBefore: []string{"IMAP4rev1", "UNSELECT", "IDLE", "NAMESPACE", "SASL-IR", mailauth.AuthState},
			// GM-05 [OBS]: "<tag> OK Thats all she wrote! <id>".
			CapabilityCompleted: "Thats all she wrote! {id}",
			// GM-05 [DOC]: "A01 OK Success" (the exact text real Gmail
			// sends after AUTHENTICATE is not recorded).
			AuthSucceeded: "Success",
		},
	}
}
