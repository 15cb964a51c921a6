@google @device
Feature: Google device flow
  A device with no keyboard shows a code; the user approves it on another
  screen while the device polls. Google refuses mail scopes in this flow
  and polls with its own statuses (G-11 to G-13, seed 000).

  Background:
    Given the device uses the "tv" client

  Scenario: The device flow refuses the Gmail scope (G-12, seed 000, F-40)
    When the device asks for a code for "https://mail.google.com/"
    Then the server answers 400 with error "invalid_scope" and description "Invalid device flow scope: https://mail.google.com/"

  Scenario: Only "TVs and Limited Input devices" clients may use the device flow (G-11)
    Given the device uses the "desktop" client
    When the device asks for a code for "email"
    Then the server answers 401 with error "invalid_client" and description "Invalid client type."

  Scenario: Google's device response says verification_url, not verification_uri (G-11)
    When the device asks for a code for "email profile"
    Then the server answers 200
    And the device response has the field "verification_url"
    And the device response has no field "verification_uri"
    And the device response field "expires_in" is 1800
    And the device response field "interval" is 5
    And the user code looks like "GQVQ-JKEC"

  Scenario: Polling follows Google's statuses, not RFC 8628's 400 (G-13, X-03)
    When the device asks for a code for "email"
    And the device polls the token endpoint
    Then the server answers 403 with error "slow_down" and description "Forbidden"
    When 10 seconds pass
    And the device polls the token endpoint
    Then the server answers 428 with error "authorization_pending" and description "Precondition Required"
    When alice@gmail.test approves the device on the verification page
    And 10 seconds pass
    And the device polls the token endpoint
    Then the server answers 200
    And the access token starts with "ya29."
    And the token response has a refresh token
    And the access token is accepted by the provider's userinfo endpoint

  Scenario: The user denies the device (G-13)
    When the device asks for a code for "email"
    And alice@gmail.test denies the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 403 with error "access_denied" and description "Forbidden"

  Scenario: A device code expires after 30 minutes (G-11; answer per RFC 8628, G-13 NOT FOUND)
    When the device asks for a code for "email"
    And 31 minutes pass
    And the device polls the token endpoint
    Then the server answers 400 with error "expired_token"

  Scenario: No verification_uri_complete in Google's device response (G-11)
    When the device asks for a code for "email"
    Then the server answers 200
    And the device response has no field "verification_uri_complete"

  Scenario: slow_down adds 5 seconds to the interval, for that poll and every later one (X-03, G-13)
    When the device asks for a code for "email"
    And the device polls the token endpoint
    Then the server answers 403 with error "slow_down" and description "Forbidden"
    When 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 403 with error "slow_down" and description "Forbidden"
    When 15 seconds pass
    And the device polls the token endpoint
    Then the server answers 428 with error "authorization_pending" and description "Precondition Required"

  Scenario: A device code that already gave its tokens is refused (G-13)
    When the device asks for a code for "email"
    And alice@gmail.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 200
    When 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"
