@google @authcode
Feature: The details of Google's authorization request and token endpoint
  The parameters a client sends and the answers it must handle: state on
  every redirect, prompt=none, login_hint, loopback redirects of desktop
  apps, the out-of-band redirect Google blocked, the discovery document,
  and the headers of token errors (G-01, G-02, G-07, G-10, X-04, X-05).

  Background:
    Given the application uses the "web" client

  Scenario: A denied consent goes back with error=access_denied and the state (G-02)
    Given alice@gmail.test will press "deny" on the consent screen
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the application's redirect carries error "access_denied"
    And the application's redirect carries the state it sent
    And the application received no code

  Scenario: prompt=none for a user who already consented: a code, no screen (G-02)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "prompt=none"
    Then the consent screen was skipped
    And the server answers 200

  # G-16: consent_required from Google is NOT FOUND; the fake answers
  # interaction_required when consent is missing [INF].
  Scenario: prompt=none for a user who never consented: interaction_required, no screen (G-16)
    Given alice@gmail.test has authorized the application for "openid email"
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "prompt=none"
    Then the application's redirect carries error "interaction_required"
    And the application's redirect carries the state it sent
    And the application received no code

  Scenario: prompt=none with nobody signed in: login_required (G-02, G-16)
    When the user's browser opens the authorization URL for "https://mail.google.com/" with "prompt=none" without signing in
    Then the application's redirect carries error "login_required"
    And the application's redirect carries the state it sent

  Scenario: login_hint fills in the sign-in form (G-02)
    When the user's browser opens the authorization URL for "https://mail.google.com/" with "login_hint=bob@gmail.test" without signing in
    Then the browser shows the page "Sign in" with status 200
    And the sign-in form is filled in with bob@gmail.test

  Scenario: A desktop app may listen on [::1], on any port (G-10, X-05)
    Given the application uses the "desktop" client
    And the application listens for the redirect on "::1" on a free port
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "access_type=offline"
    Then the server answers 200
    And the token response has a refresh token

  Scenario: The out-of-band redirect URI is refused: Error 400: invalid_request (G-10, F-15)
    Given the application uses the "desktop" client
    And the application sends the redirect URI "urn:ietf:wg:oauth:2.0:oob"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Error 400: invalid_request" with status 400
    And the page says "The out-of-band (OOB) flow has been blocked in order to keep users secure."
    And no redirect reached the application

  Scenario Outline: The out-of-band redirect URI is refused even when the client registered it: Error 400: invalid_request (G-10, F-15)
    Given the application uses the "<client>" client
    And the Google "<client>" client has the redirect URI "<uri>"
    And the application sends the redirect URI "<uri>"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Error 400: invalid_request" with status 400
    And the page says "The out-of-band (OOB) flow has been blocked in order to keep users secure."
    And the page says "Request details: redirect_uri=<uri> flowName=GeneralOAuthFlow"
    And no redirect reached the application

    Examples:
      | client  | uri                            |
      | desktop | urn:ietf:wg:oauth:2.0:oob      |
      | web     | urn:ietf:wg:oauth:2.0:oob      |
      | desktop | urn:ietf:wg:oauth:2.0:oob:auto |

  Scenario: The discovery document names Google's endpoints (G-01, G-09)
    When the application fetches "/.well-known/openid-configuration"
    Then the server answers 200
    And the response field "authorization_endpoint" ends with "/o/oauth2/v2/auth"
    And the response field "token_endpoint" ends with "/token"
    And the response field "device_authorization_endpoint" ends with "/device/code"
    And the response field "revocation_endpoint" ends with "/revoke"
    And the response field "userinfo_endpoint" ends with "/v1/userinfo"

  Scenario: A token error carries Google's headers (G-07)
    Given alice@gmail.test lets the application have a code for "https://mail.google.com/"
    When the application exchanges the code
    And the application exchanges the same code again
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"
    And the response header "Content-Type" is "application/json; charset=utf-8"
    And the response header "Cache-Control" is "no-cache, no-store, max-age=0, must-revalidate"
    And the response header "Pragma" is "no-cache"

  Scenario: A wrong secret in the Authorization header: 401 with WWW-Authenticate (X-04, G-07)
    Given the application authenticates to the token endpoint with HTTP Basic
    And the application's client secret is "GOCSPX-not-the-secret"
    And alice@gmail.test lets the application have a code for "https://mail.google.com/"
    When the application exchanges the code
    Then the server answers 401 with error "invalid_client" and description "Unauthorized"
    And the response header "WWW-Authenticate" contains "Basic"

  Scenario: include_granted_scopes=true: the new grant also covers what was granted before (G-02)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When alice@gmail.test authorizes the application for "openid email" with "include_granted_scopes=true"
    Then the server answers 200
    And the token response's scope includes "https://mail.google.com/"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server accepts the authentication

  Scenario: Without include_granted_scopes the new grant covers only what it asks for (G-02)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When alice@gmail.test authorizes the application for "openid email"
    Then the server answers 200
    And the token response's scope does not include "https://mail.google.com/"

  # G-04 shows code and state; real redirects also carry the granted scope,
  # and so does the mock's (never an empty parameter).
  Scenario: A granted authorization goes back with the code, the state and the granted scope, within Google's sizes (G-04, G-05)
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "access_type=offline"
    Then the application's redirect carries only "code state scope"
    And the authorization code is at most 256 bytes
    And the access token is at most 2048 bytes
    And the refresh token is at most 512 bytes

  Scenario: A secret with characters form encoding changes, sent with HTTP Basic (RFC 6749 2.3.1, X-04)
    Given the "web" client's secret is changed to "GOCSPX-a+b/c=d%e" in the console
    And the application authenticates to the token endpoint with HTTP Basic
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200

  # G-04 lists the page, not this line: observed in markbates/goth#445,
  # atinux/nuxt-auth-utils#64, odeke-em/drive#952.
  Scenario: The invalid_scope page tells the valid scopes from the invalid ones (G-04)
    When alice@gmail.test authorizes the application for "https://mail.google.com/ user.birthday.read"
    Then the browser shows the page "Error 400: invalid_scope" with status 400
    And the page says "Some requested scopes were invalid. {valid=[https://mail.google.com/], invalid=[user.birthday.read]}"
