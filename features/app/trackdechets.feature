@app @trackdechets
Feature: Trackdéchets: the application under test signs in through the dialog and calls the API
  Seed 004: a waste-management integration. One grant, the authorization
  code, through Trackdéchets' consent dialog (T-01..T-03); the token
  request authenticated with HTTP Basic (T-04, F-18); a token that never
  expires, kept with its user and never refreshed; the GraphQL API called
  with it (T-05); a revoked token is UNAUTHENTICATED (T-06).

  Background:
    Given the application under test is the "web" client

  @authcode @api
  Scenario: The application signs alice in through the dialog and calls the API with its token (seed 004, T-01, T-05)
    When the application signs alice@trackdechets.test in
    And the application calls the provider's API
    Then the API answered for alice@trackdechets.test
    And the world saw 1 authorization_code request

  @authcode
  Scenario: The token request authenticates with HTTP Basic, as the documentation says (seed 004, T-04, F-18)
    When the application signs alice@trackdechets.test in
    Then every authorization_code request carried client_auth=client_secret_basic

  @authcode
  Scenario: The application signs in even when Trackdéchets accepts only HTTP Basic (T-04, F-18)
    Given Trackdéchets accepts client credentials only in HTTP Basic
    When the application signs alice@trackdechets.test in
    And the application calls the provider's API
    Then the API answered for alice@trackdechets.test

  @authcode
  Scenario: The authorization request carries a state and the registered redirect URI (T-02)
    When the application signs alice@trackdechets.test in
    Then the authorization request carried state=sent
    And the authorization request carried the application's redirect URI
    And the authorization request carried response_type=code

  @api
  Scenario: Ten years later the same token still works: no refresh, no new authorization (seed 004, T-04)
    Given the application signs alice@trackdechets.test in
    And 10 years pass
    When the application calls the provider's API
    Then the API answered for alice@trackdechets.test
    And the world saw no refresh_token request
    And the world saw 1 authorization_code request

  @api
  Scenario: The token is kept with its user: calls a year apart need no second sign-in (seed 004, T-04)
    Given the application signs alice@trackdechets.test in
    And the application calls the provider's API
    And 1 year passes
    When the application calls the provider's API
    Then the API answered for alice@trackdechets.test
    And the world saw 1 authorize request

  @revoke @api
  Scenario: alice revokes the application on her account page: the API says UNAUTHENTICATED and the application says to sign in again (T-06, T-05)
    Given the application signs alice@trackdechets.test in
    And alice@trackdechets.test revokes the application on their Trackdéchets account page
    When the application tries to call the provider's API
    Then the application failed saying "sign in again"
    And the world saw no refresh_token request

  @authcode
  Scenario: alice cancels the dialog: the application reports access_denied (seed 004, T-03)
    Given alice@trackdechets.test will press "deny" on the consent screen
    When the application tries to sign alice@trackdechets.test in
    Then the application failed saying "access_denied"
    And the world saw no authorization_code request

  @authcode
  Scenario: A redirect with another state is refused by the application (T-03, RFC 6749 §10.12)
    Given the redirect to the application will carry a forged state
    When the application tries to sign alice@trackdechets.test in
    Then the application failed saying "state"
    And the world saw no authorization_code request

  @authcode
  Scenario: The token endpoint is down once during the code exchange: the application retries (T-04)
    Given the provider's "token" endpoint fails with "unavailable" once
    When the application signs alice@trackdechets.test in
    And the application calls the provider's API
    Then the API answered for alice@trackdechets.test
    And the world saw 2 authorization_code requests

  @api
  Scenario: The API is down once: the application retries the call (T-05)
    Given the application signs alice@trackdechets.test in
    And the provider's "api" endpoint fails with "unavailable" once
    When the application calls the provider's API
    Then the API answered for alice@trackdechets.test

  @revoke @api
  Scenario: alice's account is deleted: the application says to sign in again (T-05)
    Given the application signs alice@trackdechets.test in
    And alice@trackdechets.test's account is deleted
    When the application tries to call the provider's API
    Then the application failed saying "sign in again"

  @tls
  Scenario: A server certificate from another CA is refused at Trackdéchets too (seed 004)
    Given the application under test is given a CA the servers do not chain to
    When the application tries to sign alice@trackdechets.test in
    Then the application failed saying "certificate"
    And the world saw no authorization_code request
