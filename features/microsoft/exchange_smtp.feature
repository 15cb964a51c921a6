@microsoft @exchange @smtp
Feature: Exchange Online's SMTP session, line by line
  smtp.office365.com on 587 (STARTTLS only: no implicit-TLS port) says
  what EX-11 records before and after STARTTLS, answers a client that
  skips or fails AUTH with 530 5.7.57 at MAIL FROM and AUTH before
  STARTTLS with 504 5.7.4 (EX-12, EX-13), stamps its refusals
  "[HOST.REGION.PROD.OUTLOOK.COM <ISO ms>Z <16 HEX>]" (EX-13), refuses a
  From it may not send as after DATA (SendAs, EX-12) and a mailbox's
  fourth session with 432 4.3.2 (EX-12).

  Background:
    Given the application uses the "web" client

  Scenario: The greeting and the EHLO lines before STARTTLS (EX-11)
    When the application sends "EHLO client.mailoauth.test" on a new SMTP connection before STARTTLS
    Then the raw connection's greeting matches "^220 SN2PR00CA0018\.outlook\.office365\.com Microsoft ESMTP MAIL Service ready at [A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000 \[[0-9A-F]{16}\]$"
    And the server's reply is:
      """
      250-SN2PR00CA0018.outlook.office365.com Hello [<ip>]
      250-SIZE 157286400
      250-PIPELINING
      250-DSN
      250-ENHANCEDSTATUSCODES
      250-STARTTLS
      250-8BITMIME
      250-BINARYMIME
      250-CHUNKING
      250 SMTPUTF8
      """

  Scenario: STARTTLS's go-ahead is "220 2.0.0 SMTP server ready" (EX-11)
    When the application sends "STARTTLS" on a new SMTP connection before STARTTLS
    Then the server's reply is "220 2.0.0 SMTP server ready"

  Scenario: The EHLO lines after STARTTLS: AUTH LOGIN XOAUTH2 where STARTTLS was, no LIMITS (EX-11, EX-06)
    When the application sends "EHLO client.mailoauth.test" on a new SMTP connection after STARTTLS
    Then the server's reply is:
      """
      250-SN2PR00CA0018.outlook.office365.com Hello [<ip>]
      250-SIZE 157286400
      250-PIPELINING
      250-DSN
      250-ENHANCEDSTATUSCODES
      250-AUTH LOGIN XOAUTH2
      250-8BITMIME
      250-BINARYMIME
      250-CHUNKING
      250 SMTPUTF8
      """

  Scenario: HELO gets one line (EX-11)
    When the application sends "HELO client.mailoauth.test" on a new SMTP connection before STARTTLS
    Then the server's reply is "250 SN2PR00CA0018.outlook.office365.com Hello [<ip>]"

  Scenario: AUTH before STARTTLS: 504 5.7.4, not 523 5.7.10 (EX-11, F-25)
    When the application sends "AUTH LOGIN" on a new SMTP connection before STARTTLS
    Then the server's reply is "504 5.7.4 Unrecognized authentication type [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: AUTH PLAIN after STARTTLS: the same 504 5.7.4 (EX-11, F-25)
    When the application sends "AUTH PLAIN base64(^Aalice@contoso.test^Aalice-password)" on a new SMTP connection after STARTTLS
    Then the server's reply is "504 5.7.4 Unrecognized authentication type [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: MAIL FROM without AUTH: 530 5.7.57 (EX-12, F-26)
    When the application sends "MAIL FROM:<alice@contoso.test>" on a new SMTP connection after STARTTLS
    Then the server's reply is "530 5.7.57 Client not authenticated to send mail. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: MAIL FROM after a refused AUTH: 530 5.7.57, the AUTH reply held the cause (EX-12, EX-13, F-26)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    Then the server's reply is "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"
    When the application sends "MAIL FROM:<alice@contoso.test>" on that connection
    Then the server's reply is "530 5.7.57 Client not authenticated to send mail. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: MAIL FROM on the plain connection before STARTTLS: 530 5.7.57 as well (EX-12)
    When the application sends "MAIL FROM:<alice@contoso.test>" on a new SMTP connection before STARTTLS
    Then the server's reply is "530 5.7.57 Client not authenticated to send mail. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: An unknown command: 500 5.3.3 Unrecognized command (EX-11)
    When the application sends "XYZW" on a new SMTP connection after STARTTLS
    Then the server's reply is "500 5.3.3 Unrecognized command 'XYZW' [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: The success lines of a whole submission, as EX-11 records them (EX-05, EX-11)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    Then the server's reply is "235 2.7.0 Authentication successful"
    When the application sends "MAIL FROM:<alice@contoso.test>" on that connection
    Then the server's reply is "250 2.1.0 Sender OK"
    When the application sends "RCPT TO:<bob@contoso.test>" on that connection
    Then the server's reply is "250 2.1.5 Recipient OK"
    When the application sends "DATA" on that connection
    Then the server's reply is "354 Start mail input; end with <CRLF>.<CRLF>"
    When the application sends "Message-ID: <ex11@client.test>^M^JSubject: EX-11^M^J^M^Jhello^M^J." on that connection
    Then the server's reply is "250 2.0.0 OK <ex11@client.test> [Hostname=SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM]"
    And the world delivered "EX-11" to bob@contoso.test
    When the application sends "QUIT" on that connection
    Then the server's reply is "221 2.0.0 Service closing transmission channel"

  Scenario: No implicit TLS: no port 465, and TLS at once on 587 gets no TLS session (EX-11, F-24)
    Then the provider has no implicit-TLS SMTP port
    And a TLS handshake on the provider's SMTP submission port fails

  Scenario: Sending as another address without SendAs: 250 at MAIL FROM, 554 5.2.252 after DATA (EX-12, F-23)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    And the application sends "MAIL FROM:<bob@contoso.test>" on that connection
    Then the server's reply is "250 2.1.0 Sender OK"
    When the application sends "RCPT TO:<info@contoso.test>" on that connection
    Then the server's reply is "250 2.1.5 Recipient OK"
    When the application sends "DATA" on that connection
    Then the server's reply is "354 Start mail input; end with <CRLF>.<CRLF>"
    When the application sends "Subject: As Bob^M^J^M^Jhello^M^J." on that connection
    Then the server's reply is "554 5.2.252 SendAsDenied; alice@contoso.test not allowed to send as bob@contoso.test; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. 0.35250:0A00C084, 1.36674:0A000000, 1.61250:00000000, 1.45378:02000000 [Hostname=SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM]"

  Scenario: Sending as another address with SendAs (Add-RecipientPermission) is accepted (EX-12, F-23)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    And the tenant "contoso.test" grants alice@contoso.test SendAs on info@contoso.test
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    And the application sends a message from info@contoso.test to bob@contoso.test with subject "From the shared mailbox"
    Then the message is accepted
    And the world delivered "From the shared mailbox" to bob@contoso.test

  Scenario: A delegated login sends as the mailbox it opened and as its own user (EX-01, EX-12)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as info@contoso.test with XOAUTH2
    And the application sends a message from info@contoso.test to bob@contoso.test with subject "As info"
    Then the message is accepted
    When the application sends a message from alice@contoso.test to bob@contoso.test with subject "As Alice"
    Then the message is accepted
    When the application sends a message from bob@contoso.test to info@contoso.test with subject "As Bob"
    Then sending fails with 554

  Scenario: An app token sending as another mailbox without SendAs: 554 5.2.252 after DATA (EX-12, F-23)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication
    When the application sends a message from bob@contoso.test to info@contoso.test with subject "Daemon as Bob"
    Then sending fails with:
      """
      554 5.2.252 SendAsDenied; alice@contoso.test not allowed to send as bob@contoso.test; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. 0.35250:0A00C084, 1.36674:0A000000, 1.61250:00000000, 1.45378:02000000 [Hostname=SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM]
      """
    And no message "Daemon as Bob" was delivered to info@contoso.test

  Scenario: An app token whose service principal has SendAs on the address sends as it (EX-12, F-23)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the "daemon" app has SendAs on bob@contoso.test
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    And the application sends a message from bob@contoso.test to info@contoso.test with subject "Daemon as Bob"
    Then the message is accepted

  Scenario: A fourth concurrent session of one mailbox: 432 4.3.2 after DATA (EX-12)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    And the application opens 3 more SMTP sessions authenticated as alice@contoso.test
    And the application sends a message from alice@contoso.test to bob@contoso.test with subject "Fourth"
    Then sending fails with:
      """
      432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM]
      """

  Scenario: Three concurrent sessions of one mailbox are within the bound (EX-12)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    And the application opens 2 more SMTP sessions authenticated as alice@contoso.test
    And the application sends a message from alice@contoso.test to bob@contoso.test with subject "Third"
    Then the message is accepted

  Scenario: A throttled session: 432 4.3.2 after DATA, the next message goes (EX-12)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    And the provider's "smtp" server fails with "throttled"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication
    When the application sends a message from alice@contoso.test to bob@contoso.test with subject "Throttled"
    Then sending fails with:
      """
      432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM]
      """
    When the application sends a message from alice@contoso.test to bob@contoso.test with subject "After the backoff"
    Then the message is accepted

  Scenario: The tenant admin's token for Alice's mailbox is refused at AUTH: 535 5.7.3 (EX-08, F-19)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    Then the server's reply is "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"
    And the world recorded a refused smtp authentication of alice@contoso.test because "wrong_user"
