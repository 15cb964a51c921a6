@google @smtp
Feature: What the world saw of a message sent through Gmail's SMTP server
  The audit log (GET /api/events) has each message the SMTP server
  accepted: its MAIL FROM, its recipients as the client gave them, each
  mailbox once (GM-04: Gmail delivers one copy per mailbox), and its
  Subject with its RFC 2047 encoded words decoded.

  Background:
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/"

  Scenario: The audit log has the envelope, each recipient once, and the decoded subject (GM-04)
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    And the application sends "MAIL FROM:<alice@gmail.test>" on that connection
    And the application sends "RCPT TO:<bob@gmail.test>" on that connection
    And the application sends "RCPT TO:<Alice@gmail.test>" on that connection
    And the application sends "RCPT TO:<BOB@gmail.test>" on that connection
    And the application sends "DATA" on that connection
    And the application sends "From: alice@gmail.test^M^JSubject: =?UTF-8?B?w4AgYmllbnTDtHQ=?= =?UTF-8?Q?=C3=A0_tous?=^M^J^M^JSubject: not this one^M^J." on that connection
    Then the world saw a message from alice@gmail.test to "bob@gmail.test,Alice@gmail.test" with the subject "À bientôtà tous"
    And the world delivered "À bientôtà tous" to bob@gmail.test

  Scenario: A message that is all header, with no empty line, has its subject seen (GM-04)
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    And the application sends "MAIL FROM:<alice@gmail.test>" on that connection
    And the application sends "RCPT TO:<bob@gmail.test>" on that connection
    And the application sends "DATA" on that connection
    And the application sends "From: alice@gmail.test^M^JSubject: Header only^M^J." on that connection
    Then the world saw a message from alice@gmail.test to "bob@gmail.test" with the subject "Header only"

  Scenario: A message without a Subject is seen with an empty one (GM-04)
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    And the application sends "MAIL FROM:<alice@gmail.test>" on that connection
    And the application sends "RCPT TO:<bob@gmail.test>" on that connection
    And the application sends "DATA" on that connection
    And the application sends "From: alice@gmail.test^M^J^M^JSubject: in the body^M^J." on that connection
    Then the world saw a message from alice@gmail.test to "bob@gmail.test" with the subject ""

  Scenario: A message past 10 MiB and within the SIZE Gmail announces is accepted (GM-08, RFC 1870)
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    And the application sends a 10500000-byte message from alice@gmail.test to bob@gmail.test with subject "Past ten MiB"
    Then the message is accepted
    And the world delivered "Past ten MiB" to bob@gmail.test
