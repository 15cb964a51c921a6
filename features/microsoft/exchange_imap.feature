@microsoft @exchange @imap
Feature: Exchange Online's IMAP replies after AUTHENTICATE
  outlook.office365.com refuses some tokens at AUTHENTICATE with "NO
  AUTHENTICATE failed." and no error challenge (EX-08 reply A: audience,
  scope, service principal), and accepts others that open nothing: "OK
  AUTHENTICATE completed.", then "BAD User is authenticated but not
  connected." at the first mailbox command, then that BAD with "* BYE
  Connection closed. 14" (EX-08 reply B: a user's token for a mailbox the
  user cannot open, a mailbox with IMAP off). Throttling answers NO, then
  BAD and BYE (EX-09). LOGOUT's lines are Exchange's (EX-03).

  Background:
    Given the application uses the "web" client

  Scenario: The tenant admin's token for Alice's mailbox: accepted, then not connected, then BYE (EX-08, F-19)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is:
      """
      a1 OK AUTHENTICATE completed.
      """
    When the application sends "a2 CAPABILITY" on that connection
    Then the server's reply is:
      """
      * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE UNSELECT IDLE NAMESPACE LITERAL+
      a2 OK CAPABILITY completed.
      """
    When the application sends "a3 SELECT INBOX" on that connection
    Then the server's reply is "a3 BAD User is authenticated but not connected."
    When the application sends "a4 NAMESPACE" on that connection
    Then the server's reply is "a4 BAD User is authenticated but not connected."
    And the server then says "* BYE Connection closed. 14" and closes the connection
    And the world recorded a refused imap authentication of alice@contoso.test because "wrong_user"

  Scenario: Not connected: EXAMINE and STATUS get the BAD too (EX-08)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 EXAMINE INBOX" on that connection
    Then the server's reply is "a2 BAD User is authenticated but not connected."
    When the application sends "a3 NOOP" on that connection
    Then the server's reply is "a3 OK NOOP completed"
    When the application sends "a4 STATUS INBOX (MESSAGES)" on that connection
    Then the server's reply is "a4 BAD User is authenticated but not connected."
    And the server then says "* BYE Connection closed. 14" and closes the connection

  Scenario: Not connected: SELECT, then EXPUNGE of the selected state, then BYE (EX-08, email-oauth2-proxy#74)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    Then the server's reply is "a2 BAD User is authenticated but not connected."
    When the application sends "a3 EXPUNGE" on that connection
    Then the server's reply is "a3 BAD User is authenticated but not connected."
    And the server then says "* BYE Connection closed. 14" and closes the connection

  Scenario Outline: Not connected: <first> and <second> are mailbox commands too (EX-08)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 <first>" on that connection
    Then the server's reply is "a2 BAD User is authenticated but not connected."
    When the application sends "a3 <second>" on that connection
    Then the server's reply is "a3 BAD User is authenticated but not connected."
    And the server then says "* BYE Connection closed. 14" and closes the connection

    Examples:
      | first           | second             |
      | CREATE Archive  | DELETE Archive     |
      | RENAME a b      | SUBSCRIBE INBOX    |
      | UNSUBSCRIBE x   | EXAMINE INBOX      |

  Scenario: Not connected: a selected-state command first is the first strike, not the Invalid state reply (EX-08, EX-09)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 FETCH 1 FLAGS" on that connection
    Then the server's reply is "a2 BAD User is authenticated but not connected."
    When the application sends "a3 NOOP" on that connection
    Then the server's reply is "a3 OK NOOP completed"
    When the application sends "a4 SELECT INBOX" on that connection
    Then the server's reply is "a4 BAD User is authenticated but not connected."
    And the server then says "* BYE Connection closed. 14" and closes the connection

  Scenario: Not connected, through go-imap's client: the INBOX cannot be read (EX-08, F-19)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server accepts the authentication
    And reading the INBOX fails with "BAD User is authenticated but not connected."

  Scenario: The mailbox's own user's token opens it (EX-08, F-19's fix)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    Then the server's reply is "a2 OK [READ-WRITE] SELECT completed"

  Scenario: IMAP switched off for the mailbox (Set-CASMailbox -ImapEnabled $false): accepted, then not connected (EX-08 [INF])
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    And the tenant "contoso.test" turns IMAP off for alice@contoso.test
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is "a1 OK AUTHENTICATE completed."
    When the application sends "a2 SELECT INBOX" on that connection
    Then the server's reply is "a2 BAD User is authenticated but not connected."
    And the world recorded a refused imap authentication of alice@contoso.test because "protocol_disabled"

  Scenario: A Graph-audience token: NO AUTHENTICATE failed. at once, no error challenge (EX-03, EX-08 reply A, F-01)
    Given alice@contoso.test has authorized the application for "https://graph.microsoft.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is:
      """
      a1 NO AUTHENTICATE failed.
      """
    And the server has not closed the connection

  Scenario: A token without the IMAP permission: NO at once, no error challenge, even without SASL-IR (EX-03, EX-08 reply A)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application sends "a1 AUTHENTICATE XOAUTH2" on a new IMAP connection
    Then the server's reply is "+ "
    When the application sends "base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on that connection
    Then the server's reply is:
      """
      a1 NO AUTHENTICATE failed.
      """

  Scenario: A mailbox the tenant does not have: NO AUTHENTICATE failed. (EX-08 reply A)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=nobody@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is "a1 NO AUTHENTICATE failed."
    And the world recorded a refused imap authentication of nobody@contoso.test because "no_mailbox"

  Scenario: LOGOUT's lines (EX-03)
    When the application sends "a1 LOGOUT" on a new IMAP connection
    Then the server's reply is:
      """
      * BYE Microsoft Exchange Server IMAP4 server signing off.
      a1 OK LOGOUT completed.
      """

  Scenario: A throttled session: NO Request is throttled, then BAD and BYE (EX-09, F-31)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    And the provider's "imap" server fails with "throttled"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is "a1 OK AUTHENTICATE completed."
    When the application sends "a2 SELECT INBOX" on that connection
    Then the server's reply is "a2 NO Request is throttled. Suggested Backoff Time: 299609 milliseconds"
    When the application sends "a3 SELECT INBOX" on that connection
    Then the server's reply is "a3 BAD Request is throttled. Suggested Backoff Time: 89117 milliseconds"
    And the server then says "* BYE Connection closed. 14" and closes the connection

  Scenario: After the suggested backoff the next session is not throttled (EX-09, F-31)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    And the provider's "imap" server fails with "throttled"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    Then the server's reply is "a2 OK [READ-WRITE] SELECT completed"

  Scenario: A message line that looks like a status line goes through FETCH untouched (EX-03)
    # Inside a literal the server changes nothing: Exchange's own text
    # would end this line with a period.
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    And the world delivered a message with subject "Lookalike" and the line "x OK CAPABILITY completed" to alice@contoso.test
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    And the application sends "a3 FETCH 1 BODY.PEEK[]" on that connection
    Then the server's reply is:
      """
      * 1 FETCH (UID 1 BODY[] {<octets>}
      From: someone@example.test
      Subject: Lookalike

      x OK CAPABILITY completed
      Bye.
      )
      a3 OK FETCH completed
      """
