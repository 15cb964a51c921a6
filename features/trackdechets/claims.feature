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
