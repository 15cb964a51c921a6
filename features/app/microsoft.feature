@app @microsoft
Feature: Microsoft: the application under test signs in at Entra and sends and reads at Exchange Online
  Seeds 000 and 001: delegated Outlook scopes
  (https://outlook.office.com/SMTP.Send, IMAP.AccessAsUser.All,
  POP.AccessAsUser.All, offline_access), not Graph (EX-01, F-01); the
  tenant's endpoints (M-01); SMTP on 587 with STARTTLS (EX-05), IMAP over TLS
  (EX-03), POP3 with the two-step AUTH (EX-04, F-22); refresh tokens that
  rotate (M-03).

  Background:
    Given the application under test is the "web" client

  @authcode @smtp
  Scenario: The application signs alice in at the tenant's endpoints and sends over SMTP 587 STARTTLS with XOAUTH2 (seed 001, M-01, EX-05)
    When the application signs alice@contoso.test in
    And the application sends a message to bob@contoso.test with the subject "Planning"
    Then the application succeeded
    And the world delivered "Planning" to bob@contoso.test
    And every smtp authentication was XOAUTH2 as alice@contoso.test with a token of the application
    And the smtp authentication used the transport "starttls"

  @authcode
  Scenario: The authorization asks for the Outlook scopes with offline_access, not Graph's (seeds 000, 001, EX-01, F-01, F-41)
    When the application signs alice@contoso.test in
    Then the authorization request's scope includes "https://outlook.office.com/SMTP.Send"
    And the authorization request's scope includes "offline_access"
    And the authorization request's scope does not include "https://graph.microsoft.com/SMTP.Send"
    And the authorization request carried the application's redirect URI

  @imap
  Scenario: The application reads the INBOX over IMAP TLS with XOAUTH2 as alice (seed 001, EX-03)
    Given the world delivered a message with subject "Commande 42" to alice@contoso.test
    And the application signs alice@contoso.test in
    When the application reads the INBOX
    Then the application read "Commande 42"
    And every imap authentication was XOAUTH2 as alice@contoso.test with a token of the application
    And the imap authentication used the transport "tls"

  @pop3
  Scenario: The application reads the maildrop over POP3 TLS with the two-step AUTH XOAUTH2 (seed 001, EX-04, F-22)
    Given the world delivered a message with subject "Facture" to alice@contoso.test
    And the application signs alice@contoso.test in
    When the application reads the maildrop
    Then the application read "Facture"
    And every pop3 authentication was XOAUTH2 as alice@contoso.test with a token of the application

  @refresh
  Scenario: Refreshed every 60 days for 240 days, the rotated refresh token chain lives (M-03, F-12)
    Given the application signs alice@contoso.test in
    And 60 days pass
    And the application sends a message to bob@contoso.test with the subject "Jour 60"
    And 60 days pass
    And the application sends a message to bob@contoso.test with the subject "Jour 120"
    And 60 days pass
    And the application sends a message to bob@contoso.test with the subject "Jour 180"
    And 60 days pass
    When the application sends a message to bob@contoso.test with the subject "Jour 240"
    Then the application succeeded
    And the world delivered "Jour 240" to bob@contoso.test
    And the world saw 4 refresh_token requests
    And the last refresh_token request carried refresh_generation=4

  @refresh @smtp
  Scenario: Exchange refuses an expired token at once with 535 5.7.3; the application refreshes and sends again (EX-13, F-16)
    Given the application signs alice@contoso.test in
    And the application's clock stays where it is
    And 2 hours pass
    When the application sends a message to bob@contoso.test with the subject "Après le refus"
    Then the application succeeded
    And the world saw a refused smtp authentication
    And the world saw 1 refresh_token request
    And the world delivered "Après le refus" to bob@contoso.test

  @revoke @refresh
  Scenario: alice removes the application's access: it tells her to sign in again and does not loop (M-06, F-12)
    Given the application signs alice@contoso.test in
    And alice@contoso.test removes the application's access in their account
    And 2 hours pass
    When the application tries to send a message to bob@contoso.test with the subject "Révoqué"
    Then the application failed saying "sign in again"
    And the world saw at most 2 refresh_token requests

  @authcode
  Scenario: alice declines consent on Microsoft's page: the application reports AADSTS65004 (M-02, M-13, M-06)
    Given the application under test is the "vendor" client
    And the application under test asks for "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
    And the application's authority is "organizations"
    And alice@contoso.test will press "deny" on the consent screen
    When the application tries to sign alice@contoso.test in
    Then the application failed saying "AADSTS65004"
    And the world saw no authorization_code request

  @smtp
  Scenario: SMTP says 454 4.7.0 once at Exchange: the application retries and the message goes (EX-13, RFC 4954 §6)
    Given the application signs alice@contoso.test in
    And the provider's "smtp" server fails with "unavailable" once
    When the application sends a message to bob@contoso.test with the subject "Réessai"
    Then the application succeeded
    And the world delivered "Réessai" to bob@contoso.test

  @imap
  Scenario: IMAP says NO [UNAVAILABLE] once at Exchange: the application retries and reads (EX-09, RFC 5530)
    Given the world delivered a message with subject "Réessai IMAP" to alice@contoso.test
    And the application signs alice@contoso.test in
    And the provider's "imap" server fails with "unavailable" once
    When the application reads the INBOX
    Then the application read "Réessai IMAP"

  @tls
  Scenario: A server certificate from another CA is refused at Microsoft too (seed 001)
    Given the application under test is given a CA the servers do not chain to
    When the application tries to sign alice@contoso.test in
    Then the application failed saying "certificate"
    And the world saw no authorization_code request
