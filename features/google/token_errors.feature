@google @authcode
Feature: Google token endpoint errors
  What Google's token endpoint answers when the exchange goes wrong, with
  Google's statuses and texts, not the RFC's (G-07).

  Background:
    Given the application uses the "web" client

  Scenario: An authorization code works only once (G-07)
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    And the application exchanges the same code again
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"

  Scenario: An authorization code expires (G-07, RFC 6749 §4.1.2)
    When alice@gmail.test lets the application have a code for "https://mail.google.com/"
    And 11 minutes pass
    And the application exchanges the code
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"

  Scenario: A code is redeemed only with the redirect URI of the authorization (G-07)
    When alice@gmail.test lets the application have a code for "https://mail.google.com/"
    And the application exchanges the code with the redirect URI "http://localhost:3017/other"
    Then the server answers 400 with error "redirect_uri_mismatch"

  Scenario: A wrong client secret is refused with 401 (G-07)
    Given the application's client secret is "GOCSPX-not-the-secret"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 401 with error "invalid_client" and description "Unauthorized"

  Scenario: An unknown client is refused with 401 at the token endpoint (G-07)
    When alice@gmail.test lets the application have a code for "https://mail.google.com/"
    And the application exchanges the code as the client "999999999999-nobody.apps.googleusercontent.com"
    Then the server answers 401 with error "invalid_client" and description "The OAuth client was not found."

  Scenario: A request without grant_type gets an RFC 6749 error (X-04)
    When the application posts "code=4/abc" to the token endpoint
    Then the server answers 400 with error "invalid_request"
