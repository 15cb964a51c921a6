@trackdechets @authcode
Feature: Trackdéchets authorization code
  The one grant Trackdéchets has (seed 004, T-01..T-04): a consent dialog the
  browser sees, a 16-character code that lives ten minutes and works once,
  a token request authenticated with HTTP Basic, and a 40-character token
  that never expires, returned with its user.

  Background:
    Given the application uses the "web" client

  Scenario: The seed's example exchange: HTTP Basic, and a token returned with its user (seed 004, T-04)
    When alice@trackdechets.test authorizes the application
    Then the server answers 200
    And the response header "Content-Type" is "application/json"
    And the response header "Cache-Control" is "no-store"
    And the response header "Pragma" is "no-cache"
    And the access token matches "^[A-Za-z0-9]{40}$"
    And the token response field "token_type" is "Bearer"
    And the token response's user is alice@trackdechets.test named "Alice Martin"
    And the token response has no field "expires_in"
    And the token response has no field "scope"
    And the token response has no refresh token
    And x/oauth2 holds a token that never expires

  Scenario: The dialog through the browser: sign-in, then the consent dialog, then the code with the state (T-01, T-03)
    When alice@trackdechets.test lets the application have a code
    Then the consent screen was shown
    And the authorization code matches "^[A-Za-z0-9]{16}$"
    And the application's redirect carries the state it sent
    And the application's redirect carries only "code state"

  Scenario: A browser with no session is sent to the sign-in page first (T-01)
    When the user's browser opens the authorization URL without signing in
    Then the browser shows the page "Connexion — Trackdéchets" with status 200

  Scenario: A wrong password sends the browser back to the sign-in page (T-01)
    Given alice@trackdechets.test types the password "not-her-password"
    When alice@trackdechets.test authorizes the application
    Then the page says "Email ou mot de passe incorrect"
    And no redirect reached the application

  Scenario: The dialog through its two API calls: GET /oauth2/authorize, then the decision (T-02, T-03)
    Given alice@trackdechets.test signs in to Trackdéchets
    When the browser asks the API to authorize the application
    Then the server answers 200
    And the response field "transactionID" matches "^[A-Za-z0-9]{8}$"
    And the response field "redirectURI" is the application's redirect URI
    When the browser posts the decision "allow"
    Then the authorization code matches "^[A-Za-z0-9]{16}$"
    And the application's redirect carries the state it sent
    When the application exchanges the code
    Then the server answers 200
    And the token response's user is alice@trackdechets.test named "Alice Martin"

  Scenario: The API side of the dialog refuses a browser with no session (T-02)
    When the browser asks the API to authorize the application
    Then the server answers 401 with error "Not Authorized"

  Scenario: The user refuses: access_denied, with the state (T-03)
    Given alice@trackdechets.test will press "deny" on the consent screen
    When alice@trackdechets.test authorizes the application
    Then the application's redirect carries error "access_denied"
    And the application's redirect carries the state it sent
    And the application received no code

  Scenario: The decision "cancel" through the API redirects with access_denied (T-03)
    Given alice@trackdechets.test signs in to Trackdéchets
    When the browser asks the API to authorize the application
    And the browser posts the decision "cancel"
    Then the application's redirect carries error "access_denied"
    And the application received no code

  Scenario Outline: A code lives ten minutes (T-03)
    When alice@trackdechets.test lets the application have a code
    And <minutes> minutes pass
    And the application exchanges the code
    Then the server answers <status>

    Examples:
      | minutes | status |
      | 9       | 200    |
      | 11      | 403 with error "invalid_grant" and description "Grant has expired" |

  Scenario: A code works once; the token it gave keeps working (T-03, T-04)
    When alice@trackdechets.test authorizes the application
    And the application exchanges the same code again
    Then the server answers 403 with error "invalid_grant" and description "Grant has expired"
    When the application queries the API with "{ me { email } }"
    Then the API's "me.email" is "alice@trackdechets.test"

  Scenario: An unknown code (T-04)
    When the application posts "grant_type=authorization_code&code=SplxlOBeZQQYbYS6&redirect_uri=http://localhost:3017/callback" to the token endpoint with its client credentials
    Then the server answers 403 with error "invalid_grant" and description "Invalid authorization code"

  Scenario: A code issued to another application (T-04)
    When alice@trackdechets.test lets the application have a code
    And the application exchanges the code as the "other" client
    Then the server answers 403 with error "invalid_grant" and description "Invalid client id"

  Scenario: When a code fails several checks, oauth2orize's order decides the answer (T-04)
    When alice@trackdechets.test authorizes the application
    And the application exchanges the code as the "other" client
    Then the server answers 403 with error "invalid_grant" and description "Invalid client id"

  Scenario: The redirect URI of the token request must be the authorization's (T-04)
    When alice@trackdechets.test lets the application have a code
    And the application exchanges the code with the redirect URI "http://localhost:3017/other"
    Then the server answers 403 with error "invalid_grant" and description "Invalid redirect uri"

  Scenario: An unregistered redirect URI is refused at the dialog (T-02)
    Given the application sends the redirect URI "https://evil.example/callback"
    When alice@trackdechets.test authorizes the application
    Then the page says "Invalid redirect uri"
    And no redirect reached the application

  Scenario: An unregistered redirect URI is refused by the API with 403 (T-02)
    Given alice@trackdechets.test signs in to Trackdéchets
    And the application sends the redirect URI "https://evil.example/callback"
    When the browser asks the API to authorize the application
    Then the server answers 403 with error "unauthorized_client" and description "Invalid redirect uri"

  Scenario: An unknown client is refused by the API with 403 (T-02)
    Given alice@trackdechets.test signs in to Trackdéchets
    And the application uses an unregistered client
    When the browser asks the API to authorize the application
    Then the server answers 403 with error "unauthorized_client" and description "Invalid client id"

  Scenario: PKCE is ignored: a verifier that does not match still gets the token (T-01)
    Given the application uses PKCE with method "S256"
    And the application will send another code verifier
    When alice@trackdechets.test authorizes the application
    Then the server answers 200
