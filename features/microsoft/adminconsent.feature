@microsoft @adminconsent
Feature: Admin consent at /{tenant}/adminconsent
  When users may not consent to apps, or for application permissions, an
  administrator of the tenant grants consent for the whole organization:
  the app sends them to /{tenant}/adminconsent (or /{tenant}/v2.0/adminconsent
  with a scope), they sign in and accept, and come back to the app's
  registered redirect URI with admin_consent=True and the tenant id (M-01,
  F-10).

  Scenario: The administrator's consent ends the tenant's users' "Need admin approval" (F-10, F-30, M-13)
    Given the application uses the "web" client
    And the tenant "contoso.onmicrosoft.com" does not let users consent to apps
    And the "web" app has no admin consent
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    Then no redirect reached the application
    And the browser shows the page "Need admin approval" with status 200
    When admin@contoso.test grants admin consent to the application at "/contoso.onmicrosoft.com/adminconsent"
    Then the application's redirect carries admin_consent=True
    And the application's redirect carries tenant=6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10
    And the application's redirect carries the state it sent
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    Then the server answers 200
    And the token response has a refresh token

  Scenario: A customer's administrator consents to a vendor's multi-tenant app for their organization (F-10, F-30)
    Given the application uses the "vendor" client
    And the application's authority is "organizations"
    And the tenant "fabrikam.onmicrosoft.com" does not let users consent to apps
    When carol@fabrikam.test authorizes the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the page says "Message: AADSTS900941: An administrator of fabrikam.onmicrosoft.com has set a policy that prevents you from granting vendor the permissions it is requesting."
    When admin@fabrikam.test grants admin consent to the application at "/organizations/v2.0/adminconsent" for "https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the application's redirect carries admin_consent=True
    And the application's redirect carries tenant=7a2e7d3f-4c8b-4d2f-8e3b-1d6f9c8b5a21
    And the application's redirect carries scope=https://outlook.office.com/IMAP.AccessAsUser.All
    When carol@fabrikam.test authorizes the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the server answers 200
    And the access token's claim "tid" is "7a2e7d3f-4c8b-4d2f-8e3b-1d6f9c8b5a21"

  Scenario: Admin consent gives a daemon its application permissions (seed 002, EX-01)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the "daemon" app has no admin consent
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the access token has no claim "roles"
    When admin@contoso.test grants admin consent to the application at "/contoso.onmicrosoft.com/v2.0/adminconsent" for "https://outlook.office365.com/.default"
    Then the application's redirect carries admin_consent=True
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the access token's claim "roles" contains "IMAP.AccessAsApp"

  Scenario: A user who is not an administrator cannot consent for the organization
    Given the application uses the "web" client
    And the tenant "contoso.onmicrosoft.com" does not let users consent to apps
    And the "web" app has no admin consent
    When alice@contoso.test grants admin consent to the application at "/contoso.onmicrosoft.com/adminconsent"
    Then the browser shows the page "Need admin approval" with status 403
    And no redirect reached the application
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the browser shows the page "Need admin approval" with status 200

  Scenario: An administrator who cancels sends the application access_denied, AADSTS65004 in Entra's redirect encoding, and consents to nothing (M-06, M-15)
    Given the application uses the "web" client
    And the tenant "contoso.onmicrosoft.com" does not let users consent to apps
    And the "web" app has no admin consent
    When admin@contoso.test refuses admin consent to the application at "/contoso.onmicrosoft.com/adminconsent"
    Then the application's redirect carries error "access_denied"
    And the redirect's error description starts with "AADSTS65004: User declined to consent to access the app."
    And the application's redirect carries the state it sent
    And the application's redirect URL matches '\?error=access_denied&error_description=AADSTS65004%3a\+User\+declined\+to\+consent\+to\+access\+the\+app\.%0d%0aTrace\+ID%3a\+[0-9a-f-]{36}%0d%0aCorrelation\+ID%3a\+[0-9a-f-]{36}%0d%0aTimestamp%3a\+\d{4}-\d\d-\d\d\+\d\d%3a\d\d%3a\d\dZ&error_uri=https%3a%2f%2flogin\.microsoftonline\.com%2ferror%3fcode%3d65004&admin_consent=True&state=admin-consent-state$'
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the browser shows the page "Need admin approval" with status 200

  Scenario: An admin consent request for a redirect URI the app does not have is AADSTS50011 on the page, naming the app (M-06, M-15)
    Given the application uses the "web" client
    And the application listens for the redirect on an unregistered loopback port
    When admin@contoso.test grants admin consent to the application at "/contoso.onmicrosoft.com/adminconsent"
    Then the browser shows the page "Sign in" with status 200
    And the page says "does not match the redirect URIs configured for the application '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c'."
    And no redirect reached the application
