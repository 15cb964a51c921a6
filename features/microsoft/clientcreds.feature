@microsoft @client-credentials
Feature: Client credentials for Exchange Online (seed 002)
  A daemon with a secret asks its tenant's token endpoint for
  https://outlook.office365.com/.default and opens a mailbox over IMAP with
  the app token: the application permission needs admin consent, Exchange
  needs a service principal registered with the enterprise application's
  object id and a mailbox permission (M-03, M-07, EX-01, EX-02, F-02, F-11).

  Background:
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"

  Scenario: Seed 002: an app token with IMAP.AccessAsApp opens a mailbox the service principal may read (EX-01, EX-02)
    Given the world delivered a message with subject "For the daemon" to alice@contoso.test
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the server answers 200
    And the token response has no refresh token
    And the token response field "expires_in" is 3599
    And the access token's claim "aud" is "https://outlook.office365.com"
    And the access token's claim "roles" contains "IMAP.AccessAsApp"
    And the access token's claim "oid" is "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
    And the access token's claim "idtyp" is "app"
    And the access token has no claim "scp"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server accepts the authentication
    And the IMAP server answers AUTHENTICATE with "OK AUTHENTICATE completed."
    And the INBOX holds a message with subject "For the daemon"

  Scenario: An app token with SMTP.SendAsApp sends as the mailbox (EX-01)
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication

  Scenario: A delegated scope where /.default is required: AADSTS1002012 (M-10, F-11)
    When the application asks for a token with client credentials for "https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the server answers 400 with error "invalid_scope"
    And the error description starts with "AADSTS1002012: The provided value for scope https://outlook.office.com/IMAP.AccessAsUser.All is not valid. Client credential flows must have a scope value with /.default suffixed"

  Scenario: Client credentials need the tenant's endpoint, not /common (M-03)
    Given the application's authority is "common"
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS50059: No tenant-identifying information found"

  Scenario: A wrong secret is AADSTS7000215 (F-08)
    Given the application's client secret is "4e6a8c0e-2a4c-4e6a-8c0e-2a4c6e8a0c2e"
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the server answers 401 with error "invalid_client"
    And the response field "error_codes" contains 7000215

  Scenario: Without admin consent the token has no roles and Exchange refuses it (EX-01, F-10)
    Given the "daemon" app has no admin consent
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the server answers 200
    And the access token has no claim "roles"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."
    And the world recorded a refused imap authentication of alice@contoso.test because "wrong_scope"

  Scenario: A service principal registered with the app registration's object id: NO AUTHENTICATE failed. (EX-02, F-02)
    Given the application uses the "wrong-sp" client
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the server answers 200
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."
    And the world recorded a refused imap authentication of alice@contoso.test because "no_service_principal"

  Scenario: No service principal at all (EX-02, F-02)
    Given the Exchange service principal of the "daemon" app is removed
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."
    And the world recorded a refused imap authentication of alice@contoso.test because "no_service_principal"

  Scenario: No mailbox permission for the service principal (EX-02, F-02)
    Given the "daemon" app has no mailbox permission on alice@contoso.test
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."
    And the world recorded a refused imap authentication of alice@contoso.test because "no_mailbox_permission"

  Scenario: Two resources' /.default in one client credentials request: AADSTS70011 variant (b), not 1002012 (M-12, F-29)
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default https://graph.microsoft.com/.default"
    Then the server answers 400 with error "invalid_scope"
    And the error description starts with "AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope https://outlook.office365.com/.default https://graph.microsoft.com/.default is not valid."
    And the token response has no field "error_uri"

  Scenario: /.default beside a named permission: AADSTS70011 (M-12)
    When the application asks for a token with client credentials for "https://graph.microsoft.com/.default https://graph.microsoft.com/User.Read"
    Then the server answers 400 with error "invalid_scope"
    And the error description starts with "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://graph.microsoft.com/.default https://graph.microsoft.com/User.Read is not valid."

  Scenario: Client credentials through /organizations are AADSTS50059 as through /common (F-39)
    Given the application's authority is "organizations"
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the server answers 400 with error "invalid_request"
    And the error description starts with "AADSTS50059: No tenant-identifying information found in either the request or implied by any provided credentials."
