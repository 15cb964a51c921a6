@google @pop3
Feature: Reading Gmail over POP3 with OAuth
  pop.gmail.com (995) takes AUTH XOAUTH2 with a https://mail.google.com/
  token and answers "+OK Welcome."; a refused token gets Gmail's base64 JSON
  challenge first (GM-01, GM-06).

  Background:
    Given the application uses the "web" client

  Scenario: A mail.google.com token reads the maildrop (GM-01, GM-06)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    And the world delivered a message with subject "Over POP" to alice@gmail.test
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@gmail.test with XOAUTH2
    Then the POP3 server accepts the authentication
    And the POP3 server replies "+OK Welcome."
    And the POP3 maildrop holds a message with subject "Over POP"

  Scenario: A gmail.send token gets Gmail's challenge, then -ERR (GM-06, F-13)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.send"
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@gmail.test with XOAUTH2
    Then the POP3 server's error challenge is '{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'
    And the POP3 server replies "-ERR [AUTH] Authentication failed."

  Scenario: STLS on the plain port, then XOAUTH2 (RFC 2595)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's POP3 server with STARTTLS
    And the application authenticates to POP3 as alice@gmail.test with XOAUTH2
    Then the POP3 server accepts the authentication

  Scenario: A message sent over SMTP is read and deleted over POP3, and IMAP sees it gone (GM-04, GM-05, GM-06)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    And the application sends a message from alice@gmail.test to alice@gmail.test with subject "Round trip"
    And the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@gmail.test with XOAUTH2
    Then the POP3 maildrop holds a message with subject "Round trip"
    When the application deletes the message with subject "Round trip" over POP3 and quits
    And the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the INBOX holds no message with subject "Round trip"

  Scenario: The greeting and CAPA as GM-09 records them (GM-09)
    When the application sends "CAPA" on a new POP3 connection
    Then the raw connection's greeting matches "^\+OK Gpop ready for requests from [0-9a-f.:]+ [a-z]{1,2}\d{1,3}sm\d{6,8}[a-z]{3}\.\d{1,3}$"
    And the server's reply is:
      """
      +OK Capability list follows
      USER
      RESP-CODES
      EXPIRE 0
      LOGIN-DELAY 300
      TOP
      UIDL
      X-GOOGLE-RICO
      SASL PLAIN XOAUTH2 OAUTHBEARER
      .
      """

  Scenario: The one-line AUTH XOAUTH2 works at Gmail, unlike Exchange (GM-09, EX-04)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new POP3 connection
    Then the server's reply is "+OK Welcome."
    And the server has not closed the connection
