@microsoft @flood
Feature: Entra's loop detection at the token endpoint
  A user's token requests at one application repeated in a short window (a
  refresh loop, ROPC in a loop) are
  answered AADSTS50196 until the application has sent none for about two
  minutes (M-14; the newer text of M-05). The limit is NOT FOUND: the fake
  refuses the 21st request of a user, application and grant type within 60
  seconds of world time [INF]; the status and error, 400 invalid_request,
  are [INF] too. Code redemptions are not counted: each needs a sign-in,
  and a test suite that mints a fresh token per case (Mint, /api/tokens,
  --approve-as) is no application loop [INF]. Device code polls are never counted: early polls are
  70016 (M-05), and the 2019 50196 of a device polling at its interval was
  a service bug, fixed.

  Background:
    Given the application uses the "web" client

  Scenario: A refresh loop: 20 refreshes within a minute get tokens, the 21st is AADSTS50196 (M-14, M-05)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    And the application refreshes the token 20 times, getting a token each time
    And the application refreshes the token
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS50196: The server terminated an operation because it encountered a client request loop. Please contact your app vendor."
    And the response field "error_description" matches "vendor\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: "
    And the response field "error_codes" contains 50196
    And the token response field "error_uri" is "https://login.microsoftonline.com/error?code=50196"

  Scenario: The loop clears after 2 minutes of world time without a request, not before (M-14)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    And the application refreshes the token 21 times
    Then the server answers 400 with error "invalid_request"
    When 110 seconds pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_request"
    And the response field "error_codes" contains 50196
    When 2 minutes pass
    And the application refreshes the token
    Then the server answers 200
    And the token response has a refresh token

  Scenario: Refreshes spread over minutes never trip it (M-14)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    And the application refreshes the token 20 times, getting a token each time
    And 1 minute passes
    And the application refreshes the token 20 times, getting a token each time
    And 1 minute passes
    And the application refreshes the token 20 times, getting a token each time

  Scenario: The count is per user: another user of the same application still refreshes, the looping one is still refused (M-14)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    And the application refreshes the token 21 times
    Then the server answers 400 with error "invalid_request"
    When bob@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access" with "prompt=login"
    Then the server answers 200
    And the access token's claim "upn" is "bob@contoso.test"
    When the application refreshes the token 20 times, getting a token each time
    And the application refreshes with the refresh token it received first
    Then the server answers 400 with error "invalid_request"
    And the response field "error_codes" contains 50196

  Scenario: Code redemptions are not counted: 30 sign-ins of one user within a minute all get tokens (M-14 [INF])
    When alice@contoso.test authorizes the application 30 times for "https://outlook.office.com/SMTP.Send offline_access" with "login_hint=alice@contoso.test"
    Then the server answers 200
    And the token response has a refresh token

  Scenario: ROPC in a loop: the 21st password request within a minute is AADSTS50196, a wrong password still 50126 (M-14, M-11)
    Given the application uses the "desktop" client
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=alice-password" to the token endpoint 20 times, getting a token each time
    And the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=alice-password" to the token endpoint
    Then the server answers 400 with error "invalid_request"
    And the response field "error_codes" contains 50196
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=wrong" to the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50126: "

  Scenario: A device polling at its interval for the code's whole life is pending each time, never AADSTS50196, then expired (M-05, M-14)
    Given the device uses the "desktop" client
    And the application's authority is "common"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send offline_access"
    And the device polls the token endpoint every 5 seconds, 179 times, answered "authorization_pending" each time
    Then the error description starts with "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."
    When 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "expired_token"
    And the error description starts with "AADSTS70020: "

  Scenario: A device polling early, 60 times a minute, is pending each time and gets its token once approved (M-05, M-14)
    Given the device uses the "desktop" client
    And the application's authority is "common"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send offline_access"
    And the device polls the token endpoint every 1 second, 60 times, answered "authorization_pending" each time
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 200
