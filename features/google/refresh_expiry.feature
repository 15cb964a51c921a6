@google @refresh
Feature: When a Google refresh token stops working
  A refresh token has no fixed lifetime, except that an app whose consent
  screen is still in "Testing" gets refresh tokens that expire after 7
  days (unless it asks only for name, email and profile), and that a user
  can hold 100 live refresh tokens per client: the 101st silently revokes
  the oldest (G-08).

  Background:
    Given the application uses the "web" client

  Scenario: An app in Testing loses its Gmail refresh token after 7 days (G-08, F-14)
    Given the Google "web" client's consent screen is in Testing
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 6 days pass
    And the application refreshes the token
    Then the server answers 200
    When 25 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

  Scenario: An app in Testing that asks only for basic scopes keeps its refresh token (G-08)
    Given the Google "web" client's consent screen is in Testing
    And alice@gmail.test has authorized the application for "openid email profile" with "access_type=offline"
    When 30 days pass
    And the application refreshes the token
    Then the server answers 200

  Scenario: An app in production keeps a refresh token it uses (G-08)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 150 days pass
    And the application refreshes the token
    Then the server answers 200
    When 150 days pass
    And the application refreshes the token
    Then the server answers 200

  Scenario: Six months without use end a refresh token (G-08)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 190 days pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

  Scenario: A password change ends the refresh tokens that carry Gmail scopes (G-08)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When alice@gmail.test changes their password
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

  Scenario: A password change leaves a refresh token without Gmail scopes alone (G-08)
    Given alice@gmail.test has authorized the application for "openid email" with "access_type=offline"
    When alice@gmail.test changes their password
    And the application refreshes the token
    Then the server answers 200

  Scenario: The 101st refresh token revokes the oldest (G-08)
    When alice@gmail.test authorizes the application 101 times for "https://mail.google.com/" with "access_type=offline&prompt=consent"
    And the application refreshes its first refresh token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."
    When the application refreshes its second refresh token
    Then the server answers 200

  Scenario Outline: A revoked refresh token says "expired or revoked" every time it is presented for hours (G-07, revoking the <which> token)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the application revokes the <which> token
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."
    When 2 minutes pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."
    When 6 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."

    Examples:
      | which   |
      | refresh |
      | access  |

  Scenario: Long after revocation, Google no longer says "expired or revoked" (G-07)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the application revokes the refresh token
    And 11 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Token has been expired or revoked."
    When 2 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"
