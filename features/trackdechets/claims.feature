@trackdechets @claims
Feature: Trackdéchets' claims of PROVIDERS.md asserted on the wire
  The claims of T-01 to T-07 and F-18 that the other features left
  unasserted (issue 25, docs/claims/mail-trackdechets.md): what
  oauth2orize's authorization middleware checks before the client, and
  that the session check comes first; the token endpoint's grant_type
  absent; the revocation mutation's error for an application without
  access, and the list of authorized applications.

  Background:
    Given the application uses the "web" client

  @authcode
  Scenario Outline: The dialog's API checks the query as oauth2orize does: <case> (T-02, T-07)
    Given alice@trackdechets.test signs in to Trackdéchets
    When the browser asks the API to authorize the application <change>
    Then the server answers <status> with error "<error>" and description "<description>"
    And the response body, byte for byte, matches '^\{"error":"<error>","error_description":"<description>"\}$'
    And the response header "Content-Type" is "application/json"
    And the response header "Cache-Control" is ""
    And the response header "Pragma" is ""

    Examples:
      | case                 | change                          | status | error                     | description                               |
      | no response_type     | without "response_type"         | 400    | invalid_request           | Missing required parameter: response_type |
      | no client_id         | without "client_id"             | 400    | invalid_request           | Missing required parameter: client_id     |
      | response_type=token  | with "response_type=token"      | 501    | unsupported_response_type | Unsupported response type: token          |

  @authcode
  Scenario Outline: Without a session every dialog request is 401 Not Authorized first: <case> (T-02)
    When the browser asks the API to authorize the application <change>
    Then the server answers 401 with error "Not Authorized"
    And the response body, byte for byte, matches '^\{"error":"Not Authorized"\}$'

    Examples:
      | case                 | change                          |
      | no response_type     | without "response_type"         |
      | response_type=token  | with "response_type=token"      |
      | an unknown client    | with "client_id=nobody"         |

  @authcode
  Scenario: A token request without grant_type: "Unsupported grant type: undefined" (T-04, T-07)
    When the application posts "code=SplxlOBeZQQYbYS6&redirect_uri=http://localhost:3017/callback" to the token endpoint with its client credentials
    Then the server answers 501 with error "unsupported_grant_type" and description "Unsupported grant type: undefined"
    And the response body, byte for byte, matches '^\{"error":"unsupported_grant_type","error_description":"Unsupported grant type: undefined"\}$'

  @revoke
  Scenario: Revoking an application (the "other" one) that has no token of the user: "n'a pas accès à votre compte" (T-06)
    When alice@trackdechets.test's account page sends the GraphQL query 'mutation { revokeAuthorizedApplication(id: "cl0a1b2c3d4e5f6g7h8i9j0kl") { id } }'
    Then the API refuses with "L'application cl0a1b2c3d4e5f6g7h8i9j0kl n'a pas accès à votre compte" and code "BAD_USER_INPUT"

  @revoke
  Scenario: authorizedApplications lists the application while its token is not revoked (T-06)
    When alice@trackdechets.test authorizes the application
    And alice@trackdechets.test's account page sends the GraphQL query '{ authorizedApplications { name } }'
    Then the response body, byte for byte, matches '^\{"data":\{"authorizedApplications":\[\{"name":"web"\}\]\}\}\n?$'
    When alice@trackdechets.test removes the application's access in their account
    And alice@trackdechets.test's account page sends the GraphQL query '{ authorizedApplications { name } }'
    Then the response body, byte for byte, matches '^\{"data":\{"authorizedApplications":\[\]\}\}\n?$'

  @revoke @api
  Scenario: revokeAllAccessTokens revokes every personal token of the user (T-06)
    When alice@trackdechets.test generates a personal access token "ERP" in their account
    Then the application's token matches "^[A-Za-z0-9]{40}$"
    When alice@trackdechets.test's account page sends the GraphQL query 'mutation { revokeAllAccessTokens { id } }'
    And the application queries the API with "{ me { email } }"
    Then the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"

  @api
  Scenario: A personal token's lastUsed is the day it was used, not the instant (T-05)
    When alice@trackdechets.test generates a personal access token "ERP" in their account
    And the application queries the API with "{ me { email } }"
    And alice@trackdechets.test's account page sends the GraphQL query '{ accessTokens { description lastUsed } }'
    Then the response body, byte for byte, matches '^\{"data":\{"accessTokens":\[\{"description":"ERP","lastUsed":"\d{4}-\d\d-\d\dT00:00:00\.000Z"\}\]\}\}\n?$'

  @api
  Scenario: A personal token lives on: ten years later it still opens the API (T-05)
    When alice@trackdechets.test generates a personal access token "ERP" in their account
    And 10 years pass
    And the application queries the API with "{ me { email } }"
    Then the API's "me.email" is "alice@trackdechets.test"

  @authcode
  Scenario: Trackdéchets has no scopes: a scope parameter changes nothing, and the token response has none (T-01)
    When alice@trackdechets.test authorizes the application for "openid email"
    Then the server answers 200
    And the token response has no field "scope"
    And the token response's user is alice@trackdechets.test named "Alice Martin"

  Scenario: No OIDC discovery document and no revocation endpoint (T-01)
    When the application fetches "/.well-known/openid-configuration"
    Then the server answers 404 with the body "Not found"
    When the application fetches "/oauth2/revoke"
    Then the server answers 404 with the body "Not found"

  @authcode
  Scenario: The decision's own answer: 302 to the redirect URI with the code, or with access_denied (T-03)
    Then alice@trackdechets.test's decision "allow" is answered 302 with a Location on the application's redirect URI carrying "code"
    And alice@trackdechets.test's decision "cancel" is answered 302 with a Location on the application's redirect URI carrying "error"

  Scenario: Every answer carries the server's Permissions-Policy: a token, a token error, the API (T-07)
    When alice@trackdechets.test authorizes the application
    Then the response header "Permissions-Policy" is "accelerometer=(), geolocation=(), fullscreen=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), display-capture=()"
    When the application posts "grant_type=authorization_code&redirect_uri=http://localhost:3017/callback" to the token endpoint with its client credentials
    Then the response header "Permissions-Policy" is "accelerometer=(), geolocation=(), fullscreen=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), display-capture=()"
    When the application queries the API with "{ me { email } }"
    Then the response header "Permissions-Policy" is "accelerometer=(), geolocation=(), fullscreen=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), display-capture=()"
