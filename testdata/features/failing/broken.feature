# Scenarios that must fail: they check that a failure is reported with its
# scenario, its failing step and the server's last reply.
@google
Feature: Deliberately failing scenarios

  @authcode
  Scenario: Expecting a refresh token without access_type=offline
    Given the application uses the "web" client
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the token response has a refresh token

  @authcode
  Scenario: A passing one beside them
    Given the application uses the "web" client
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200

  @device
  Scenario: A step nobody defined
    Given the device uses the "tv" client
    When the device sings
