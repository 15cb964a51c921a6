@app @google
Feature: Google: the application under test reads Gmail over IMAP and POP3, and Google's other clients
  Seed 001's CRM reads the INBOX over IMAP with XOAUTH2 (GM-05), POP3 too
  (GM-06); a "Desktop app" client uses PKCE and a loopback redirect on any
  port (G-10); a "TVs and Limited Input devices" client cannot get the Gmail
  scope by the device flow (G-12, seed 000's warning).

  @imap
  Scenario: The application reads the INBOX over IMAP with XOAUTH2 as alice (seed 001, GM-05)
    Given the application under test is the "web" client
    And the world delivered a message with subject "Bulletin du trimestre" to alice@gmail.test
    And the application signs alice@gmail.test in
    When the application reads the INBOX
    Then the application read "Bulletin du trimestre"
    And every imap authentication was XOAUTH2 as alice@gmail.test with a token of the application
    And the imap authentication used the transport "tls"

  @imap
  Scenario: IMAP says NO [UNAVAILABLE] once: the application retries and reads (GM-05, RFC 5530)
    Given the application under test is the "web" client
    And the world delivered a message with subject "Réessai IMAP" to alice@gmail.test
    And the application signs alice@gmail.test in
    And the provider's "imap" server fails with "unavailable" once
    When the application reads the INBOX
    Then the application read "Réessai IMAP"

  @pop3
  Scenario: The application reads the maildrop over POP3 with XOAUTH2 as alice (GM-06)
    Given the application under test is the "web" client
    And the world delivered a message with subject "Relevé" to alice@gmail.test
    And the application signs alice@gmail.test in
    When the application reads the maildrop
    Then the application read "Relevé"
    And every pop3 authentication was XOAUTH2 as alice@gmail.test with a token of the application

  @authcode @smtp
  Scenario: A desktop client uses PKCE S256 and a loopback redirect on a port of its own (G-10)
    Given the application under test is the "desktop" client
    When the application signs alice@gmail.test in
    And the application sends a message to bob@gmail.test with the subject "Depuis le bureau"
    Then the application succeeded
    And the authorization request carried code_challenge_method=S256
    And the authorization request carried the application's redirect URI
    And every authorization_code request carried code_verifier=sent

  @device
  Scenario: The device flow is refused for the Gmail scope, and the application says so (G-12, seed 000, F-40)
    Given the application under test is the "tv" client
    When the application tries to get tokens by the device flow
    Then the application failed saying "invalid_scope"
    And the world saw no urn:ietf:params:oauth:grant-type:device_code request
