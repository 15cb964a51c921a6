@google @authcode
Feature: Google OpenID Connect ID tokens
  With the openid scope, the token response carries an ID token signed with
  a key of the discovery document's jwks_uri, that an application checks
  with a standard OpenID Connect library (G-05).

  Background:
    Given the application uses the "web" client

  Scenario: openid email profile gives a verifiable ID token naming the user (G-05)
    When alice@gmail.test authorizes the application for "openid email profile https://mail.google.com/"
    Then the server answers 200
    And the token response has an ID token
    And the ID token verifies with go-oidc and its "email" is "alice@gmail.test"
    And the ID token verifies with go-oidc and its "name" is "Alice Martin"
    And the ID token verifies with go-oidc and its "sub" is "131297823866227759427"

  Scenario: Without openid there is no ID token (G-05)
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200
    And the token response has no ID token
