@microsoft @wire
Feature: What Entra's answers look like on the wire
  The token endpoint writes one compact line of JSON, its keys in Entra's
  order (M-03, M-04); errors carry error_codes, timestamp, trace_id,
  correlation_id and error_uri, the description ending with the trace,
  correlation and timestamp lines; the authorize endpoint's error redirect
  is form-encoded with lower-case escapes, state last; the sign-in error
  page ends with its troubleshooting block (M-15). Discovery lists its keys
  in the live document's order (M-01).

  Background:
    Given the application uses the "web" client

  Scenario: A token response is one compact line: token_type, scope, expires_in, ext_expires_in, access_token, refresh_token, id_token (M-03, M-04)
    When alice@contoso.test authorizes the application for "openid https://outlook.office.com/SMTP.Send offline_access"
    Then the server answers 200
    And the response body matches '^\{"token_type":"Bearer","scope":"https://outlook\.office\.com/SMTP\.Send openid","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ[^"]+","refresh_token":"1\.A[^"]+","id_token":"eyJ[^"]+"\}$'
    And the response header "Cache-Control" is "no-store, no-cache"
    And the response header "Pragma" is "no-cache"

  Scenario: A client credentials response has ext_expires_in and no scope (M-03)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the server answers 200
    And the response body matches '^\{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ[^"]+"\}$'
    And the token response has no field "scope"
    And the token response has no field "refresh_token"

  Scenario: An error is one compact line in M-04's key order, its description ending with the trace, correlation and timestamp lines (M-04)
    Given alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    And the application's client secret is "not-the-secret"
    When the application exchanges the code
    Then the server answers 401 with error "invalid_client"
    And the response body matches '^\{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided\. [^"]+\\r\\nTrace ID: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ","error_codes":\[7000215\],"timestamp":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ","trace_id":"[0-9a-f-]{36}","correlation_id":"[0-9a-f-]{36}","error_uri":"https://login\.microsoftonline\.com/error\?code=7000215"\}$'
    And the response header "Pragma" is "no-cache"
    And the response header "Content-Type" is "application/json; charset=utf-8"

  Scenario: The correlation id is the client-request-id the client sent, in the field and in the description (M-04)
    When the application posts "grant_type=refresh_token&refresh_token=1.AXkAnot-a-token&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d" to the token endpoint with the header "client-request-id: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    Then the server answers 400 with error "invalid_grant"
    And the token response field "correlation_id" is "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    And the response field "error_description" matches "\r\nCorrelation ID: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\r\nTimestamp: "

  Scenario: The trailer's timestamp is the world's clock, as the timestamp field (M-04)
    When the application posts "grant_type=refresh_token&refresh_token=1.AXkAnot-a-token&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d" to the token endpoint
    Then the response field "timestamp" matches "^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$"
    And the response field "trace_id" matches "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    And the response field "error_description" matches "\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$"

  Scenario: Missing grant_type is AADSTS900144 naming it (M-06)
    When the application posts "client_id=5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c" to the token endpoint
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS900144: The request body must contain the following parameter: 'grant_type'."
    And the response field "error_codes" contains 900144
    And the token response field "error_uri" is "https://login.microsoftonline.com/error?code=900144"

  Scenario: A code redemption without code is AADSTS900144 'code', not 9002313 (M-06)
    When the application posts "grant_type=authorization_code&redirect_uri=http://localhost:3017" to the token endpoint with its client credentials
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS900144: The request body must contain the following parameter: 'code'."

  Scenario: A refresh without refresh_token is AADSTS900144 'refresh_token' (M-06)
    When the application posts "grant_type=refresh_token" to the token endpoint with its client credentials
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS900144: The request body must contain the following parameter: 'refresh_token'."

  Scenario: /devicecode without scope is AADSTS900144 'scope', M-06's wire example (M-05, M-06)
    Given the application uses the "desktop" client
    And the application's authority is "common"
    When the application posts "client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d" to the devicecode endpoint
    Then the server answers 400 with error "invalid_request"
    And the response body matches '^\{"error":"invalid_request","error_description":"AADSTS900144: The request body must contain the following parameter: .scope.\.\\r\\nTrace ID: [^"]+","error_codes":\[900144\],"timestamp":"[^"]+","trace_id":"[^"]+","correlation_id":"[^"]+","error_uri":"https://login\.microsoftonline\.com/error\?code=900144"\}$'

  Scenario: Discovery lists token_endpoint_auth_methods_supported as the live document does, keys in its order, on one line (M-01)
    When the application fetches "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    Then the server answers 200
    And the response body matches '^\{"token_endpoint":"https://[^"]+/contoso\.onmicrosoft\.com/oauth2/v2\.0/token","token_endpoint_auth_methods_supported":\["client_secret_post","private_key_jwt","client_secret_basic"\],"jwks_uri":"[^"]+/discovery/v2\.0/keys","response_modes_supported":\["query","fragment","form_post"\],"subject_types_supported":\["pairwise"\],"id_token_signing_alg_values_supported":\["RS256"\],"response_types_supported":\["code","id_token","code id_token","id_token token"\],"scopes_supported":\["openid","profile","email","offline_access"\],"issuer":"[^"]+/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/v2\.0","request_uri_parameter_supported":false,"authorization_endpoint":"[^"]+","device_authorization_endpoint":"[^"]+",'

  Scenario: Discovery asked with ?appid= that is not a GUID is AADSTS90112 (M-11, F-21)
    When the application fetches "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration?appid=alice@contoso.test"
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS90112: Application identifier is expected to be a GUID."

  Scenario: An authorize error redirect is form-encoded with lower-case escapes, the trailer inside error_description, error_uri, state last (M-15)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/IMAP.AccessAsUser.Everything"
    Then the application received no code
    And the application's redirect URL matches '\?error=invalid_scope&error_description=AADSTS70011%3a\+The\+provided\+value\+for\+the\+input\+parameter\+%27scope%27\+is\+not\+valid\.\+The\+scope\+https%3a%2f%2foutlook\.office\.com%2fIMAP\.AccessAsUser\.Everything\+is\+not\+valid\.%0d%0aTrace\+ID%3a\+[0-9a-f-]{36}%0d%0aCorrelation\+ID%3a\+[0-9a-f-]{36}%0d%0aTimestamp%3a\+\d{4}-\d\d-\d\d\+\d\d%3a\d\d%3a\d\dZ&error_uri=https%3a%2f%2flogin\.microsoftonline\.com%2ferror%3fcode%3d70011&state=[^&]+$'

  Scenario: The sign-in error page ends with Request Id, Correlation Id, an ISO timestamp and the message (M-15)
    Given the application's authority is "fabrikam.onmicrosoft.com"
    When carol@fabrikam.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the browser shows the page "Sign in" with status 200
    And the page matches 'Sorry, but we.re having trouble signing you in\.\s+AADSTS700016: [^\n]+\s+Troubleshooting details\s+Request Id: [0-9a-f-]{36}\s+Correlation Id: [0-9a-f-]{36}\s+Timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+Message: AADSTS700016: Application with identifier'

  Scenario: An expired secret's AADSTS7000222 text whole (M-06, F-09)
    Given the application uses the "expired" client
    And alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When the application exchanges the code
    Then the server answers 401 with error "invalid_client"
    And the response field "error_description" matches "^AADSTS7000222: The provided client secret keys for app '4d9e3f2a-7b5c-4a8d-9e1f-3c4d5e6f7a8b' are expired\. Visit the Azure portal to create new keys for your app: https://aka\.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka\.ms/certCreds\.\r\nTrace ID: "

  Scenario: AADSTS700082's text ends with the 90 days of inactivity (M-06, F-12)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When 91 days pass
    And the application refreshes the token
    Then the response field "error_description" matches "^AADSTS700082: The refresh token has expired due to inactivity\. The token was issued on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z and was inactive for 90\.00:00:00\.\r\nTrace ID: "

  Scenario: A code lives 10 minutes: after 11 it is AADSTS70008 (M-02, M-06)
    Given alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When 11 minutes pass
    And the application exchanges the code
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS70008: "

  Scenario: A code still works after 9 minutes (M-02)
    Given alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When 9 minutes pass
    And the application exchanges the code
    Then the server answers 200

  Scenario: A confidential client's token has appidacr "1", its header x5t and nonce, amr "pwd" (M-07, EX-07)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the access token's claim "appidacr" is "1"
    And the access token's claim "amr" is "pwd"
    And the access token's header "x5t" is the key id
    And the access token's header "nonce" is present

  Scenario: The ID token carries upn and nbf for MSAL (M-09)
    When alice@contoso.test authorizes the application for "openid profile https://outlook.office.com/SMTP.Send"
    Then the ID token has the claims "upn nbf oid tid preferred_username name"
    And the ID token verifies with go-oidc and its "upn" is "alice@contoso.test"
