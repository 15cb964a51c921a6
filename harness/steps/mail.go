package steps

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	"github.com/emersion/go-imap/v2"
	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailoauth/mailoauth/harness/client"
	"github.com/mailoauth/mailoauth/mocks/sasl"
)

// mailState is the application's mail side in a scenario.
type mailState struct {
	smtp      *client.SMTPSession
	imap      *client.IMAPSession
	pop3      *client.POP3Session
	authErr   error
	sendErr   error
	challenge []byte
	// raw is a connection driven line by line, and rawReply the lines of
	// its last reply.
	raw      *client.Raw
	rawReply []string
	// extra are SMTP sessions held open beside smtp.
	extra []*client.SMTPSession
}

// mailSteps are the application's SMTP, IMAP and POP3 sessions on the
// provider's mail servers, raw lines on the wire, and the world's mail.
func (s *scenario) mailSteps() []stepDef {
	return append([]stepDef{
		{`^the application sends "([^"]*)" on a new (SMTP|IMAP|POP3) connection(?: (before|after) STARTTLS)?$`,
			"sends a raw line on a new connection (<token>, ^A and base64(...) are expanded)", s.sendsOnNew},
		{`^the application sends "([^"]*)" on that connection$`, "sends a raw line on the raw connection", s.sendsOnRaw},
		{`^the server's reply is "([^"]*)"$`, "the last line of the raw connection's last reply (<id>, <ts> stand for ids and times)", s.rawReplyIs},
		{`^the server's reply is:$`, "every line of the raw connection's last reply, from the doc string (<id>, <ts>, <ip>, <date>, <b64>)", s.rawReplyLines},
		{`^the raw connection's greeting matches "([^"]*)"$`, "the raw connection's greeting matches the regular expression", s.rawGreeting},
		{`^the server closes the connection$`, "the raw connection ends after the last reply, nothing more sent", s.rawClosed},
		{`^the server has not closed the connection$`, "a NOOP on the raw connection still gets a reply", s.rawOpen},
		{`^the provider has no implicit-TLS SMTP port$`, "the provider's mail servers have no SMTPS listener (Exchange, EX-11)", s.noSMTPS},
		{`^a TLS handshake on the provider's SMTP submission port fails$`, "implicit TLS to the STARTTLS port does not work (F-24)", s.tlsOnSubmissionFails},
		{`^sending fails with:$`, "the SMTP server's reply that refused the message, line by line, from the doc string", s.sendingFailsWith},
		{`^the application opens (\d+) more SMTP sessions? authenticated as ` + email + `$`,
			"more STARTTLS sessions with the application's token, held open until the scenario ends", s.moreSMTPSessions},
		{`^the application connects to the provider's (SMTP|IMAP|POP3) server (with STARTTLS|with implicit TLS|without TLS)$`,
			"opens a mail session with the protocol's client library, closing the previous one", s.connects},
		{`^the POP3 server replies "([^"]*)"$`, "the POP3 server's last status line", s.pop3Replies},
		{`^the POP3 maildrop holds a message with subject "([^"]*)"$`, "the POP3 maildrop holds a message with that subject", s.maildropHolds},
		{`^the application deletes the message with subject "([^"]*)" over POP3 and quits$`,
			"DELE of that message, then QUIT", s.pop3Deletes},
		{`^the INBOX holds no message with subject "([^"]*)"$`, "the IMAP INBOX holds no message with that subject", s.inboxLacks},
		{`^the SMTP greeting matches "([^"]*)"$`, "the SMTP greeting matches the regular expression", s.smtpGreeting},
		{`^the SMTP server said "([^"]*)"$`, "the SMTP server sent that whole line", s.smtpSaid},
		{`^before TLS the EHLO reply had no AUTH line$`, "before STARTTLS the server offered STARTTLS and no AUTH", s.noAuthBeforeTLS},
		{`^the SMTP server offers "([^"]*)"$`, "the EHLO reply has that extension with those parameters", s.smtpOffers},
		{`^the application authenticates to (SMTP|IMAP|POP3) as ` + email + ` with (XOAUTH2|OAUTHBEARER)( in two steps)?$`,
			"authenticates the mail session with the application's access token (POP3 in two steps: AUTH, then the response after \"+ \")",
			s.authenticatesMail},
		{`^the application authenticates to SMTP as ` + email + ` with (PLAIN|LOGIN) and the password "([^"]*)"$`,
			"authenticates the SMTP session with a password", s.smtpPassword},
		{`^the application logs in to IMAP as ` + email + ` with the password "([^"]*)"$`, "IMAP LOGIN with a password", s.imapLogin},
		{`^the application sends the (?:IMAP )?XOAUTH2 message "([^"]*)"$`,
			"authenticates with that XOAUTH2 initial response (spaces stand for ^A)", s.sendsRawXOAUTH2},
		{`^the (SMTP|IMAP|POP3) server accepts the authentication$`, "the last authentication succeeded", s.mailAccepts},
		{`^the SMTP server refuses the authentication with (\d+)$`, "the SMTP server refused the authentication with that code", s.smtpRefusesWith},
		{`^the SMTP server refuses the authentication with a 5\.7\.x reply$`,
			"the SMTP server refused the authentication with a 5xx 5.7.x reply", s.smtpRefuses57},
		{`^the (SMTP|IMAP|POP3) server's error challenge is '([^']*)'$`, "the JSON error challenge the server sent before refusing", s.errorChallenge},
		{`^the SMTP server replies:$`, "the SMTP server's last reply, line by line, from the doc string (<id>, <ts> allowed)", s.smtpReplies},
		{`^the IMAP server replies "([^"]*)"$`, "the IMAP server's refusal: type, [code] and text", s.imapReplies},
		{`^the IMAP greeting matches "([^"]*)"$`, "the IMAP greeting matches the regular expression", s.imapGreeting},
		{`^the IMAP server answers (\w+) with "([^"]*)"$`, "the tagged status line (tag removed) of the last command of that name", s.imapStatusOf},
		{`^the IMAP server advertises "([^"]*)"$`, "CAPABILITY holds each of those capabilities", s.imapAdvertises},
		{`^the IMAP server lists exactly "([^"]*)"$`, "CAPABILITY is exactly that set", s.imapListsExactly},
		{`^the application sends a message from ` + email + ` to ` + email + ` with subject "([^"]*)"$`,
			"sends a message on the SMTP session", s.sendsMessage},
		{`^the message is accepted$`, "the SMTP server accepted the message", s.messageAccepted},
		{`^sending fails with (\d+)$`, "the SMTP server refused the message with that code", s.sendingFails},
		{`^the INBOX holds a message with subject "([^"]*)"$`, "the IMAP INBOX holds a message with that subject", s.inboxHolds},
		{`^the application appends a (\d+)-byte message with subject "([^"]*)" to the INBOX over IMAP$`,
			"APPEND of a message of that size to the INBOX", s.appends},
		{`^the world delivered a message with subject "([^"]*)" to ` + email + `$`,
			"set-up: someone sent the user a message", s.worldDelivers},
		{`^the world delivered a message with subject "([^"]*)" and the line "([^"]*)" to ` + email + `$`,
			"set-up: someone sent the user a message whose body is that line, then \"Bye.\"", s.worldDeliversLine},
		{`^the world delivered "([^"]*)" to ` + email + `$`, "the world's mail store holds that message for the user", s.worldDelivered},
		{`^reading the INBOX fails with "([^"]*)"$`, "the IMAP session cannot read its INBOX: the server's status (type, [code], text)", s.inboxFails},
		{`^no message "([^"]*)" was delivered to ` + email + `$`, "the world's mail store holds no such message for the user", s.worldNotDelivered},
		{`^the server then says "([^"]*)" and closes the connection$`,
			"the raw connection's next line, then the end of the stream", s.rawThenCloses},
		{`^the world recorded a refused (smtp|imap|pop3) authentication of ` + email + ` because "([^"]*)"$`,
			"the world's audit log has that refusal and its reason", s.worldRecorded},
	}, s.exchangeSteps()...)
}

