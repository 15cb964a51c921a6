@microsoft @msal
Feature: Microsoft's own library as the application's client
  The same flows driven by microsoft-authentication-library-for-go instead
  of x/oauth2, with instance discovery off and an HTTP client that trusts
  the world's CA. What MSAL needs of an authority (M-09) must hold: https, a
  discovery document whose issuer is on the authority's host, client_info,
  an ID token whose "aud" is a string, the token response fields it parses,
  form_post for its interactive flow (M-02). MSAL adds "openid profile
  offline_access" to every request by itself.

  @device @smtp
  Scenario: Seed 000 with MSAL: device code from the endpoint MSAL derives, then Exchange SMTP (M-05, M-09, EX-05)
    Given the application uses MSAL as the public client "desktop"
    When MSAL asks for a device code for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200
    And MSAL's device code message starts with "To sign in, use a web browser to open the page https://"
    When alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And MSAL waits for the device code result
    Then the server answers 200
    And MSAL's account is alice@contoso.test
    And MSAL's token came from the identity provider
    And the access token's claim "aud" is "https://outlook.office.com"
    And the access token's claim "scp" contains "SMTP.Send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication
    When the application sends a message from alice@contoso.test to bob@contoso.test with subject "Sent with MSAL"
    Then the message is accepted
    And the world delivered "Sent with MSAL" to bob@contoso.test

  @device
  Scenario: MSAL's device code under the tenant's own authority (seed 000, M-01)
    Given the application's authority is "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"
    And the application uses MSAL as the public client "desktop"
    When MSAL asks for a device code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And MSAL waits for the device code result
    Then MSAL's account is alice@contoso.test
    And the access token's claim "tid" is "6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10"

  @device
  Scenario: A device code the user declined ends MSAL's polling with authorization_declined (M-05)
    Given the application uses MSAL as the public client "desktop"
    When MSAL asks for a device code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test denies the device on the verification page
    And 5 seconds pass
    And MSAL waits for the device code result
    Then the server answers 400 with error "authorization_declined"
    And MSAL fails with "authorization_declined"

  @authcode @imap
  Scenario: Seed 003 with MSAL: the interactive flow (PKCE, form_post to MSAL's loopback listener), then Exchange IMAP (M-02, M-08)
    Given the application uses MSAL as the public client "desktop"
    And the world delivered a message with subject "Read with MSAL" to alice@contoso.test
    When alice@contoso.test signs in through MSAL's interactive flow for "https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the server answers 200
    And the token response has an ID token
    And MSAL's account is alice@contoso.test
    And the browser shows the page "Authentication Complete" with status 200
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server accepts the authentication
    And the INBOX holds a message with subject "Read with MSAL"

  @authcode @refresh @smtp
  Scenario: MSAL serves its cache until the token expires, then refreshes with its refresh token (M-03)
    Given the application uses MSAL as the public client "desktop"
    And alice@contoso.test signs in through MSAL's interactive flow for "https://outlook.office.com/SMTP.Send"
    When MSAL acquires a token silently for alice@contoso.test for "https://outlook.office.com/SMTP.Send"
    Then MSAL's token came from the cache
    When 2 hours pass
    And MSAL acquires a token silently for alice@contoso.test for "https://outlook.office.com/SMTP.Send"
    Then MSAL's token came from the identity provider
    And the server answers 200
    And the token response has a refresh token
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication

  @authcode @refresh
  Scenario: After 90 days without use MSAL's silent refresh fails with AADSTS700082 (M-06, F-12)
    Given the application uses MSAL as the public client "desktop"
    And alice@contoso.test signs in through MSAL's interactive flow for "https://outlook.office.com/SMTP.Send"
    When 91 days pass
    And MSAL acquires a token silently for alice@contoso.test for "https://outlook.office.com/SMTP.Send"
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS700082: The refresh token has expired due to inactivity."
    And MSAL fails with "AADSTS700082"

  # MSAL adds no scope to a confidential client's AuthCodeURL: a web app asks
  # for openid, profile and offline_access itself, and redeems the code for
  # its resource scope alone (MSAL adds the others to the token request).
  @authcode @smtp
  Scenario: Seed 001 with MSAL's confidential client: authorization code with the secret, then Exchange SMTP (M-03)
    Given the application uses MSAL as the confidential client "web"
    When alice@contoso.test signs in through MSAL's authorization code URL for "https://outlook.office.com/SMTP.Send offline_access openid profile" and MSAL redeems the code for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200
    And the token response has a refresh token
    And MSAL's account is alice@contoso.test
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication

  # Entra never lists offline_access in the token response's scope, and MSAL
  # for Go counts a requested scope that is not listed as declined
  # (microsoft-authentication-library-for-go#416, open): the refresh token
  # came, the application gets an error.
  @authcode
  Scenario: A web app that redeems its code for offline_access too gets MSAL's "declined scopes" error (M-03)
    Given the application uses MSAL as the confidential client "web"
    When alice@contoso.test signs in through MSAL's authorization code URL for "https://outlook.office.com/SMTP.Send offline_access openid profile"
    Then the server answers 200
    And the token response has a refresh token
    And MSAL fails with "declined scopes are present: offline_access"

  @client-credentials @imap
  Scenario: Seed 002 with MSAL's confidential client: client credentials, cached, then Exchange IMAP (EX-01, EX-02)
    Given the application's authority is "contoso.onmicrosoft.com"
    And the application uses MSAL as the confidential client "daemon"
    And the world delivered a message with subject "For MSAL's daemon" to alice@contoso.test
    When MSAL acquires a token by client credentials for "https://outlook.office365.com/.default"
    Then the server answers 200
    And MSAL's token came from the identity provider
    And the access token's claim "roles" contains "IMAP.AccessAsApp"
    When MSAL acquires a token by client credentials for "https://outlook.office365.com/.default"
    Then MSAL's token came from the cache
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server accepts the authentication
    And the INBOX holds a message with subject "For MSAL's daemon"

  @client-credentials
  Scenario: MSAL with the secret's id for its value: AADSTS7000215 at 401 (F-08)
    Given the application's authority is "contoso.onmicrosoft.com"
    And the application uses MSAL as the confidential client "daemon" with the secret "4e6a8c0e-2a4c-4e6a-8c0e-2a4c6e8a0c2e"
    When MSAL acquires a token by client credentials for "https://outlook.office365.com/.default"
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS7000215: Invalid client secret provided."
    And MSAL fails with "AADSTS7000215"

  @device
  Scenario: MSAL for an unknown tenant stops at discovery with AADSTS90002 (M-01, M-10)
    Given the application's authority is "nosuchtenant.onmicrosoft.com"
    And the application uses MSAL as the public client "desktop"
    When MSAL asks for a device code for "https://outlook.office.com/SMTP.Send"
    Then the server answers 400 with error "invalid_tenant"
    And MSAL fails with "AADSTS90002"
