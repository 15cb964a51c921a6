@microsoft @pop3
Feature: Reading Exchange Online over POP3 with OAuth
  outlook.office365.com (995): AUTH XOAUTH2 with a delegated
  POP.AccessAsUser.All token (seed 001) or an app token with POP.AccessAsApp
  (seed 002), "+OK User successfully authenticated."; every refusal is
  "-ERR Authentication failure: unknown user name or bad password." (EX-01,
  EX-02, EX-04, EX-07, F-02). AUTH takes two steps: one line is a protocol
  error that closes the connection (EX-10, F-22).

  Scenario: Seed 001: a delegated POP.AccessAsUser.All token reads the mailbox (EX-04)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/POP.AccessAsUser.All offline_access"
    And the world delivered a message with subject "Over Exchange POP" to alice@contoso.test
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server accepts the authentication
    And the POP3 server replies "+OK User successfully authenticated."
    And the POP3 maildrop holds a message with subject "Over Exchange POP"

  Scenario: An IMAP-only token is refused on POP (EX-01)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server replies "-ERR Authentication failure: unknown user name or bad password."

  Scenario: Seed 002: an app token with POP.AccessAsApp reads a mailbox the service principal may read (EX-01, EX-02)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the world delivered a message with subject "For the POP daemon" to alice@contoso.test
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server accepts the authentication
    And the POP3 maildrop holds a message with subject "For the POP daemon"

  Scenario: F-02: without the Exchange service principal, POP refuses the app token (EX-04)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the Exchange service principal of the "daemon" app is removed
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server replies "-ERR Authentication failure: unknown user name or bad password."
    And the world recorded a refused pop3 authentication of alice@contoso.test because "no_service_principal"

  Scenario: F-02: the service principal registered with the app registration's object id (EX-02)
    Given the application uses the "wrong-sp" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server replies "-ERR Authentication failure: unknown user name or bad password."

  Scenario: F-02: without a mailbox permission, POP refuses the app token (EX-04)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the "daemon" app has no mailbox permission on alice@contoso.test
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server replies "-ERR Authentication failure: unknown user name or bad password."
    And the world recorded a refused pop3 authentication of alice@contoso.test because "no_mailbox_permission"

  Scenario: The greeting and CAPA in Exchange's order (EX-04, EX-07)
    When the application sends "CAPA" on a new POP3 connection
    Then the raw connection's greeting matches "^\+OK The Microsoft Exchange POP3 service is ready\. \[[A-Za-z0-9+/=]+\]$"
    And the server's reply is:
      """
      +OK
      TOP
      UIDL
      SASL PLAIN XOAUTH2
      USER
      .
      """

  Scenario: CAPA on the plain port before STLS: STLS where SASL goes after it, no SASL (EX-04, RFC 2595)
    When the application sends "CAPA" on a new POP3 connection before STARTTLS
    Then the server's reply is:
      """
      +OK
      TOP
      UIDL
      STLS
      USER
      .
      """

  Scenario: A one-line AUTH XOAUTH2: Protocol error, and the connection is closed (EX-04, EX-10, F-22)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/POP.AccessAsUser.All"
    When the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new POP3 connection
    Then the server's reply is "-ERR Protocol error. Connection is closed. 10"
    And the server closes the connection

  Scenario: A one-line AUTH through the application's POP3 client fails where the two-step one works (EX-04, F-22)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/POP.AccessAsUser.All"
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2
    Then the POP3 server replies "-ERR Protocol error. Connection is closed. 10"
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server replies "+OK User successfully authenticated."

  Scenario: The two-step AUTH: "+ " then the response (EX-04)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/POP.AccessAsUser.All"
    When the application sends "AUTH XOAUTH2" on a new POP3 connection
    Then the server's reply is "+ "
    When the application sends "base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on that connection
    Then the server's reply is "+OK User successfully authenticated."

  Scenario: A refused two-step AUTH: -ERR at once, no error challenge (EX-04, F-02)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "AUTH XOAUTH2" on a new POP3 connection
    And the application sends "base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on that connection
    Then the server's reply is:
      """
      -ERR Authentication failure: unknown user name or bad password.
      """

  Scenario: "*" cancels the exchange (RFC 5034 §4)
    When the application sends "AUTH XOAUTH2" on a new POP3 connection
    And the application sends "*" on that connection
    Then the server's reply is "-ERR [AUTH] Authentication cancelled"

  Scenario: USER/PASS is refused: Logon failure, not Authentication failure (EX-04, EX-10, F-05)
    When the application sends "USER alice@contoso.test" on a new POP3 connection
    Then the server's reply is "+OK send PASS"
    When the application sends "PASS alice-password" on that connection
    Then the server's reply is "-ERR Logon failure: unknown user name or bad password."
    And the world recorded a refused pop3 authentication of alice@contoso.test because "basic_auth"

  Scenario: AUTH on the plain port before STLS is refused (RFC 2595)
    When the application sends "AUTH XOAUTH2" on a new POP3 connection before STARTTLS
    Then the server's reply is "-ERR [AUTH] TLS is required"

  Scenario: POP switched off for the mailbox (Set-CASMailbox -PopEnabled $false): refused (EX-04 [INF], EX-08)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/POP.AccessAsUser.All"
    And the tenant "contoso.test" turns POP off for alice@contoso.test
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server replies "-ERR Authentication failure: unknown user name or bad password."
    And the world recorded a refused pop3 authentication of alice@contoso.test because "protocol_disabled"

  Scenario: RETR dot-stuffs a line that starts with "."; STAT, TOP and DELE (RFC 1939 §3, §5, §7)
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/POP.AccessAsUser.All"
    And the world delivered a message with subject "Dots" and the line ".dot" to alice@contoso.test
    When the application sends "NOOP" on a new POP3 connection
    Then the server's reply is "-ERR Unknown command in AUTHORIZATION state"
    When the application sends "AUTH XOAUTH2" on that connection
    And the application sends "base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on that connection
    And the application sends "NOOP" on that connection
    Then the server's reply is "+OK"
    When the application sends "STAT" on that connection
    Then the server's reply is "+OK 1 57"
    When the application sends "RETR 1" on that connection
    Then the server's reply is:
      """
      +OK 57 octets
      From: someone@example.test
      Subject: Dots

      ..dot
      Bye.
      .
      """
    When the application sends "TOP 1 0" on that connection
    Then the server's reply is:
      """
      +OK
      From: someone@example.test
      Subject: Dots

      .
      """
    When the application sends "TOP 1 1" on that connection
    Then the server's reply is:
      """
      +OK
      From: someone@example.test
      Subject: Dots

      ..dot
      .
      """
    When the application sends "DELE 1" on that connection
    Then the server's reply is "+OK message 1 deleted"
    When the application sends "RETR 1" on that connection
    Then the server's reply is "-ERR No such message"
