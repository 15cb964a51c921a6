@google
Feature: Google authorization code flow
  An application sends the user to Google, the user signs in and consents,
  Google redirects back to the application's loopback listener and the
  application exchanges the code for tokens (G-01 to G-05, G-10, X-04).

  Background:
    Given the application uses the "web" client

  @authcode
  Scenario: A first offline authorization returns Google-shaped tokens (G-03, G-04, G-05, X-04)
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "access_type=offline"
    Then the server answers 200
    And the authorization code starts with "4/"
    And the token response has a refresh token
    And the access token starts with "ya29."
    And the refresh token starts with "1//"
    And the token response field "expires_in" is 3599
    And the token response field "token_type" is "Bearer"
    And the token response field "scope" is "https://mail.google.com/"
    And the response header "Cache-Control" is "no-cache, no-store, max-age=0, must-revalidate"
    And the response header "Pragma" is "no-cache"

  @authcode
  Scenario: The state parameter comes back verbatim (G-02)
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the application's redirect carries the state it sent
    And the server answers 200

  @authcode
  Scenario: The user refuses consent and the application gets access_denied (G-04)
    Given alice@gmail.test will press "deny" on the consent screen
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the application's redirect carries error "access_denied"
    And the application received no code

  @authcode
  Scenario: A redirect URI the web client did not register stays on Google's error page (G-04)
    Given the application sends the redirect URI "http://localhost:3999/elsewhere"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Error 400: redirect_uri_mismatch" with status 400
    And the page says "redirect_uri=http://localhost:3999/elsewhere flowName=GeneralOAuthFlow"
    And no redirect reached the application

  @authcode
  Scenario: A web client may not move its loopback redirect to another port (G-04, G-10)
    Given the application listens for the redirect on an unregistered loopback port
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Error 400: redirect_uri_mismatch" with status 400
    And no redirect reached the application

  @authcode
  Scenario Outline: A desktop client may use any port on <host> (G-10, X-05)
    Given the application uses the "desktop" client
    And the application listens for the redirect on "<host>" on a free port
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200

    Examples:
      | host      |
      | 127.0.0.1 |
      | localhost |

  @authcode
  Scenario: An unknown client stays on Google's error page (G-04, G-14)
    Given the application sends the client id "999999999999-nobody.apps.googleusercontent.com"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Error 401: invalid_client" with status 401
    And the page says "The OAuth client was not found."
    And no redirect reached the application

  @authcode
  Scenario: A scope Google does not know stays on Google's error page, which names it (G-04)
    When alice@gmail.test authorizes the application for "https://mail.example.com/everything"
    Then the browser shows the page "Error 400: invalid_scope" with status 400
    And the page says "Some requested scopes were invalid. {invalid=[https://mail.example.com/everything]}"
    And no redirect reached the application

  @authcode
  Scenario: A wrong password keeps the user on the sign-in page
    Given alice@gmail.test types the password "not-her-password"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the page says "Wrong email or password."
    And no redirect reached the application

  @authcode
  Scenario Outline: PKCE with <method> is checked at the exchange (G-02, RFC 7636)
    Given the application uses PKCE with method "<method>"
    And the application will send <verifier> code verifier
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers <status>

    Examples:
      | method | verifier  | status                                                         |
      | S256   | its       | 200                                                            |
      | plain  | its       | 200                                                            |
      | S256   | another   | 400 with error "invalid_grant" and description "Bad Request" |
      | S256   | no        | 400 with error "invalid_grant" and description "Bad Request" |
