@google @smtp
Feature: Sending through Gmail's SMTP server with OAuth
  The application uses its access token as the password of a SASL XOAUTH2 or
  OAUTHBEARER exchange on smtp.gmail.com (port 587 with STARTTLS, or 465).
  Only a live token of the sending user with https://mail.google.com/ is
  accepted (GM-01 to GM-04, GM-07, X-01, X-02).

  Background:
    Given the application uses the "web" client

  Scenario: A mail.google.com token sends over STARTTLS and the message is read back over IMAP (GM-01, GM-02, GM-04, GM-05)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server accepts the authentication
    When the application sends a message from alice@gmail.test to alice@gmail.test with subject "Hello from mailoauth"
    Then the message is accepted
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the INBOX holds a message with subject "Hello from mailoauth"

  Scenario: Gmail greets, and offers AUTH only after STARTTLS (GM-04)
    When the application connects to the provider's SMTP server with STARTTLS
    Then the SMTP greeting matches "^220 smtp\.gmail\.com ESMTP [a-z]{1,2}[0-9]{1,3}sm[0-9]{6,8}[a-z]{3}\.[0-9]{1,3} - gsmtp$"
    And before TLS the EHLO reply had no AUTH line
    And the SMTP server offers "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH"
    And the SMTP server offers "SIZE 35882577"

  Scenario: AUTH before STARTTLS is refused (GM-04)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's SMTP server without TLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server refuses the authentication with a 5.7.x reply

  Scenario: A gmail.send token is refused: it only works on the Gmail API (GM-01, GM-03, GM-04, seed 000)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.send" with "access_type=offline"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server's error challenge is '{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'
    And the SMTP server replies:
      """
      535-5.7.8 Username and Password not accepted. Learn more at
      535 5.7.8  https://support.google.com/mail/?p=BadCredentials <id> - gsmtp
      """
    And the world recorded a refused smtp authentication of alice@gmail.test because "wrong_scope"

  Scenario: An expired token is refused; x/oauth2 refreshes it and a new session is accepted (GM-01, G-05, G-06)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 61 minutes pass
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server refuses the authentication with 535
    And the world recorded a refused smtp authentication of alice@gmail.test because "expired"
    When the application asks x/oauth2 for a valid token
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server accepts the authentication

  Scenario: A revoked token is refused (GM-01, G-09)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the application revokes the access token
    And the application connects to the provider's SMTP server with implicit TLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server refuses the authentication with 535
    And the world recorded a refused smtp authentication of alice@gmail.test because "revoked"

  Scenario: One user's token does not open another user's mailbox (GM-01)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's SMTP server with implicit TLS
    And the application authenticates to SMTP as bob@gmail.test with XOAUTH2
    Then the SMTP server refuses the authentication with 535
    And the world recorded a refused smtp authentication of bob@gmail.test because "wrong_user"

  Scenario: Implicit TLS on the SMTPS port sends too, and success is "235 2.7.0 Accepted" (GM-04)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's SMTP server with implicit TLS
    Then the SMTP greeting matches "^220 smtp\.gmail\.com ESMTP [a-z]{1,2}[0-9]{1,3}sm[0-9]{6,8}[a-z]{3}\.[0-9]{1,3} - gsmtp$"
    When the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server said "235 2.7.0 Accepted"
    When the application sends a message from alice@gmail.test to bob@gmail.test with subject "Over 465"
    Then the message is accepted
    And the world delivered "Over 465" to bob@gmail.test

  Scenario: OAUTHBEARER sends too (GM-07, X-01)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with OAUTHBEARER
    Then the SMTP server accepts the authentication

  Scenario: A refused OAUTHBEARER exchange is acknowledged with %x01, then fails (X-01, X-02)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with OAUTHBEARER
    Then the SMTP server's error challenge is '{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'
    And the SMTP server refuses the authentication with 535

  Scenario: A malformed XOAUTH2 message cannot be decoded (GM-04)
    When the application connects to the provider's SMTP server with STARTTLS
    And the application sends the XOAUTH2 message "user=alice@gmail.test auth=Bearer ya29.x"
    Then the SMTP server refuses the authentication with 501
    And the SMTP server replies:
      """
      501 5.5.2 Cannot Decode response <id> - gsmtp
      """

  Scenario: A password is refused: basic authentication is gone (GM-04)
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with PLAIN and the password "alice-password"
    Then the SMTP server refuses the authentication with 535

  Scenario: MAIL FROM before AUTH is refused (RFC 4954 §6)
    When the application connects to the provider's SMTP server with STARTTLS
    And the application sends a message from alice@gmail.test to bob@gmail.test with subject "Anonymous"
    Then sending fails with 530

  Scenario: The EHLO lines before STARTTLS, as GM-08 records them (GM-08)
    When the application sends "EHLO client.mailoauth.test" on a new SMTP connection before STARTTLS
    Then the raw connection's greeting matches "^220 smtp\.gmail\.com ESMTP [a-z]{1,2}\d{1,3}sm\d{6,8}[a-z]{3}\.\d{1,3} - gsmtp$"
    And the server's reply is:
      """
      250-smtp.gmail.com at your service, [<ip>]
      250-SIZE 35882577
      250-8BITMIME
      250-STARTTLS
      250-ENHANCEDSTATUSCODES
      250-PIPELINING
      250-CHUNKING
      250 SMTPUTF8
      """

  Scenario: STARTTLS's go-ahead, and the AUTH line in STARTTLS's place after it (GM-04, GM-08)
    When the application sends "STARTTLS" on a new SMTP connection before STARTTLS
    Then the server's reply is "220 2.0.0 Ready to start TLS"
    When the application sends "EHLO client.mailoauth.test" on a new SMTP connection after STARTTLS
    Then the server's reply is:
      """
      250-smtp.gmail.com at your service, [<ip>]
      250-SIZE 35882577
      250-8BITMIME
      250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH
      250-ENHANCEDSTATUSCODES
      250-PIPELINING
      250-CHUNKING
      250 SMTPUTF8
      """

  Scenario: QUIT: 221 2.0.0 closing connection (GM-08)
    When the application sends "QUIT" on a new SMTP connection after STARTTLS
    Then the server's reply is "221 2.0.0 closing connection <id> - gsmtp"