var securities = map[string]client.Security{
	"with STARTTLS": client.StartTLS, "with implicit TLS": client.ImplicitTLS, "without TLS": client.NoTLS,
}

// connects opens a new mail connection, closing the previous one.
func (s *scenario) connects(protocol, how string) error {
	s.closeMail()
	m := s.provider().Mail
	var err error
	switch protocol {
	case "SMTP":
		addr := m.SMTP
		if how == "with implicit TLS" {
			addr = m.SMTPS
		}
		s.mail.smtp, err = client.DialSMTP(addr, securities[how], s.server.CA.ClientConfig())
	case "POP3":
		addr := m.POP3
		if how == "with implicit TLS" {
			addr = m.POP3S
		}
		s.mail.pop3, err = client.DialPOP3(addr, securities[how], s.server.CA.ClientConfig())
	default:
		addr := m.IMAP
		if how == "with implicit TLS" {
			addr = m.IMAPS
		}
		s.mail.imap, err = client.DialIMAP(addr, securities[how], s.server.CA.ClientConfig())
	}
	return err
}

func (s *scenario) closeMail() {
	if s.mail.smtp != nil {
		_ = s.mail.smtp.Close()
	}
	if s.mail.imap != nil {
		_ = s.mail.imap.Close()
	}
	if s.mail.raw != nil {
		_ = s.mail.raw.Close()
	}
	if s.mail.pop3 != nil {
		_ = s.mail.pop3.Close()
	}
	for _, c := range s.mail.extra {
		_ = c.Close()
	}
	s.mail = mailState{}
}

