@microsoft @authcode
Feature: Authorization code flow at the Microsoft identity platform v2.0
  The application sends the user to /{tenant}/oauth2/v2.0/authorize and
  redeems the code at /{tenant}/oauth2/v2.0/token (M-01 to M-04, M-06, M-07,
  M-09, M-10, seeds 001 and 003).

  Background:
    Given the application uses the "web" client

  Scenario: Seed 001: a web app with a secret gets JWTs for Exchange and a refresh token with offline_access (M-03, M-07)
    Given the application's authority is "contoso.test"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
    Then the server answers 200
    And the token response has a refresh token
    And the token response field "expires_in" is 3599
    And the token response field "ext_expires_in" is 3599
    And the token response field "scope" is "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send"
    And the response header "Cache-Control" is "no-store, no-cache"
    And the response header "Content-Type" is "application/json; charset=utf-8"
    And the access token is a JWT signed with a key of "contoso.test"
    And the access token's claim "aud" is "https://outlook.office.com"
    And the access token's claim "iss" is "https://sts.windows.net/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/"
    And the access token's claim "tid" is "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"
    And the access token's claim "oid" is "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
    And the access token's claim "upn" is "alice@contoso.test"
    And the access token's claim "appid" is "5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c"
    And the access token's claim "scp" contains "IMAP.AccessAsUser.All"
    And the access token's claim "scp" contains "SMTP.Send"
    And the access token's claim "ver" is "1.0"

  Scenario: Without offline_access there is no refresh token (M-03, F-41)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200
    And the token response has no refresh token

  Scenario: With openid, an ID token for the user's tenant; with client_info=1, client_info (M-03, M-09)
    When alice@contoso.test authorizes the application for "openid profile offline_access https://outlook.office.com/SMTP.Send"
    Then the token response has an ID token
    And the ID token verifies with go-oidc and its "tid" is "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"
    And the ID token verifies with go-oidc and its "preferred_username" is "alice@contoso.test"
    Given the application sends "client_info=1" with its token requests
    When alice@contoso.test authorizes the application for "openid profile offline_access https://outlook.office.com/SMTP.Send"
    Then the token response's client_info names alice@contoso.test

  Scenario: A refresh returns a new refresh token and the old one still works (M-03)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When the application refreshes the token
    Then the server answers 200
    And the token response has a refresh token
    When the application refreshes with the refresh token it received first
    Then the server answers 200

  Scenario: A refresh token unused for 90 days is refused with AADSTS700082 (M-06, F-12)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When 91 days pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS700082: The refresh token has expired due to inactivity."
    And the response field "error_codes" contains 700082

  Scenario: Each refresh token lives 90 days from its own issue: a chain used every 60 days lives on (M-03)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When 60 days pass
    And the application refreshes the token
    Then the server answers 200
    When 60 days pass
    And the application refreshes the token
    Then the server answers 200
    When the application refreshes with the refresh token it received first
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on "

  Scenario: An SPA's refresh tokens live 24 hours from sign-in however often it refreshes: AADSTS700084 (M-03)
    Given the application uses the "spa" client
    And the application uses PKCE with method "S256"
    And alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When 20 hours pass
    And the application refreshes the token
    Then the server answers 200
    And the token response has a refresh token
    When 1 hour passes
    And the application refreshes the token
    Then the server answers 200
    When 4 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended."
    And the response field "error_codes" contains 700084

  Scenario: A refresh token that is not one (truncated, made up) is invalid_grant AADSTS9002313 (M-06)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When the application refreshes the token "1.AXkAnotarealrefreshtoken"
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS9002313: Invalid request. Request is malformed or invalid."
    And the response field "error_codes" contains 9002313

  Scenario: A code that is not one is invalid_grant AADSTS9002313, not 70000 (M-06)
    When the application posts "grant_type=authorization_code&code=1.AXkAbroken%2Fcode&redirect_uri=http://localhost:3017" to the token endpoint with its client credentials
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS9002313: Invalid request. Request is malformed or invalid."

  Scenario: Another application's refresh token is AADSTS70000 (M-06)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When the "desktop" client presents the refresh token
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS70000: The provided value for the input parameter 'refresh_token' or 'assertion' is not valid."
    And the response field "error_codes" contains 70000

  Scenario: A permission the resource does not have is AADSTS70011, sent back to the application (M-06)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/IMAP.AccessAsUser.Everything"
    Then the application received no code
    And the application's redirect carries error "invalid_scope"
    And the redirect's error description starts with "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://outlook.office.com/IMAP.AccessAsUser.Everything is not valid."

  Scenario: A resource the tenant does not know is AADSTS500011 (M-10)
    When alice@contoso.test authorizes the application for "https://mail.contoso-crm.test/Mail.Send"
    Then the application received no code
    And the application's redirect carries error "invalid_resource"
    And the redirect's error description starts with "AADSTS500011: The resource principal named https://mail.contoso-crm.test was not found in the tenant named"

  Scenario: A code redeemed twice is refused with AADSTS54005 (M-06)
    Given alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When the application exchanges the code
    Then the server answers 200
    When the application exchanges the same code again
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS54005: OAuth2 Authorization code was already redeemed"

  Scenario: The secret's id pasted for its value is refused with AADSTS7000215 at 401 (M-04, M-06, F-08)
    Given alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    And the application's client secret is "0c4a6e8b-2d4f-4b6d-8f0a-3c5e7a9b1d3f"
    When the application exchanges the code
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c'."
    And the response field "error_codes" contains 7000215
    And the token response field "error_uri" is "https://login.microsoftonline.com/error?code=7000215"

  Scenario: An expired client secret is refused with AADSTS7000222 (M-06, F-09)
    Given the application uses the "expired" client
    And alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When the application exchanges the code
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS7000222: The provided client secret keys for app '4d9e3f2a-7b5c-4a8d-9e1f-3c4d5e6f7a8b' are expired."

  Scenario: A redirect URI that is not registered is shown on the sign-in page, AADSTS50011 naming the application (M-02, M-06, M-15, F-38)
    Given the application listens for the redirect on an unregistered loopback port
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the browser shows the page "Sign in" with status 200
    And the page says "Sorry, but we're having trouble signing you in."
    And the page says "specified in the request does not match the redirect URIs configured for the application '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
    And the page says "Message: AADSTS50011: The redirect URI 'http://localhost:"

  Scenario: An application of another tenant is not found there, AADSTS700016 (M-06)
    Given the application's authority is "fabrikam.onmicrosoft.com"
    When carol@fabrikam.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the page says "AADSTS700016: Application with identifier '5e1a9c2b-7d3f-4a8e-b6c1-0f2d4e6a8b9c' was not found in the directory 'fabrikam.onmicrosoft.com'."

  Scenario: Graph and Outlook scopes: /authorize accepts them, the redemption without scope is AADSTS28003 (M-10, M-12, F-29)
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send https://graph.microsoft.com/User.Read"
    Then the application's redirect carries the state it sent
    And the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS28003: Provided value for the input parameter scope cannot be empty when requesting an access token using the provided authorization code. Please specify a valid scope."
    And the response field "error_codes" contains 28003

  Scenario: Graph and Outlook scopes named again at /token are AADSTS28000 (M-10, M-12, F-06, F-29)
    Given the application sends "scope=https://outlook.office.com/SMTP.Send https://graph.microsoft.com/User.Read openid profile offline_access" with its token requests
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send https://graph.microsoft.com/User.Read"
    Then the server answers 400 with error "invalid_scope"
    And the error description starts with "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource. Scope https://outlook.office.com/SMTP.Send https://graph.microsoft.com/User.Read openid profile offline_access is not valid."

  Scenario: After a multi-resource authorization, a redemption naming one resource gets that resource's token (M-12)
    Given the application sends "scope=https://graph.microsoft.com/User.Read" with its token requests
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send https://graph.microsoft.com/User.Read"
    Then the server answers 200
    And the token response field "scope" is "User.Read"
    And the access token's claim "aud" is "https://graph.microsoft.com"

  Scenario: Users may not consent and the administrator has not: "Need admin approval", AADSTS900941, no redirect (M-13, F-10, F-30)
    Given the tenant "contoso.test" does not let users consent to apps
    And the "web" app has no admin consent
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the browser shows the page "Need admin approval" with status 200
    And the page says "web needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it."
    And the page says "Return to the application without granting consent"
    And the page says "Message: AADSTS900941: An administrator of contoso.onmicrosoft.com has set a policy that prevents you from granting web the permissions it is requesting. Contact an administrator of contoso.onmicrosoft.com who can grant permissions to this application on your behalf."

  Scenario: Seed 003: a public client with PKCE and no secret redeems its code (M-08)
    Given the application uses the "desktop" client
    And the application uses PKCE with method "S256"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    Then the server answers 200
    And the token response has a refresh token
    And the access token's claim "appidacr" is "0"

  Scenario: A web app that also allows public client flows still redeems its code with its secret (M-08)
    Given the "web" app allows public client flows
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200

  Scenario: A public client that sends a secret is refused with AADSTS700025 (M-06)
    Given the application uses the "desktop" client
    And alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    And the application's client secret is "a-secret"
    When the application exchanges the code
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented."

  Scenario: An unknown tenant is AADSTS90002, discovery included (M-01, M-10)
    When the application fetches "/nowhere.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    Then the server answers 400 with error "invalid_tenant"
    And the error description starts with "AADSTS90002: Tenant 'nowhere.onmicrosoft.com' not found."

  Scenario: Discovery for a tenant names its issuer; common keeps {tenantid} (M-01, M-09)
    When the application fetches "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    Then the server answers 200
    And the response field "issuer" ends with "/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/v2.0"
    And the response field "token_endpoint" ends with "/contoso.onmicrosoft.com/oauth2/v2.0/token"
    When the application fetches "/common/v2.0/.well-known/openid-configuration"
    Then the response field "issuer" ends with "/{tenantid}/v2.0"
    And the response field "device_authorization_endpoint" ends with "/common/oauth2/v2.0/devicecode"

  Scenario: A mobile and desktop redirect on http://127.0.0.1 takes any port, as http://localhost does (M-02)
    Given the application uses the "desktop" client
    And the "desktop" app has the mobile and desktop redirect URI "http://127.0.0.1"
    And the application listens for the redirect on "127.0.0.1" on a free port
    And the application uses PKCE with method "S256"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200

  Scenario: A web app's redirect takes no other port than its own (M-02)
    Given the application listens for the redirect on "localhost" on a free port
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the page says "AADSTS50011: "

  Scenario: OpenID Connect scopes alone get a Microsoft Graph token with User.Read (M-03, M-07)
    When alice@contoso.test authorizes the application for "openid profile"
    Then the server answers 200
    And the token response's scope includes "User.Read"
    And the access token's claim "aud" is "https://graph.microsoft.com"
    And the access token's claim "scp" is "User.Read"

  Scenario: A scope prefixed by the resource's application id is that resource's (M-02)
    When alice@contoso.test authorizes the application for "00000002-0000-0ff1-ce00-000000000000/SMTP.Send"
    Then the server answers 200
    And the access token's claim "scp" is "SMTP.Send"
    And the token response's scope includes "00000002-0000-0ff1-ce00-000000000000/SMTP.Send"
