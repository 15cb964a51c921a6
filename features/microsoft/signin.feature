@microsoft @signin
Feature: What the user meets at /authorize
  The sign-in, consent and error pages of login.microsoftonline.com, and
  what comes back to the application (M-02, M-11, M-13, M-15, F-20, F-21,
  F-30, F-38).

  Background:
    Given the application uses the "web" client

  Scenario: prompt=login makes a signed-in user sign in again (M-02)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200
    And the sign-in page was skipped
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send" with "prompt=login"
    Then the server answers 200
    And the sign-in page was shown
    And the consent screen was skipped

  Scenario: prompt=none with nobody signed in is login_required AADSTS50058 (M-11, M-13)
    When the user's browser opens the authorization URL for "https://outlook.office.com/SMTP.Send" with "prompt=none" without signing in
    Then the application's redirect carries error "login_required"
    And the redirect's error description starts with "AADSTS50058: A silent sign-in request was sent but no user is signed in."
    And the application's redirect carries the state it sent

  Scenario: prompt=none for a signed-in user who never consented is consent_required with AADSTS65001 (M-13)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the user's browser opens the authorization URL for "https://outlook.office.com/IMAP.AccessAsUser.All" with "prompt=none" without signing in
    Then the application's redirect carries error "consent_required"
    And the redirect's error description starts with "AADSTS65001: The user or administrator has not consented to use the application with ID '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c' named 'web'. Send an interactive authorization request for this user and resource."
    And the application's redirect carries suberror=consent_required

  Scenario: Cancel on the consent page sends the application AADSTS65004 (M-13, M-06)
    Given alice@contoso.test will press "deny" on the consent screen
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the application received no code
    And the application's redirect carries error "consent_required"
    And the redirect's error description starts with "AADSTS65004: User declined to consent to access the app."
    And the application's redirect carries error_uri=https://login.microsoftonline.com/error?code=65004

  Scenario: A single-tenant app through /common is AADSTS50194, redirected since the redirect URI is valid (M-11, F-20)
    Given the application's authority is "common"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the application received no code
    And the application's redirect carries error "invalid_request"
    And the redirect's error description starts with "AADSTS50194: Application '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c'(web) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant."

  Scenario: The same app through its tenant's endpoint, or /organizations, signs in (M-11, F-20)
    Given the application's authority is "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200
    Given the application's authority is "organizations"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200

  Scenario: A multi-tenant app through /common signs in (M-11)
    Given the application uses the "vendor" client
    And the application's authority is "common"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200

  Scenario: A user of another tenant at a single-tenant app is AADSTS50020 on the sign-in page (M-11)
    When carol@fabrikam.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the browser shows the page "Sign in" with status 200
    And the page says "AADSTS50020: User account 'carol@fabrikam.test' from identity provider 'https://sts.windows.net/7a2e7d3f-4c8b-4d2f-8e3b-1d6f9c8b5a21/' does not exist in tenant 'contoso.onmicrosoft.com' and cannot access the application '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c'(web) in that tenant. The account needs to be added as an external user in the tenant first."

  Scenario: An e-mail address as client id is AADSTS700016 on the sign-in page (M-06, F-21)
    Given the application's client id is "alice@contoso.test"
    When the user's browser opens the authorization URL for "https://outlook.office.com/SMTP.Send" without signing in
    Then no redirect reached the application
    And the page says "AADSTS700016: Application with identifier 'alice@contoso.test' was not found in the directory"

  Scenario: A disabled application is AADSTS7000112 on the sign-in page (M-11)
    Given the "web" app is disabled
    When the user's browser opens the authorization URL for "https://outlook.office.com/SMTP.Send" without signing in
    Then no redirect reached the application
    And the browser shows the page "Sign in" with status 200
    And the page says "Message: AADSTS7000112: Application '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c'(web) is disabled."

  Scenario: A disabled application's device code is AADSTS7000112 too (M-11)
    Given the application uses the "desktop" client
    And the "desktop" app is disabled
    When the application posts "client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send" to the devicecode endpoint
    Then the server answers 400 with error "unauthorized_client"
    And the error description starts with "AADSTS7000112: Application '6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d'(desktop) is disabled."

  Scenario: response_mode=fragment puts the code in the fragment (M-02)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send" with "response_mode=fragment"
    Then the application's redirect URL matches '^http://localhost:\d+/?#code=1\.A[^&]+&'

  Scenario: An SPA's code redeemed without PKCE is refused, AADSTS9002325 (M-03 [INF])
    Given the application uses the "spa" client
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption."

  Scenario: A code of one tenant redeemed at another tenant's token endpoint is refused (M-01 [INF])
    Given the application uses the "vendor" client
    And the application's authority is "contoso.onmicrosoft.com"
    And alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When the application's authority is "fabrikam.onmicrosoft.com"
    And the application exchanges the code
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS70000: The provided value for the input parameter 'code' is not valid."

  Scenario: The same code at its own tenant's endpoint, or /organizations, is redeemed (M-01)
    Given the application uses the "vendor" client
    And the application's authority is "contoso.onmicrosoft.com"
    And alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When the application's authority is "organizations"
    And the application exchanges the code
    Then the server answers 200