func (s *scenario) smtpGreeting(pattern string) error {
	if s.mail.smtp == nil {
		return s.failf("no SMTP connection")
	}
	if !regexp.MustCompile(pattern).MatchString(s.mail.smtp.Greeting()) {
		return s.failf("greeting %q does not match %s", s.mail.smtp.Greeting(), pattern)
	}
	return nil
}

// smtpSaid looks for a whole line the server sent (implicit TLS connections
// record every line).
func (s *scenario) smtpSaid(line string) error {
	if !slices.Contains(s.mail.smtp.Lines(), line) {
		return s.failf("the SMTP server never said %q: %q", line, s.mail.smtp.Lines())
	}
	return nil
}

func (s *scenario) noAuthBeforeTLS() error {
	for _, l := range s.mail.smtp.PreTLS {
		if strings.HasPrefix(l, "250") && strings.Contains(l, "AUTH") {
			return s.failf("before TLS the server offered %q", l)
		}
	}
	if !slices.ContainsFunc(s.mail.smtp.PreTLS, func(l string) bool { return strings.Contains(l, "STARTTLS") }) {
		return s.failf("before TLS the server did not offer STARTTLS: %q", s.mail.smtp.PreTLS)
	}
	return nil
}

func (s *scenario) smtpOffers(line string) error {
	kw, params, _ := strings.Cut(line, " ")
	ok, got := s.mail.smtp.Extension(kw)
	if !ok || got != params {
		return s.failf("the server offers %s %q, want %q", kw, got, params)
	}
	return nil
}

// saslClient is the application's SASL client for mech with its token.
func (s *scenario) saslClient(mech, user string) (interface {
	Start() (string, []byte, error)
	Next([]byte) ([]byte, error)
}, error) {
	if s.tokens.current == nil {
		return nil, s.failf("the application has no token")
	}
	if mech == sasl.OAuthBearer {
		return sasl.NewOAuthBearerClient(user, s.tokens.current.AccessToken, "127.0.0.1", 0, &s.mail.challenge), nil
	}
	return sasl.NewXOAUTH2Client(user, s.tokens.current.AccessToken, &s.mail.challenge), nil
}

func (s *scenario) authenticatesMail(protocol, user, mech, twoStep string) error {
	c, err := s.saslClient(mech, user)
	if err != nil {
		return err
	}
	switch protocol {
	case "SMTP":
		if s.mail.smtp == nil {
			return s.failf("no SMTP connection")
		}
		s.mail.authErr = s.mail.smtp.Auth(c)
		return nil
	case "POP3":
		if s.mail.pop3 == nil {
			return s.failf("no POP3 connection")
		}
		s.mail.pop3.TwoStep = twoStep != ""
		s.mail.authErr = s.mail.pop3.Auth(c)
		return nil
	}
	if s.mail.imap == nil {
		return s.failf("no IMAP connection")
	}
	s.mail.authErr = s.mail.imap.Authenticate(c)
	return nil
}

