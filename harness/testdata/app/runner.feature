@app @trackdechets
Feature: The runner against applications that break the contract
  Two scenarios in a row, each in its own world and state directory.

  @authcode
  Scenario: The first sign-in
    Given the application under test is the "web" client
    When the application signs alice@trackdechets.test in
    Then the application succeeded

  @authcode
  Scenario: The second sign-in
    Given the application under test is the "web" client
    When the application signs alice@trackdechets.test in
    Then the application succeeded
