@microsoft @device
Feature: Device code flow at the Microsoft identity platform v2.0
  Seeds 000 and 003: a public client asks /{tenant}/oauth2/v2.0/devicecode
  (the authorize endpoint with its last segment changed) for
  "https://outlook.office.com/SMTP.Send offline_access", the user enters the
  code on the device login page, the client polls /token (M-05, M-06, M-08).

  Background:
    Given the device uses the "desktop" client
    And the application's authority is "common"

  Scenario: The devicecode response has Microsoft's fields and message, no verification_uri_complete (M-05)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send offline_access"
    Then the server answers 200
    And the device response field "expires_in" is 900
    And the device response field "interval" is 5
    And the device response has the field "message"
    And the device response has the field "verification_uri"
    And the device response has no field "verification_uri_complete"
    And the user code looks like "BPPVYQZMA"

  Scenario: Seed 000: polling before approval is pending (70016), then the token sends mail through Exchange (M-05, EX-05)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send offline_access"
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "authorization_pending"
    And the error description starts with "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."
    And the response field "error_codes" contains 70016
    When alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 200
    And the token response has a refresh token
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication
    When the application sends a message from alice@contoso.test to bob@contoso.test with subject "Sent with a device code"
    Then the message is accepted
    And the world delivered "Sent with a device code" to bob@contoso.test

  Scenario: The same flow under the tenant's own endpoints (seed 000, M-01)
    Given the application's authority is "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send offline_access"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 200
    And the access token's claim "tid" is "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"

  Scenario: MSAL for Node's grant_type=device_code is the device grant too (M-09)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls with grant_type "device_code"
    Then the server answers 200

  Scenario: A poll right after /devicecode is authorization_pending AADSTS70016, never slow_down (M-05, X-03)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And the device polls the token endpoint
    Then the server answers 400 with error "authorization_pending"
    And the error description starts with "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."
    When the device polls the token endpoint
    Then the server answers 400 with error "authorization_pending"

  Scenario: A declined request is authorization_declined (M-05)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test denies the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "authorization_declined"

  Scenario: After 15 minutes the device code has expired, AADSTS70020 (M-05)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And 16 minutes pass
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "expired_token"
    And the error description starts with "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired."

  Scenario: "Allow public client flows" off and no secret: AADSTS7000218 at 401 (M-08, F-07)
    Given the "desktop" app does not allow public client flows
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."

  Scenario: The devicecode message is Entra's sentence with the page and the code (M-05)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    Then the response field "message" matches "^To sign in, use a web browser to open the page https://[^ ]+/devicelogin and enter the code [A-Z]{9} to authenticate\.$"
    And the response field "verification_uri" ends with "/devicelogin"

  Scenario: A device code polled again after its tokens were issued is AADSTS90120 (M-06)
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 200
    When 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS90120: "

  Scenario: A single-tenant app's device code under /common is AADSTS50059 (F-39)
    Given the "desktop" app's supported account types are "AzureADMyOrg"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS50059: No tenant-identifying information found in either the request or implied by any provided credentials."

  Scenario: A single-tenant app's device code under /organizations is AADSTS50059 too; under its tenant it works (F-39)
    Given the "desktop" app's supported account types are "AzureADMyOrg"
    And the application's authority is "organizations"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    Then the error description starts with "AADSTS50059: "
    Given the application's authority is "contoso.onmicrosoft.com"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200

  Scenario: The same single-tenant public app at /common's authorize endpoint is AADSTS50194 (M-11, F-20)
    Given the application uses the "desktop" client
    And the application uses PKCE with method "S256"
    And the "desktop" app's supported account types are "AzureADMyOrg"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the application's redirect carries error "invalid_request"
    And the redirect's error description starts with "AADSTS50194: Application '6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d'(desktop) is not configured as a multi-tenant application."