func (s *scenario) smtpPassword(user, mech, password string) error {
	if s.mail.smtp == nil {
		return s.failf("no SMTP connection")
	}
	var c gosasl.Client = plainClient{user, password}
	if mech == "LOGIN" {
		c = gosasl.NewLoginClient(user, password)
	}
	s.mail.authErr = s.mail.smtp.Auth(c)
	return nil
}

func (s *scenario) imapLogin(user, password string) error {
	s.mail.authErr = s.mail.imap.Login(user, password).Wait()
	return nil
}

func (s *scenario) sendsRawXOAUTH2(msg string) error {
	raw := rawClient{mech: sasl.XOAUTH2, ir: []byte(strings.ReplaceAll(msg, " ", "\x01"))}
	if s.mail.smtp != nil {
		s.mail.authErr = s.mail.smtp.Auth(raw)
	} else {
		s.mail.authErr = s.mail.imap.Authenticate(raw)
	}
	return nil
}

func (s *scenario) mailAccepts(protocol string) error {
	if s.mail.authErr != nil {
		return s.failf("the %s server refused the authentication: %q", protocol, client.ReplyLines(s.mail.authErr))
	}
	return nil
}

func (s *scenario) smtpRefusesWith(code int) error {
	var se *gosmtp.SMTPError
	if !errors.As(s.mail.authErr, &se) || se.Code != code {
		return s.failf("the SMTP server answered %q, want %d", client.ReplyLines(s.mail.authErr), code)
	}
	return nil
}

func (s *scenario) smtpRefuses57() error {
	var se *gosmtp.SMTPError
	if !errors.As(s.mail.authErr, &se) || se.Code/100 != 5 || se.EnhancedCode[0] != 5 || se.EnhancedCode[1] != 7 {
		return s.failf("the SMTP server answered %q, want a 5xx 5.7.x refusal", client.ReplyLines(s.mail.authErr))
	}
	return nil
}

func (s *scenario) errorChallenge(_, want string) error {
	if string(s.mail.challenge) != want {
		return s.failf("error challenge %q, want %q", s.mail.challenge, want)
	}
	return nil
}

// connIDs are the shapes of the connection ids providers put in their
// replies; others are hex.
var connIDs = map[string]string{
	"google": `[a-z]{1,2}\d{1,3}sm\d{6,8}[a-z]{3}\.\d{1,3}`,
	// Exchange: 16 upper-case hex digits (EX-13).
	"microsoft": `[0-9A-F]{16}`,
}

// placeholders are what an expected line may hold for what changes from
// one run to the next.
var placeholders = map[string]string{
	"<ts>":     `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`,
	"<ip>":     `[0-9a-fA-F.:]+`,
	"<date>":   `[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}`,
	"<b64>":    `[A-Za-z0-9+/]+=*`,
	"<octets>": `\d+`,
}

var placeholder = regexp.MustCompile(`<id>|<ts>|<ip>|<date>|<b64>|<octets>`)

// idPattern turns an expected line into a regular expression: "<id>" is
// the shape of the provider's connection ids, the other placeholders
// theirs, the rest literal.
func (s *scenario) idPattern(line string) *regexp.Regexp {
	id, ok := connIDs[s.providerName]
	if !ok {
		id = "[0-9a-f]+"
	}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range placeholder.FindAllStringIndex(line, -1) {
		b.WriteString(regexp.QuoteMeta(line[last:m[0]]))
		if p := line[m[0]:m[1]]; p == "<id>" {
			b.WriteString(id)
		} else {
			b.WriteString(placeholders[p])
		}
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(line[last:]) + "$")
	return regexp.MustCompile(b.String())
}

