@microsoft @exchange @smtp
Feature: Exchange Online's SMTP lines for what a client rarely sends
  The lines EX-11 records, for the edge of what go-smtp writes: the null
  reverse-path of RFC 5321 §4.5.5 at MAIL FROM.

  Background:
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"

  Scenario: MAIL FROM the null reverse-path gets "250 2.1.0 Sender OK" as any sender does (EX-11, [INF] RFC 5321 §4.5.5)
    # EX-11 records "250 2.1.0 Sender OK" at MAIL FROM; that Exchange says
    # it to "<>" as to any address is inferred: the sender is judged after
    # DATA (EX-12).
    When the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    And the application sends "MAIL FROM:<>" on that connection
    Then the server's reply is "250 2.1.0 Sender OK"
