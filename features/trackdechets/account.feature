@trackdechets @api
Feature: Trackdéchets account deleted
  A token opens the API for its user; once the account is gone, the API
  treats the request as anonymous (T-05).

  Scenario: The user's account is deleted: the token is anonymous (T-05)
    Given the application uses the "web" client
    When alice@trackdechets.test authorizes the application
    And alice@trackdechets.test's account is deleted
    And the application queries the API with "{ me { email } }"
    Then the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"
