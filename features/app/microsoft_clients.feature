@app @microsoft
Feature: Microsoft: public clients, the device code flow, /common, and a daemon with client credentials
  Seeds 000 and 003: a public client (no secret) by authorization code with
  PKCE and by device code, polled at the interval (M-05, M-08). A
  multi-tenant web app at /organizations or /common (M-01). Seed 002: a
  daemon with client credentials for https://outlook.office365.com/.default at
  the tenant's endpoint, its token cached until it expires, XOAUTH2 with the
  mailbox address (EX-02); its expired secret is AADSTS7000222 (F-09).

  @authcode @smtp
  Scenario: A public client sends no secret: PKCE and a loopback redirect (seeds 000, 003, M-08)
    Given the application under test is the "desktop" client
    When the application signs alice@contoso.test in
    And the application sends a message to bob@contoso.test with the subject "Client public"
    Then the application succeeded
    And every authorization_code request carried client_auth=none
    And the authorization request carried code_challenge_method=S256

  @authcode @smtp
  Scenario: A multi-tenant app registered for any organization signs in through /organizations (M-01, F-10)
    Given the application under test is the "vendor" client
    And the application under test asks for "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
    And the application's authority is "organizations"
    When the application signs alice@contoso.test in
    And the application sends a message to bob@contoso.test with the subject "Multi-organisation"
    Then the application succeeded
    And the world delivered "Multi-organisation" to bob@contoso.test

  @device
  Scenario: The device code flow, polled at the interval, approved by alice (seed 000, M-05, RFC 8628 §3.5)
    Given the application under test is the "desktop" client
    And alice@contoso.test will approve the application's device code
    When the application gets tokens by the device flow
    And the application sends a message to bob@contoso.test with the subject "Code appareil"
    Then the application succeeded
    And the world delivered "Code appareil" to bob@contoso.test
    And the application waited at least 5 seconds between the device authorization and its first poll

  @device
  Scenario: alice declines the device code: the application says so (M-05, AADSTS70000 authorization_declined)
    Given the application under test is the "desktop" client
    And alice@contoso.test will deny the application's device code
    When the application tries to get tokens by the device flow
    Then the application failed saying "declined"

  @device
  Scenario: Nobody enters the device code before it expires: the application says so (M-05, AADSTS70020 expired_token)
    Given the application under test is the "desktop" client
    And nobody will enter the application's device code before it expires
    When the application tries to get tokens by the device flow
    Then the application failed saying "expired"

  @client-credentials @imap
  Scenario: The daemon gets an app token for .default at the tenant's endpoint and reads alice's mailbox as alice (seed 002, EX-02)
    Given the application under test is the "daemon" client
    And the world delivered a message with subject "Bon de livraison" to alice@contoso.test
    When the application gets an application token
    And the application reads the INBOX
    Then the application read "Bon de livraison"
    And every client_credentials request carried scope=https://outlook.office365.com/.default
    And every imap authentication was XOAUTH2 as alice@contoso.test with a token of the application

  @client-credentials @imap
  Scenario: The daemon's token is cached until it expires: one client_credentials request for two reads, a new one after (seed 002, M-03)
    Given the application under test is the "daemon" client
    When the application gets an application token
    And the application reads the INBOX
    And the application reads the INBOX
    Then the world saw 1 client_credentials request
    When 2 hours pass
    And the application reads the INBOX
    Then the application succeeded
    And the world saw 2 client_credentials requests

  @client-credentials @smtp
  Scenario: The daemon sends as the mailbox it may use over SMTP (seed 002, EX-02, EX-05)
    Given the application under test is the "daemon" client
    When the application gets an application token
    And the application sends a message to bob@contoso.test with the subject "Envoi du démon"
    Then the application succeeded
    And the world delivered "Envoi du démon" to bob@contoso.test

  @client-credentials
  Scenario: The daemon's client secret expired: the application reports AADSTS7000222 (seed 002's warning, F-09)
    Given the application under test is the "daemon" client
    And the application's client secret expires
    When the application tries to get an application token
    Then the application failed saying "AADSTS7000222"
