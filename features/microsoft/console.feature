@microsoft
Feature: The world changes while the application runs
  What an administrator changes in the Entra admin center reaches an
  application that already holds tokens (the admin API's world actions).

  Background:
    Given the application uses the "web" client
    And alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"

  @refresh
  Scenario: The client secret expires while the application runs: the next refresh gets AADSTS7000222 (F-09)
    When the application's client secret expires
    And the application refreshes the token
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS7000222: The provided client secret keys for app '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c' are expired."

  @refresh
  Scenario: The app registration is deleted: its refresh token no longer works (M-10)
    When the application's registration is deleted
    And the application refreshes the token
    Then the server answers 400 with error "unauthorized_client"
    And the error description starts with "AADSTS700016: Application with identifier '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c' was not found in the directory"

  @imap
  Scenario: The app registration is deleted: the access token it held no longer opens the mailbox
    When the application's registration is deleted
    And the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."
    And the world recorded a refused imap authentication of alice@contoso.test because "revoked"