// linesMatch compares got with the doc string's lines, each a pattern
// of idPattern.
func (s *scenario) linesMatch(what string, got []string, doc *godog.DocString) error {
	want := strings.Split(strings.TrimSpace(doc.Content), "\n")
	for i := range want {
		want[i] = strings.TrimSpace(want[i])
	}
	if len(got) != len(want) {
		return s.failf("%s %q, want %q", what, got, want)
	}
	for i := range want {
		if !s.idPattern(want[i]).MatchString(got[i]) {
			return s.failf("%s %q, want %q (line %d)", what, got, want, i+1)
		}
	}
	return nil
}

func (s *scenario) smtpReplies(doc *godog.DocString) error {
	return s.linesMatch("the SMTP server replied", client.ReplyLines(s.mail.authErr), doc)
}

func (s *scenario) imapReplies(want string) error {
	var ie *imap.Error
	if !errors.As(s.mail.authErr, &ie) {
		return s.failf("the IMAP server answered %v, want %q", s.mail.authErr, want)
	}
	got := string(ie.Type)
	if ie.Code != "" {
		got += " [" + string(ie.Code) + "]"
	}
	got += " " + ie.Text
	if !s.idPattern(want).MatchString(got) {
		return s.failf("the IMAP server answered %q, want %q", got, want)
	}
	return nil
}

// imapStatusOf compares the tagged line that answered the last command
// of that name, tag removed; "<id>" stands for the provider's hex
// connection id.
func (s *scenario) imapStatusOf(command, want string) error {
	if s.mail.imap == nil {
		return s.failf("no IMAP connection")
	}
	if got := s.mail.imap.StatusOf(command); !s.idPattern(want).MatchString(got) {
		return s.failf("the IMAP server answered %s with %q, want %q", command, got, want)
	}
	return nil
}

func (s *scenario) imapGreeting(pattern string) error {
	if !regexp.MustCompile(pattern).MatchString(s.mail.imap.Greeting()) {
		return s.failf("greeting %q does not match %s", s.mail.imap.Greeting(), pattern)
	}
	return nil
}

func (s *scenario) imapAdvertises(list string) error {
	caps, err := s.mail.imap.Capability().Wait()
	if err != nil {
		return err
	}
	for _, c := range strings.Fields(list) {
		if !caps.Has(imap.Cap(c)) {
			return s.failf("the IMAP server does not advertise %s (it has %v)", c, caps)
		}
	}
	return nil
}

// imapListsExactly asks CAPABILITY and compares the answer with list, as
// sets (a client does not care for the order).
func (s *scenario) imapListsExactly(list string) error {
	caps, err := s.mail.imap.Capability().Wait()
	if err != nil {
		return err
	}
	want := imap.CapSet{}
	for _, c := range strings.Fields(list) {
		want[imap.Cap(c)] = struct{}{}
	}
	var missing, extra []string
	for c := range want {
		if !caps.Has(c) {
			missing = append(missing, string(c))
		}
	}
	for c := range caps {
		if _, ok := want[c]; !ok {
			extra = append(extra, string(c))
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		slices.Sort(missing)
		slices.Sort(extra)
		return s.failf("the IMAP server lists %v too and not %v", extra, missing)
	}
	return nil
}

func (s *scenario) sendsMessage(from, to, subject string) error {
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@mailoauth.test>\r\n\r\nSent by a mailoauth scenario.\r\n",
		from, to, subject, strings.ReplaceAll(subject, " ", "."))
	s.mail.sendErr = s.mail.smtp.Send(from, []string{to}, []byte(msg))
	return nil
}

func (s *scenario) messageAccepted() error {
	if s.mail.sendErr != nil {
		return s.failf("the SMTP server refused the message: %q", client.ReplyLines(s.mail.sendErr))
	}
	return nil
}

func (s *scenario) sendingFails(code int) error {
	var se *gosmtp.SMTPError
	if !errors.As(s.mail.sendErr, &se) || se.Code != code {
		return s.failf("sending ended with %q, want %d", client.ReplyLines(s.mail.sendErr), code)
	}
	return nil
}

// appends stores a message of size bytes with subject in the INBOX over
// the IMAP session.
func (s *scenario) appends(size int, subject string) error {
	head := "From: alice@mailoauth.test\r\nSubject: " + subject + "\r\n\r\n"
	body := strings.Repeat("x", max(size-len(head)-2, 0)) + "\r\n"
	if err := s.mail.imap.Append("INBOX", []byte(head+body)); err != nil {
		return s.failf("APPEND: %v", err)
	}
	return nil
}

