@trackdechets @authcode
Feature: Trackdéchets client authentication
  The documentation says HTTP Basic; the server also takes client_id and
  client_secret in the body (T-04). A world set to strict refuses the body,
  so a vendor can check that their client follows the documentation
  (F-18). The client is authenticated before anything else is read.

  Background:
    Given the application uses the "web" client

  Scenario: Client credentials in the body are accepted by default, as the real server does (T-04)
    Given the application sends its client credentials in the request body
    When alice@trackdechets.test authorizes the application
    Then the server answers 200
    And the token response's user is alice@trackdechets.test named "Alice Martin"

  Scenario: In the strict world, client credentials in the body get passport's bare 401 (F-18)
    Given Trackdéchets accepts client credentials only in HTTP Basic
    And the application sends its client credentials in the request body
    When alice@trackdechets.test authorizes the application
    Then the server answers 401 with the body "Unauthorized"
    And the response header "WWW-Authenticate" is 'Basic realm="Users"'

  Scenario: In the strict world, HTTP Basic still works (F-18)
    Given Trackdéchets accepts client credentials only in HTTP Basic
    When alice@trackdechets.test authorizes the application
    Then the server answers 200

  Scenario: A wrong client secret gets passport's bare 401 (T-04)
    Given the application's client secret is "not-the-secret-not-the-secret-not-the-se"
    When alice@trackdechets.test authorizes the application
    Then the server answers 401 with the body "Unauthorized"
    And the response header "WWW-Authenticate" is 'Basic realm="Users"'

  Scenario: A token request without client credentials is refused before its grant type is read (T-04)
    When the application posts "grant_type=refresh_token&refresh_token=x" to the token endpoint
    Then the server answers 401 with the body "Unauthorized"

  Scenario: A Basic header that is not id:secret gets 400 (T-04, passport-http)
    When the application posts "grant_type=authorization_code&code=x" to the token endpoint with the header "Authorization: Basic bm8tY29sb24="
    Then the server answers 400 with the body "Bad Request"
