@microsoft @pop3
Feature: Reading Exchange Online over POP3 with OAuth
  outlook.office365.com (995): AUTH XOAUTH2 with a delegated
  POP.AccessAsUser.All token (seed 001) or an app token with POP.AccessAsApp
  (seed 002), "+OK User successfully authenticated."; every refusal is
  "-ERR Authentication failure: unknown user name or bad password." (EX-01,
  EX-02, EX-04, EX-07, F-02).

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
