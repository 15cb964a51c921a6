@microsoft @exchange @imap
Feature: Exchange Online's IMAP texts stay out of a message's literals
  A line of a message that looks like one of the status lines Exchange
  words its own way goes through FETCH untouched (EX-03), wherever the
  literal that holds it starts and ends in the response.

  Background:
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    And the world delivered a message with subject "Lookalike" and the line "x OK CAPABILITY completed" to alice@contoso.test

  Scenario: A partial FETCH whose literal ends inside a line, then the message text: the status-like line is untouched (EX-03)
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    And the application sends "a3 FETCH 1 (BODY.PEEK[]<0.5> BODY.PEEK[TEXT] FLAGS)" on that connection
    Then the server's reply is:
      """
      * 1 FETCH (UID 1 FLAGS () BODY[]<0> {5}
      From: BODY[TEXT] {<octets>}
      x OK CAPABILITY completed
      Bye.
      )
      a3 OK FETCH completed
      """
    When the application sends "a4 FETCH 1 BODY.PEEK[]<0.5>" on that connection
    Then the server's reply is:
      """
      * 1 FETCH (UID 1 BODY[]<0> {5}
      From:)
      a4 OK FETCH completed
      """
