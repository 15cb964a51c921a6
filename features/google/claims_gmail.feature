@google @claims
Feature: Gmail's mail-server claims of PROVIDERS.md asserted on the wire
  The claims of GM-01 to GM-09 and F-13, F-16 that the other features left
  unasserted (issue 25, docs/claims/mail-trackdechets.md): the order of
  the pre-authentication CAPABILITY line, the scopes that only work on the
  Gmail API, POP's error challenge as it goes over the wire, OAUTHBEARER on
  POP, the whole 535 of an expired token.

  Background:
    Given the application uses the "web" client

  @imap
  Scenario: CAPABILITY before login, in GM-05's order, and its tagged OK (GM-05, GM-07)
    # GM-05's list less QUOTA, ID, XLIST, CHILDREN, X-GM-EXT-1 and XYZZY,
    # which the server does not implement (mocks/google/mail.go).
    When the application sends "a1 CAPABILITY" on a new IMAP connection
    Then the server's reply is:
      """
      * CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH
      a1 OK Thats all she wrote! <id>
      """

  @imap
  Scenario: A gmail.modify token is refused by IMAP: it only works on the Gmail API (GM-01, F-13)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.modify"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server's error challenge is '{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'
    And the IMAP server replies "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"
    And the world recorded a refused imap authentication of alice@gmail.test because "wrong_scope"

  @smtp
  Scenario: A gmail.readonly token is refused by SMTP, after its invalid_request challenge (GM-01, GM-03, F-13)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.readonly"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server's error challenge is '{"status":"invalid_request","scope":"https://mail.google.com/"}'
    And the SMTP server replies:
      """
      535-5.7.8 Username and Password not accepted. Learn more at
      535 5.7.8  https://support.google.com/mail/?p=BadCredentials <id> - gsmtp
      """

  @pop3
  Scenario: POP's refusal on the wire: "+ " and the base64 JSON, then -ERR after the empty line (GM-06, GM-03, F-13)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.send"
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new POP3 connection
    Then the server's reply is "+ eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="
    When the application sends "" on that connection
    Then the server's reply is "-ERR [AUTH] Authentication failed."

  @pop3
  Scenario: OAUTHBEARER, listed in CAPA's SASL line, opens the maildrop (GM-07, GM-09, X-01)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@gmail.test with OAUTHBEARER
    Then the POP3 server accepts the authentication
    And the POP3 server replies "+OK Welcome."

  @smtp
  Scenario: An access token after its hour: the two-line 535 5.7.8 of every refused token (F-16, GM-04)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When 61 minutes pass
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server replies:
      """
      535-5.7.8 Username and Password not accepted. Learn more at
      535 5.7.8  https://support.google.com/mail/?p=BadCredentials <id> - gsmtp
      """
    And the world recorded a refused smtp authentication of alice@gmail.test because "expired"

  @imap
  Scenario: Gmail IMAP over 143 with STARTTLS lists the same AUTH= mechanisms after TLS (GM-05)
    When the application sends "a1 CAPABILITY" on a new IMAP connection after STARTTLS
    Then the server's reply is:
      """
      * CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH
      a1 OK Thats all she wrote! <id>
      """
