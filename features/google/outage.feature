@google
Feature: Outages on demand
  Faults armed in the world (the admin API's /api/faults) make an endpoint
  or a mail server fail for the next requests, so an application's retry
  logic can be tested: the token endpoint's 503 temporarily_unavailable,
  SMTP's 454 4.7.0 (RFC 4954 §6), IMAP's NO [UNAVAILABLE] (RFC 5530).

  Background:
    Given the application uses the "web" client
    And alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"

  @refresh
  Scenario: The token endpoint is down once: the refresh gets 503, the retry a token
    Given the provider's "token" endpoint fails with "unavailable" once
    When the application refreshes the token
    Then the server answers 503 with error "temporarily_unavailable"
    When the application refreshes the token
    Then the server answers 200

  @refresh
  Scenario: A fault armed until cleared keeps failing; once cleared, the refresh works
    Given the provider's "token" endpoint fails with "server_error" until cleared
    When the application refreshes the token
    Then the server answers 500 with error "server_error"
    When the application refreshes the token
    Then the server answers 500 with error "server_error"
    When the faults are cleared
    And the application refreshes the token
    Then the server answers 200

  @refresh
  Scenario: An invalid_grant on demand is in Google's words (G-07)
    Given the provider's "token" endpoint fails with "invalid_grant" once
    When the application refreshes the token
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"

  # An outage keeps its status on Google's error page [INF]: the page is
  # never redirected (G-04), and is no 400.
  @authcode
  Scenario Outline: The authorization endpoint fails with <fault>: Google's page "Error <status>: <fault>"
    Given the provider's "authorize" endpoint fails with "<kind>" once
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Error <status>: <fault>" with status <status>
    And no redirect reached the application

    Examples:
      | kind         | status | fault                   |
      | unavailable  | 503    | temporarily_unavailable |
      | server_error | 500    | server_error            |

  @smtp
  Scenario: SMTP is temporarily unavailable: 454 4.7.0, then the retry is accepted
    Given the provider's "smtp" server fails with "unavailable" once
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server refuses the authentication with 454
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@gmail.test with XOAUTH2
    Then the SMTP server accepts the authentication

  @imap
  Scenario: IMAP is temporarily unavailable: NO [UNAVAILABLE]
    Given the provider's "imap" server fails with "unavailable" once
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server replies "NO [UNAVAILABLE] Temporary authentication failure"