func (s *scenario) inboxHolds(subject string) error {
	subjects, err := s.mail.imap.InboxSubjects()
	if err != nil {
		return s.failf("reading the INBOX: %v", err)
	}
	if !slices.Contains(subjects, subject) {
		return s.failf("the INBOX holds %q, not %q", subjects, subject)
	}
	return nil
}

func (s *scenario) inboxLacks(subject string) error {
	subjects, err := s.mail.imap.InboxSubjects()
	if err != nil {
		return s.failf("reading the INBOX: %v", err)
	}
	if slices.Contains(subjects, subject) {
		return s.failf("the INBOX still holds %q", subject)
	}
	return nil
}

// pop3Replies compares the POP3 server's last status line; "<id>" is the
// provider's connection id.
func (s *scenario) pop3Replies(want string) error {
	if s.mail.pop3 == nil || len(s.mail.pop3.Lines) == 0 {
		return s.failf("no POP3 connection")
	}
	got := s.mail.pop3.Lines[len(s.mail.pop3.Lines)-1]
	if !s.idPattern(want).MatchString(got) {
		return s.failf("the POP3 server replied %q, want %q", got, want)
	}
	return nil
}

func (s *scenario) maildropHolds(subject string) error {
	if s.mail.pop3 == nil {
		return s.failf("no POP3 connection")
	}
	subjects, err := s.mail.pop3.Subjects()
	if err != nil {
		return s.failf("reading the maildrop: %v", err)
	}
	if !slices.Contains(subjects, subject) {
		return s.failf("the maildrop holds %q, not %q", subjects, subject)
	}
	return nil
}

// pop3Deletes marks the message for deletion and quits: RFC 1939's UPDATE
// state removes it.
func (s *scenario) pop3Deletes(subject string) error {
	if s.mail.pop3 == nil {
		return s.failf("no POP3 connection")
	}
	subjects, err := s.mail.pop3.Subjects()
	if err != nil {
		return s.failf("reading the maildrop: %v", err)
	}
	i := slices.Index(subjects, subject)
	if i < 0 {
		return s.failf("the maildrop holds %q, not %q", subjects, subject)
	}
	if _, err := s.mail.pop3.Cmd("DELE %d", i+1); err != nil {
		return s.failf("DELE: %v", err)
	}
	err = s.mail.pop3.Close()
	s.mail.pop3 = nil
	return err
}

// worldDelivers is set-up: someone sent the user a message.
func (s *scenario) worldDelivers(subject, to string) error {
	return s.server.World.Deliver("someone@example.test", []string{to},
		[]byte("From: someone@example.test\r\nSubject: "+subject+"\r\n\r\nHello.\r\n"))
}

func (s *scenario) worldDeliversLine(subject, line, to string) error {
	return s.server.World.Deliver("someone@example.test", []string{to},
		[]byte("From: someone@example.test\r\nSubject: "+subject+"\r\n\r\n"+line+"\r\nBye.\r\n"))
}

func (s *scenario) worldDelivered(subject, to string) error {
	for _, m := range s.server.World.Messages(to) {
		if m.Subject == subject || decodedSubject(m.Subject) == subject {
			return nil
		}
	}
	return s.failf("no message %q was delivered to %s", subject, to)
}

func (s *scenario) worldRecorded(protocol, user, reason string) error {
	for _, e := range s.server.World.Events() {
		if e.Protocol == protocol && strings.EqualFold(e.User, user) && e.Outcome == "refused" && e.Reason == reason {
			return nil
		}
	}
	return s.failf("no refused %s authentication of %s because %q in the audit log", protocol, user, reason)
}

// plainClient is SASL PLAIN with a password (RFC 4616).
type plainClient struct{ user, password string }

// Start implements sasl.Client.
func (p plainClient) Start() (string, []byte, error) {
	return "PLAIN", []byte("\x00" + p.user + "\x00" + p.password), nil
}

