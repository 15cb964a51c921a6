@trackdechets @authcode
Feature: Trackdéchets' token endpoint writes as oauth2orize 1.12.0 does
  The bytes an application's parser meets (T-04, T-07): the success body is
  one compact line, access_token, then the user {name, email}, then
  token_type, with Cache-Control no-store and Pragma no-cache; every error
  is one compact line, error then error_description, with Content-Type
  application/json and no other header of oauth2orize's (no Cache-Control,
  no Pragma).

  Background:
    Given the application uses the "web" client

  Scenario: The token response: one line, keys in T-04's order (T-04, T-07)
    When alice@trackdechets.test authorizes the application
    Then the server answers 200
    And the response body, byte for byte, matches '^\{"access_token":"[A-Za-z0-9]{40}","user":\{"name":"Alice Martin","email":"alice@trackdechets\.test"\},"token_type":"Bearer"\}$'
    And the response header "Content-Type" is "application/json"
    And the response header "Cache-Control" is "no-store"
    And the response header "Pragma" is "no-cache"

  Scenario Outline: A token error: one compact line, Content-Type alone (T-04, T-07)
    When the application posts "<body>" to the token endpoint with its client credentials
    Then the server answers <status> with error "<error>" and description "<description>"
    And the response body, byte for byte, matches '^\{"error":"<error>","error_description":"<description>"\}$'
    And the response header "Content-Type" is "application/json"
    And the response header "Cache-Control" is ""
    And the response header "Pragma" is ""

    Examples:
      | body                                                                                        | status | error                  | description                                  |
      | grant_type=authorization_code&code=SplxlOBeZQQYbYS6&redirect_uri=http://localhost:3017/callback | 403    | invalid_grant          | Invalid authorization code                   |
      | grant_type=authorization_code&redirect_uri=http://localhost:3017/callback                    | 400    | invalid_request        | Missing required parameter: code             |
      | grant_type=password&username=alice&password=x                                               | 501    | unsupported_grant_type | Unsupported grant type: password             |

  Scenario: An expired code's error is written the same way (T-03, T-07)
    When alice@trackdechets.test lets the application have a code
    And 11 minutes pass
    And the application exchanges the code
    Then the server answers 403 with error "invalid_grant" and description "Grant has expired"
    And the response body, byte for byte, matches '^\{"error":"invalid_grant","error_description":"Grant has expired"\}$'
    And the response header "Cache-Control" is ""

  Scenario: The dialog's API names the user and the application (T-02)
    Given alice@trackdechets.test signs in to Trackdéchets
    When the browser asks the API to authorize the application
    Then the server answers 200
    And the dialog's JSON names the user "Alice Martin" and the application "web"
    And the response body, byte for byte, matches '^\{"transactionID":"[A-Za-z0-9]{8}","user":\{"name":"Alice Martin"\},"client":\{"name":"web"\},"redirectURI":"http://localhost:[0-9]+/[^"]*"\}$'

  # An outage armed through the world at the dialog's API: the answer goes
  # through oauth2orize's error handler, 503 for temporarily_unavailable
  # (T-07's status table).
  Scenario: The dialog's API during an outage: 503 temporarily_unavailable, one compact line (T-07)
    Given alice@trackdechets.test signs in to Trackdéchets
    And the provider's "authorize" endpoint fails with "unavailable" once
    When the browser asks the API to authorize the application
    Then the server answers 503 with error "temporarily_unavailable"
    And the response header "Content-Type" is "application/json"
    And the response body, byte for byte, matches '^\{"error":"temporarily_unavailable","error_description":"[^"]+"\}$'
