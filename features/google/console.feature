@google
Feature: Google's consoles change while the application runs
  What the Google Cloud console (a consent screen's test users, the OAuth
  2.0 Playground's client) and a Workspace's Admin console (API controls)
  change reaches the next authorization and refresh: the admin API's
  /api/providers/google/test-users, blocked-clients and playground do the
  same as these steps.

  Background:
    Given the application uses the "web" client

  @authcode
  Scenario: A user added to the test users of an app in Testing gets past sign-in (G-14, F-33)
    Given the Google "web" client's consent screen is in Testing with the test user "bob@gmail.test"
    When alice@gmail.test is added to the Google "web" client's test users
    And alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200
    And the application's redirect carries the state it sent

  @authcode
  Scenario: A user removed from the test users of an app in Testing: Error 403: access_denied (G-14, F-33)
    Given the Google "web" client's consent screen is in Testing with the test users "bob@gmail.test, alice@gmail.test"
    When alice@gmail.test is removed from the Google "web" client's test users
    And alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Access blocked: web has not completed the Google verification process" with status 403
    And the page says "Error 403: access_denied"
    And no redirect reached the application

  @authcode
  Scenario: The last test user removed, an app in Testing admits no one (G-14) [INF]
    Given the Google "web" client's consent screen is in Testing with the test user "alice@gmail.test"
    When alice@gmail.test is removed from the Google "web" client's test users
    And alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Access blocked: web has not completed the Google verification process" with status 403
    And the page says "Error 403: access_denied"

  @authcode
  Scenario: The Workspace admin trusts the client again: the domain's user gets past sign-in (G-14, F-34)
    Given carol@corp.test has a Google Workspace account
    And the Workspace admin of "corp.test" blocks the "web" client
    When the Workspace admin of "corp.test" trusts the "web" client again
    And carol@corp.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200
    And the application's redirect carries the state it sent

  @refresh
  Scenario: Blocked, then trusted again: the refresh token issued before the block works again (G-07, G-14, F-34)
    Given carol@corp.test has a Google Workspace account
    And carol@corp.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the Workspace admin of "corp.test" blocks the "web" client
    And the application refreshes the token
    Then the server answers 400 with error "admin_policy_enforced"
    When the Workspace admin of "corp.test" trusts the "web" client again
    And the application refreshes the token
    Then the server answers 200

  @refresh
  Scenario: A client that is no longer the Playground's mints refresh tokens that outlive a day (G-17, F-36)
    Given the Google "web" client is the OAuth 2.0 Playground's own
    And the Google "web" client is no longer the OAuth 2.0 Playground's own
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 25 hours pass
    And the application refreshes the token
    Then the server answers 200
