# Scenarios that must fail: each asserts a reply that never came, after a
# step that got none. TestBrokenScenariosFail runs them one by one.
@google
Feature: Deliberately broken scenarios

  @broken-1
  Scenario: An authorization that ends on an error page leaves no reply to call 200
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the application sends the redirect URI "http://localhost:1/elsewhere"
    And alice@gmail.test authorizes the application for "https://mail.google.com/" with "access_type=offline"
    Then the server answers 200

  @broken-2
  Scenario: An authorization that ends on an error page leaves no token response to look into
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application sends the redirect URI "http://localhost:1/elsewhere"
    And alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the token response has no refresh token

  @broken-3
  Scenario: A denied authorization leaves no reply to call 200
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/"
    And alice@gmail.test will press "deny" on the consent screen
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "prompt=consent"
    Then the server answers 200

  @broken-4
  Scenario: A failing comparison of a token field quotes no usable token
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    Then the token response field "access_token" is "not-the-token"