// Next implements sasl.Client.
func (p plainClient) Next([]byte) ([]byte, error) { return nil, errors.New("unexpected challenge") }

// rawClient sends a given initial response, to test malformed ones.
type rawClient struct {
	mech string
	ir   []byte
}

// Start implements sasl.Client.
func (r rawClient) Start() (string, []byte, error) { return r.mech, r.ir, nil }

// Next implements sasl.Client: it acknowledges an error challenge.
func (r rawClient) Next([]byte) ([]byte, error) { return []byte{}, nil }

// wireText turns a line of a scenario into what goes on the wire: "<token>"
// is the application's access token, "^A" is %x01, "^M^J" CRLF (a
// message's lines after DATA), and base64(...) is its argument encoded
// (after the others).
func (s *scenario) wireText(line string) string {
	if s.tokens.current != nil {
		line = strings.ReplaceAll(line, "<token>", s.tokens.current.AccessToken)
	}
	line = strings.NewReplacer("^A", "\x01", "^M", "\r", "^J", "\n").Replace(line)
	for {
		i := strings.Index(line, "base64(")
		j := strings.LastIndex(line, ")")
		if i < 0 || j < i {
			return line
		}
		line = line[:i] + base64.StdEncoding.EncodeToString([]byte(line[i+len("base64("):j])) + line[j+1:]
	}
}

// sendsOnNew opens a connection to the provider's server, with implicit
// TLS or on the STARTTLS port before or after STARTTLS, (SMTP: says EHLO)
// and sends line as it is, for what no library sends.
func (s *scenario) sendsOnNew(line, protocol, starttls string) error {
	s.closeMail()
	m := s.provider().Mail
	addr, tlsConfig := m.SMTPS, s.server.CA.ClientConfig()
	switch {
	case protocol == "IMAP" && starttls != "":
		addr, tlsConfig = m.IMAP, nil
	case protocol == "IMAP":
		addr = m.IMAPS
	case protocol == "POP3" && starttls != "":
		addr, tlsConfig = m.POP3, nil
	case protocol == "POP3":
		addr = m.POP3S
	case starttls != "":
		addr, tlsConfig = m.SMTP, nil
	case addr == "":
		return s.failf("the provider has no implicit-TLS SMTP port: say before or after STARTTLS")
	}
	var raw *client.Raw
	var err error
	if protocol == "POP3" {
		raw, err = client.DialRawPOP3(addr, tlsConfig)
	} else {
		raw, err = client.DialRaw(addr, tlsConfig, protocol == "IMAP")
	}
	if err != nil {
		return err
	}
	s.mail.raw = raw
	ehlo := func() error {
		if protocol == "SMTP" {
			_, err := raw.Send("EHLO client.mailoauth.test")
			return err
		}
		return nil
	}
	if err := ehlo(); err != nil {
		return err
	}
	if starttls == "after" {
		if err := raw.StartTLS(s.server.CA.ClientConfig()); err != nil {
			return err
		}
		if err := ehlo(); err != nil {
			return err
		}
	}
	return s.sendsOnRaw(line)
}

func (s *scenario) sendsOnRaw(line string) error {
	if s.mail.raw == nil {
		return s.failf("no connection to send on")
	}
	s.mail.rawReply = nil
	lines, err := s.mail.raw.Send(s.wireText(line))
	s.mail.rawReply = lines
	if len(lines) == 0 {
		return s.failf("the server sent no reply to %q: %v", line, err)
	}
	return nil
}

// rawReplyIs compares the last line of the server's last reply; "<id>" is
// the provider's connection id.
func (s *scenario) rawReplyIs(want string) error {
	if len(s.mail.rawReply) == 0 {
		return s.failf("the server has not replied")
	}
	got := s.mail.rawReply[len(s.mail.rawReply)-1]
	if !s.idPattern(want).MatchString(got) {
		return s.failf("the server replied %q, want %q", s.mail.rawReply, want)
	}
	return nil
}

// rawReplyLines compares every line of the raw connection's last reply
// with the doc string's.
func (s *scenario) rawReplyLines(doc *godog.DocString) error {
	return s.linesMatch("the server replied", s.mail.rawReply, doc)
}

