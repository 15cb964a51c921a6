@google
Feature: Gmail's SASL exchanges on the wire
  What goes over the connection line by line, for what client libraries
  build by hand and get wrong: a token in place of an OAUTHBEARER message,
  base64 that does not decode, the acknowledgement of an error challenge,
  a lower-case mechanism, an aborted exchange (X-01, X-02, GM-03, GM-04,
  GM-05; curl#2642, nodemailer#144).

  Background:
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/"

  @smtp
  Scenario: SMTP AUTH with an argument that is not base64: 501 5.5.2 Cannot Decode response (GM-04)
    When the application sends "AUTH XOAUTH2 %%not-base64%%" on a new SMTP connection
    Then the server's reply is "501 5.5.2 Cannot Decode response <id> - gsmtp"

  @smtp
  Scenario: curl#2642: a bare token sent as the OAUTHBEARER message cannot be decoded (GM-04)
    When the application sends "AUTH OAUTHBEARER" on a new SMTP connection
    Then the server's reply is "334 "
    When the application sends "base64(<token>)" on that connection
    Then the server's reply is "501 5.5.2 Cannot Decode response <id> - gsmtp"

  @smtp
  Scenario: OAUTHBEARER without auth= is malformed (X-01)
    When the application sends "AUTH OAUTHBEARER base64(n,a=alice@gmail.test,^Ahost=smtp.gmail.com^Aport=465^A^A)" on a new SMTP connection
    Then the server's reply is "501 5.5.2 Cannot Decode response <id> - gsmtp"

  @smtp
  Scenario: OAUTHBEARER ignores keys it does not know, and the mechanism name has no case (X-01)
    When the application sends "auth oauthbearer base64(n,a=alice@gmail.test,^Ahost=smtp.gmail.com^Aport=465^Acolour=blue^Aauth=Bearer <token>^A^A)" on a new SMTP connection
    Then the server's reply is "235 2.7.0 Accepted"

  @smtp
  Scenario: The XOAUTH2 error challenge is answered with an empty line, then 535 (GM-03, X-02)
    Given the application revokes the access token
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection
    Then the server's reply is "334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="
    When the application sends "" on that connection
    Then the server's reply is "535 5.7.8  https://support.google.com/mail/?p=BadCredentials <id> - gsmtp"

  @smtp
  Scenario: The OAUTHBEARER error challenge is answered with %x01, then 535 (X-01, X-02)
    Given the application revokes the access token
    When the application sends "AUTH OAUTHBEARER base64(n,a=alice@gmail.test,^Aauth=Bearer <token>^A^A)" on a new SMTP connection
    Then the server's reply is "334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="
    When the application sends "AQ==" on that connection
    Then the server's reply is "535 5.7.8  https://support.google.com/mail/?p=BadCredentials <id> - gsmtp"

  @smtp
  Scenario: Either acknowledgement ends either mechanism's challenge: XOAUTH2 answered with %x01 (X-02)
    Given the application revokes the access token
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection
    And the application sends "AQ==" on that connection
    Then the server's reply is "535 5.7.8  https://support.google.com/mail/?p=BadCredentials <id> - gsmtp"

  @smtp
  Scenario: Either acknowledgement ends either mechanism's challenge: OAUTHBEARER answered with an empty line (X-02)
    Given the application revokes the access token
    When the application sends "AUTH OAUTHBEARER base64(n,a=alice@gmail.test,^Aauth=Bearer <token>^A^A)" on a new SMTP connection
    And the application sends "" on that connection
    Then the server's reply is "535 5.7.8  https://support.google.com/mail/?p=BadCredentials <id> - gsmtp"

  @smtp
  Scenario: A client that aborts the exchange with * gets 501, as RFC 4954 says (X-01)
    Given the application revokes the access token
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection
    And the application sends "*" on that connection
    Then the server's reply is "501 5.0.0 Negotiation cancelled"

  @smtp
  Scenario: A lone %x01 as the first OAUTHBEARER message fails (X-01)
    When the application sends "AUTH OAUTHBEARER AQ==" on a new SMTP connection
    Then the server's reply is "501 5.5.2 Cannot Decode response <id> - gsmtp"

  @imap
  Scenario: IMAP AUTHENTICATE with an argument that is not base64: BAD Invalid SASL argument (GM-05)
    When the application sends "a1 AUTHENTICATE XOAUTH2 %%not-base64%%" on a new IMAP connection
    Then the server's reply is "a1 BAD Invalid SASL argument. <id>"

  @imap
  Scenario: Without an initial response Gmail sends an empty continuation first (GM-05)
    When the application sends "a1 AUTHENTICATE XOAUTH2" on a new IMAP connection
    Then the server's reply is "+ "
    When the application sends "base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on that connection
    Then the server's reply is "a1 OK Success"

  @imap
  Scenario: IMAP's error challenge, the empty acknowledgement, then NO [AUTHENTICATIONFAILED] (GM-03, GM-05)
    Given the application revokes the access token
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is "+ eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="
    When the application sends "" on that connection
    Then the server's reply is "a1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"

  @imap
  Scenario: A gmail.readonly token gets the invalid_request challenge (GM-03)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.readonly"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is "+ eyJzdGF0dXMiOiJpbnZhbGlkX3JlcXVlc3QiLCJzY29wZSI6Imh0dHBzOi8vbWFpbC5nb29nbGUuY29tLyJ9"

  @imap
  Scenario: A client that aborts the IMAP exchange with * gets BAD (RFC 3501 6.2.2)
    Given the application revokes the access token
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "*" on that connection
    Then the server's reply is "a1 BAD AUTHENTICATE cancelled"

  @smtp
  # The text is not in PROVIDERS.md: observed in virtualzone/tubewarder#29,
  # deanproxy/eMail#53, passbolt/passbolt_docker#25.
  Scenario: AUTH before STARTTLS on the submission port: 530 5.7.0 Must issue a STARTTLS command first (GM-04)
    When the application sends "AUTH XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection before STARTTLS
    Then the server's reply is "530 5.7.0 Must issue a STARTTLS command first. <id> - gsmtp"

  @smtp
  Scenario: MAIL FROM before STARTTLS on the submission port: 530 5.7.0 Must issue a STARTTLS command first (GM-04)
    When the application sends "MAIL FROM:<alice@gmail.test>" on a new SMTP connection before STARTTLS
    Then the server's reply is "530 5.7.0 Must issue a STARTTLS command first. <id> - gsmtp"

  @smtp
  Scenario: The same Cannot Decode answer after STARTTLS on the submission port (GM-04)
    When the application sends "AUTH XOAUTH2 %%not-base64%%" on a new SMTP connection after STARTTLS
    Then the server's reply is "501 5.5.2 Cannot Decode response <id> - gsmtp"

  @imap
  Scenario: Gmail's IMAP texts after STARTTLS on port 143 as on 993 (GM-05)
    When the application sends "a1 AUTHENTICATE XOAUTH2 %%not-base64%%" on a new IMAP connection after STARTTLS
    Then the server's reply is "a1 BAD Invalid SASL argument. <id>"
    When the application sends "a2 CAPABILITY" on that connection
    Then the server's reply is "a2 OK Thats all she wrote! <id>"
    When the application sends "a3 AUTHENTICATE XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on that connection
    Then the server's reply is "a3 OK Success"
