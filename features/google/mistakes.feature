@google
Feature: What customers get wrong at Google, as they see it (section 7)
  One scenario per misconfiguration of PROVIDERS.md section 7 that is
  Google's, with what the user sees. Others are in the features of their
  area: F-14 (refresh_expiry), F-15 (refresh_token_policy, authorize),
  F-32 and F-35 (wire), F-33 and F-34 (blocked), F-40 (device).

  Background:
    Given the application uses the "web" client

  @smtp
  Scenario: A gmail.send token at Gmail's SMTP server: the JSON challenge, then 535 5.7.8 (F-13, GM-01, GM-03)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server's error challenge is '{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'
    And the SMTP server refuses the authentication with 535

  @imap
  Scenario: A gmail.readonly token at Gmail's IMAP server: NO [AUTHENTICATIONFAILED] (F-13, GM-03)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.readonly"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server replies "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"

  @refresh
  Scenario: An app in Testing: the refresh token dies after 7 days, "Token has been expired or revoked." (F-14, G-08)
    Given the Google "web" client's consent screen is in Testing
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 170 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

  @authcode
  Scenario: No access_type=offline: the token response has no refresh token (F-15, G-03)
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200
    And the token response has no refresh token

  @smtp
  Scenario: An access token used after its hour: 535 5.7.8 (F-16, G-05, GM-04)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When 61 minutes pass
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server refuses the authentication with 535

  @refresh
  Scenario: A refresh token minted with the OAuth 2.0 Playground's own client works for a day (F-36, G-17)
    Given the Google "web" client is the OAuth 2.0 Playground's own
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 23 hours pass
    And the application refreshes the token
    Then the server answers 200
    When 2 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

  @refresh
  Scenario: The same with the application's own client: the refresh token lives on (F-36, G-08)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 25 hours pass
    And the application refreshes the token
    Then the server answers 200

  @authcode
  Scenario: A client id pasted incomplete: "Client missing a project id." Error 401: invalid_client (F-37, G-14)
    Given the application sends the client id "406112386143-web0mailoauth"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Access blocked: Authorization Error" with status 401
    And the page says "Client missing a project id."
    And the page says "Error 401: invalid_client"
    And no redirect reached the application

  @device
  Scenario: The device flow asked for https://mail.google.com/: invalid_scope at /device/code (F-40, G-12)
    Given the device uses the "tv" client
    When the device asks for a code for "https://mail.google.com/"
    Then the server answers 400 with error "invalid_scope" and description "Invalid device flow scope: https://mail.google.com/"