func (s *scenario) rawGreeting(pattern string) error {
	if s.mail.raw == nil {
		return s.failf("no raw connection")
	}
	if !regexp.MustCompile(pattern).MatchString(s.mail.raw.Greeting) {
		return s.failf("greeting %q does not match %s", s.mail.raw.Greeting, pattern)
	}
	return nil
}

// rawClosed: the server closed the raw connection after its last reply.
func (s *scenario) rawClosed() error {
	if s.mail.raw == nil {
		return s.failf("no raw connection")
	}
	if closed, more := s.mail.raw.Closed(); !closed {
		return s.failf("the connection is still open (the server sent %q)", more)
	}
	return nil
}

// rawOpen: the raw connection still answers a NOOP.
func (s *scenario) rawOpen() error {
	if s.mail.raw == nil {
		return s.failf("no raw connection")
	}
	cmd := "NOOP"
	if s.mail.raw.IMAP() {
		cmd = "n1 NOOP"
	}
	if lines, err := s.mail.raw.Send(cmd); err != nil || len(lines) == 0 {
		return s.failf("the connection is closed: %v", err)
	}
	return nil
}

func (s *scenario) noSMTPS() error {
	if addr := s.provider().Mail.SMTPS; addr != "" {
		return s.failf("the provider listens for implicit-TLS SMTP on %s", addr)
	}
	return nil
}

// tlsOnSubmissionFails: a client that starts TLS at once on the STARTTLS
// port gets no TLS session (F-24's "first record does not look like a
// TLS handshake" is the client's side of it).
func (s *scenario) tlsOnSubmissionFails() error {
	c, err := client.DialRaw(s.provider().Mail.SMTP, s.server.CA.ClientConfig(), false)
	if err == nil {
		_ = c.Close()
		return s.failf("a TLS session started on the submission port")
	}
	return nil
}

func (s *scenario) sendingFailsWith(doc *godog.DocString) error {
	if s.mail.sendErr == nil {
		return s.failf("the message was accepted")
	}
	return s.linesMatch("sending ended with", client.ReplyLines(s.mail.sendErr), doc)
}

// moreSMTPSessions opens n more STARTTLS sessions authenticated with the
// application's token as user, held open beside the scenario's own.
func (s *scenario) moreSMTPSessions(n int, user string) error {
	for range n {
		c, err := client.DialSMTP(s.provider().Mail.SMTP, client.StartTLS, s.server.CA.ClientConfig())
		if err != nil {
			return err
		}
		s.mail.extra = append(s.mail.extra, c)
		sc, err := s.saslClient(sasl.XOAUTH2, user)
		if err != nil {
			return err
		}
		if err := c.Auth(sc); err != nil {
			return s.failf("another session's AUTH: %q", client.ReplyLines(err))
		}
	}
	return nil
}

func (s *scenario) worldNotDelivered(subject, to string) error {
	if s.worldDelivered(subject, to) == nil {
		return s.failf("a message %q was delivered to %s", subject, to)
	}
	return nil
}

// rawThenCloses reads the raw connection's next line, unasked (an IMAP
// BYE after a tagged reply), and its end.
func (s *scenario) rawThenCloses(want string) error {
	if s.mail.raw == nil {
		return s.failf("no raw connection")
	}
	line, err := s.mail.raw.ReadLine()
	if err != nil {
		return s.failf("no line after the reply: %v", err)
	}
	if !s.idPattern(want).MatchString(line) {
		return s.failf("the server then said %q, want %q", line, want)
	}
	return s.rawClosed()
}

func (s *scenario) inboxFails(want string) error {
	if s.mail.imap == nil {
		return s.failf("no IMAP connection")
	}
	_, err := s.mail.imap.InboxSubjects()
	var ie *imap.Error
	if !errors.As(err, &ie) {
		return s.failf("reading the INBOX ended with %v, want %q", err, want)
	}
	got := string(ie.Type)
	if ie.Code != "" {
		got += " [" + string(ie.Code) + "]"
	}
	if got += " " + ie.Text; !s.idPattern(want).MatchString(got) {
		return s.failf("reading the INBOX: %q, want %q", got, want)
	}
	return nil
}
