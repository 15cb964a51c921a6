@google
Feature: Google refresh and revocation
  A refresh token keeps an application working once its hour-long access
  token expires, until it is revoked (G-06, G-07, G-09).

  Background:
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"

  @refresh
  Scenario: x/oauth2 refreshes an expired token; Google sends no new refresh token (G-05, G-06)
    When 61 minutes pass
    Then the access token is refused by the provider's userinfo endpoint
    When the application asks x/oauth2 for a valid token
    Then the server answers 200
    And the token response has no refresh token
    And the token response field "expires_in" is 3599
    And x/oauth2 kept the refresh token
    And the access token is accepted by the provider's userinfo endpoint

  @refresh
  Scenario: A refresh token keeps working after a refresh (G-06)
    When the application refreshes the token
    And the application refreshes the token
    Then the server answers 200

  @refresh
  Scenario: A refresh token presented by another client is refused (G-07)
    When the "other-web" client presents the refresh token
    Then the server answers 401 with error "unauthorized_client" and description "Unauthorized"

  @refresh
  Scenario: A refresh token Google never issued is refused (G-07)
    When the application refreshes the token "1//0gLmNotARealToken"
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"

  @revoke
  Scenario: Revoking the access token revokes the refresh token too (G-09)
    When the application revokes the access token
    Then the server answers 200
    And the access token is refused by the provider's userinfo endpoint
    When the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

  @revoke
  Scenario: Revoking the refresh token ends the access token (G-09)
    When the application revokes the refresh token
    Then the server answers 200
    And the access token is refused by the provider's userinfo endpoint

  @revoke
  Scenario: Revoking a token twice is an error (G-09)
    When the application revokes the access token
    And the application revokes the access token
    Then the server answers 400 with error "invalid_token"

  @revoke
  Scenario: Revoking one token ends every grant of the user to the application (G-09)
    When alice@gmail.test authorizes the application 2 times for "https://mail.google.com/" with "access_type=offline&prompt=consent"
    And the application revokes the access token
    Then the server answers 200
    When the application refreshes its first refresh token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."
    When the application refreshes its second refresh token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

  @revoke
  Scenario: After a revocation the next offline authorization asks for consent again and earns a refresh token (G-09)
    When the application revokes the refresh token
    And alice@gmail.test authorizes the application for "https://mail.google.com/" with "access_type=offline"
    Then the consent screen was shown
    And the server answers 200
    And the token response has a refresh token

  @refresh
  Scenario: The user's account is deleted: the refresh token is refused (G-07)
    When alice@gmail.test's account is deleted
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."
