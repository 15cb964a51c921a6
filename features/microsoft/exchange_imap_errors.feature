@microsoft @exchange @imap
Feature: Exchange Online's IMAP command errors
  outlook.office365.com answers a command it cannot take with its own BAD
  texts, not go-imap's: "BAD Command Error. 10" to a command line that is
  too long (a 40,000-character UID SEARCH), "BAD Command Argument Error. 11"
  to arguments that do not parse (FETCH), "BAD Command received in Invalid
  state." to a command sent in the wrong state (EX-09; the condition of the
  last is [INF]). Exchange's bound on a command is NOT FOUND: the fake's is
  32 KiB, below the 40,000 characters refused, where go-imap's own 50 KiB
  is not. The session goes on after each.

  Background:
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    And the world delivered a message with subject "Invoice 42" to alice@contoso.test

  Scenario: A 40,000-character UID SEARCH is too long: BAD Command Error. 10, and the session goes on (EX-09)
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    And the application sends "a3 UID SEARCH" with " UID 1" repeated 6667 times on that connection
    Then the server's reply is:
      """
      a3 BAD Command Error. 10
      """
    When the application sends "a4 UID SEARCH" with " UID 1" repeated 5000 times on that connection
    Then the server's reply is:
      """
      * SEARCH 1
      a4 OK UID SEARCH completed
      """
    And the server has not closed the connection

  Scenario: The fake's bound is 32 KiB [INF]: a command of 32,768 bytes is read, one byte more is not (EX-09)
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 NOOP " with "x" repeated 32758 times on that connection
    Then the server's reply is "a2 BAD Command Argument Error. 11"
    When the application sends "a3 NOOP " with "x" repeated 32759 times on that connection
    Then the server's reply is "a3 BAD Command Error. 10"

  Scenario: After a message appended with a literal, a too-long command is still cut (EX-09)
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 APPEND INBOX {12+}^M^JSubject: x^M^J" on that connection
    Then the server's reply is "a2 OK [APPENDUID 1 2] APPEND completed"
    When the application sends "a3 SELECT INBOX" on that connection
    And the application sends "a4 UID SEARCH" with " UID 1" repeated 6667 times on that connection
    Then the server's reply is "a4 BAD Command Error. 10"
    And the server has not closed the connection

  Scenario: Before authentication a too-long line is the command error too, not a refused login (EX-09)
    When the application sends "a1 CAPABILITY" on a new IMAP connection
    And the application sends "a2 AUTHENTICATE XOAUTH2 " with "QUFB" repeated 10000 times on that connection
    Then the server's reply is "a2 BAD Command Error. 10"
    And the server has not closed the connection

  Scenario: FETCH with an unknown item, and without its items: BAD Command Argument Error. 11 (EX-09)
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    And the application sends "a3 FETCH 1 (BOGUS)" on that connection
    Then the server's reply is:
      """
      a3 BAD Command Argument Error. 11
      """
    When the application sends "a4 FETCH 1" on that connection
    Then the server's reply is "a4 BAD Command Argument Error. 11"
    When the application sends "a5 FETCH (1) FLAGS" on that connection
    Then the server's reply is "a5 BAD Command Argument Error. 11"
    When the application sends "a6 FETCH 1 (BODY[FOO])" on that connection
    Then the server's reply is "a6 BAD Command Argument Error. 11"
    When the application sends "a7 FETCH 1 (FLAGS)" on that connection
    Then the server's reply is:
      """
      * 1 FETCH (UID 1 FLAGS ())
      a7 OK FETCH completed
      """

  Scenario: SELECT before authentication: BAD Command received in Invalid state. (EX-09 [INF])
    When the application sends "a1 SELECT INBOX" on a new IMAP connection
    Then the server's reply is:
      """
      a1 BAD Command received in Invalid state.
      """
    And the server has not closed the connection

  Scenario: FETCH before SELECT, and LOGIN once authenticated: the invalid-state BAD (EX-09 [INF])
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 FETCH 1 (FLAGS)" on that connection
    Then the server's reply is "a2 BAD Command received in Invalid state."
    When the application sends "a3 LOGIN alice@contoso.test alice-password" on that connection
    Then the server's reply is "a3 BAD Command received in Invalid state."
    When the application sends "a4 SELECT INBOX" on that connection
    Then the server's reply is "a4 OK [READ-WRITE] SELECT completed"

  Scenario: A literal go-imap refuses is no literal: the next too-long command is still cut (EX-09)
    When the application sends "a1 LOGIN {5000}" on a new IMAP connection
    Then the server's reply is "a1 BAD Command Argument Error. 11"
    When the application sends "a2 NOOP " with "x" repeated 40000 times on that connection
    Then the server's reply is "a2 BAD Command Error. 10"
    And the server has not closed the connection

  Scenario: The bound is on commands, not on a message: APPEND takes a 40,000-character line in its literal (EX-09)
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 APPEND INBOX {40017}" on that connection
    Then the server's reply is "+ Ready for literal data"
    When the application sends "Subject: long^M^J^M^J" with "x" repeated 40000 times on that connection
    Then the server's reply is "a2 OK [APPENDUID 1 2] APPEND completed"

  Scenario: A command's lines before and after its literal count together against the bound (EX-09)
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    And the application sends "a3 UID SEARCH SUBJECT {5}" on that connection
    Then the server's reply is "+ Ready for literal data"
    When the application sends "hello" with " UID 1" repeated 5457 times on that connection
    Then the server's reply is "a3 BAD Command Argument Error. 11"
    When the application sends "a4 UID SEARCH SUBJECT {5}" on that connection
    And the application sends "Inv42" with " UID 1" repeated 5000 times on that connection
    Then the server's reply is "a4 OK UID SEARCH completed"
