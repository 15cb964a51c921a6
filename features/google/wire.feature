@google @authcode
Feature: What Google's token endpoint writes, byte for byte, and the requests it refuses
  Google's token JSON is pretty-printed, two-space indent and ": "
  separators, errors and successes alike (G-07, G-15); a code pasted still
  URL-encoded is "Malformed auth code." (G-07, F-32); a request without
  client_id is "Could not determine client ID from request." (G-07, F-35);
  PKCE parameters RFC 7636 does not allow and a loopback port no listener
  can have are refused on Google's page before any sign-in.

  Background:
    Given the application uses the "web" client

  Scenario: A token response is indented, two spaces and ": " (G-15, G-05)
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "access_type=offline"
    Then the server answers 200
    And the response body, byte for byte, matches '^\{\n  "access_token": "ya29\.[^"]+",\n  "expires_in": 3599,\n  "refresh_token": "1//[^"]+",\n  "scope": "https://mail\.google\.com/",\n  "token_type": "Bearer"\n\}\n?$'

  Scenario: A code pasted still URL-encoded: Malformed auth code. (G-07, G-15, F-32)
    When alice@gmail.test lets the application have a code for "https://mail.google.com/"
    And the application exchanges the code still URL-encoded
    Then the server answers 400 with error "invalid_grant" and description "Malformed auth code."
    And the response body, byte for byte, matches '^\{\n  "error": "invalid_grant",\n  "error_description": "Malformed auth code\."\n\}\n?$'
    When the application exchanges the code
    Then the server answers 200

  Scenario: An unknown code that is not URL-encoded is still "Bad Request" (G-07)
    When the application posts "grant_type=authorization_code&code=4/0AVMBsJi-unknown&redirect_uri=http://localhost:3017/" to the token endpoint with its client credentials
    Then the server answers 400 with error "invalid_grant" and description "Bad Request"

  Scenario: A refresh without client_id: Could not determine client ID from request. (G-07, F-35)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the application sends no client id
    And the application refreshes the token
    Then the server answers 400 with error "invalid_request" and description "Could not determine client ID from request."

  Scenario: A client id without its secret stays invalid_client "Unauthorized" (G-07)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the application's client secret is ""
    And the application refreshes the token
    Then the server answers 401 with error "invalid_client" and description "Unauthorized"

  Scenario Outline: A code_challenge RFC 7636 §4.2 does not allow is refused before sign-in: <case> (RFC 7636, G-02)
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "code_challenge=<challenge>&code_challenge_method=S256"
    Then the browser shows the page "Error 400: invalid_request" with status 400
    And the page says "Invalid parameter value for code_challenge"
    And no redirect reached the application

    Examples:
      | case            | challenge                                                                                                                           |
      | 5 characters    | abcde                                                                                                                               |
      | 42 characters   | E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c                                                                                          |
      | 129 characters  | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa |
      | a reserved one  | E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c%2Bq                                                                                      |

  Scenario Outline: A code_challenge of <length> characters passes (RFC 7636 §4.2)
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "code_challenge=<challenge>&code_challenge_method=plain"
    Then the authorization code starts with "4/"

    Examples:
      | length | challenge                                                                                                                          |
      | 43     | E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM                                                                                        |
      | 128    | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa |

  Scenario: code_challenge_method s256 (lower case): Google's own words (G-02, RFC 7636 §4.3)
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=s256"
    Then the browser shows the page "Error 400: invalid_request" with status 400
    And the page says "Invalid parameter value for code_challenge_method: 's256' is not a valid CodeChallengeMethod"

  # RFC 8252 §7.3 allows any port, and a port is at most 65535: a larger
  # number is no loopback URI, so it is matched like any other, and
  # refused [INF: Google's text for it is not recorded].
  Scenario: A desktop app's loopback redirect on port 70000 is refused (G-10, X-05)
    Given the application uses the "desktop" client
    And the application sends the redirect URI "http://127.0.0.1:70000/"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Error 400: redirect_uri_mismatch" with status 400
    And no redirect reached the application
