@microsoft @claims
Feature: PROVIDERS.md's Microsoft claims the other scenarios did not assert
  One scenario (or a few lines) per claim of the M- entries and of the
  Microsoft F- rows that the fake implemented and no scenario checked on
  the wire; docs/claims/microsoft.md lists every claim and where it is
  asserted.

  Background:
    Given the application uses the "web" client

  Scenario: M-01: the consumers tenant's discovery names the MSA tenant's GUID as issuer
    When the application fetches "/consumers/v2.0/.well-known/openid-configuration"
    Then the server answers 200
    And the response field "issuer" ends with "/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
    And the response field "authorization_endpoint" ends with "/consumers/oauth2/v2.0/authorize"

  Scenario: M-01: discovery's endpoints are the tenant's /oauth2/v2.0/ paths and its keys' /discovery/v2.0/keys
    When the application fetches "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    Then the response field "authorization_endpoint" ends with "/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    And the response field "jwks_uri" ends with "/contoso.onmicrosoft.com/discovery/v2.0/keys"
    And the response field "device_authorization_endpoint" ends with "/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"

  Scenario: M-02: prompt=consent shows the consent page again to a user who consented
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the consent screen was skipped
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send" with "prompt=consent"
    Then the server answers 200
    And the consent screen was shown

  Scenario: M-02: login_hint fills in the sign-in page's account
    When the user's browser opens the authorization URL for "https://outlook.office.com/SMTP.Send" with "login_hint=alice@contoso.test" without signing in
    Then the sign-in form is filled in with alice@contoso.test

  Scenario: M-02: code_challenge_method plain is taken
    Given the application uses the "desktop" client
    And the application uses PKCE with method "plain"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200

  Scenario: M-02: a code comes back in the query with the state, as ?code=…&state=…
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the application's redirect URL matches '^http://localhost:\d+/?\?code=1\.A[^&]+&state=[^&]+$'

  Scenario: M-03: the code is redeemed with the secret in an HTTP Basic header too
    Given the application authenticates to the token endpoint with HTTP Basic
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 200

  Scenario: M-03: without openid there is no ID token
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    Then the server answers 200
    And the token response has no ID token

  Scenario: M-03: a web app's refresh needs its secret: AADSTS7000218 without it
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When the application refreshes the token without its client secret
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."

  Scenario: M-03: a public client refreshes without a secret
    Given the application uses the "desktop" client
    And the application uses PKCE with method "S256"
    And alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When the application refreshes the token without its client secret
    Then the server answers 200
    And the token response has a refresh token

  Scenario: M-03 [INF]: a code verifier that does not match the challenge is refused
    Given the application uses the "desktop" client
    And the application uses PKCE with method "S256"
    And the application will send another code verifier
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."

  Scenario: M-04, M-06: 9002313's body has no error_uri
    When the application refreshes the token "1.AXkAnotarealrefreshtoken"
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS9002313: "
    And the token response has no field "error_uri"

  Scenario: M-04, M-03: an SPA's expired refresh token carries suberror bad_token
    Given the application uses the "spa" client
    And the application uses PKCE with method "S256"
    And alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When 25 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant"
    And the token response field "suberror" is "bad_token"

  Scenario: M-05: a device code the server never issued is bad_verification_code
    Given the application uses the "desktop" client
    And the application's authority is "common"
    When the application posts "grant_type=urn:ietf:params:oauth:grant-type:device_code&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&device_code=DAQABAAEAAAD-not-a-device-code" to the token endpoint
    Then the server answers 400 with error "bad_verification_code"

  Scenario: M-05: the pending body ends with 70016's error_uri
    Given the device uses the "desktop" client
    And the application's authority is "common"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And the device polls the token endpoint
    Then the server answers 400 with error "authorization_pending"
    And the response body matches ',"error_codes":\[70016\],"timestamp":"[^"]+","trace_id":"[^"]+","correlation_id":"[^"]+","error_uri":"https://login\.microsoftonline\.com/error\?code=70016"\}$'

  Scenario: M-05: the device code response has a device_code and a user_code
    Given the device uses the "desktop" client
    And the application's authority is "common"
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    Then the device response has the field "device_code"
    And the device response has the field "user_code"

  Scenario: M-06: an empty scope= at /authorize is AADSTS900144 'scope', not a Graph token
    When alice@contoso.test authorizes the application with "scope="
    Then the application's redirect carries error "invalid_request"
    And the redirect's error description starts with "AADSTS900144: The request body must contain the following parameter: 'scope'."

  Scenario: M-06: a placeholder client id is AADSTS700016 on the sign-in page
    Given the application's client id is "Enter_the_Application_Id_here"
    When the user's browser opens the authorization URL for "https://outlook.office.com/SMTP.Send" without signing in
    Then no redirect reached the application
    And the page says "AADSTS700016: Application with identifier 'Enter_the_Application_Id_here' was not found in the directory"

  Scenario: M-07: the access token's header: typ JWT, alg RS256, a kid
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the access token's header "typ" is "JWT"
    And the access token's header "alg" is "RS256"
    And the access token's header "kid" is present
    And the access token has the claims "iat nbf exp"

  Scenario: M-07: a client credentials token for ps.outlook.com has that audience and SMTP.SendAsApp
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application asks for a token with client credentials for "https://ps.outlook.com/.default"
    Then the server answers 200
    And the access token's claim "aud" is "https://ps.outlook.com"
    And the access token's claim "roles" contains "IMAP.AccessAsApp"
    And the access token's claim "roles" contains "SMTP.SendAsApp"
    And the access token's claim "idtyp" is "app"

  Scenario: M-07: an app token for outlook.office365.com: POP.AccessAsApp, appidacr 1, sub the service principal's oid, v1 issuer
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the access token's claim "roles" contains "POP.AccessAsApp"
    And the access token's claim "appidacr" is "1"
    And the access token's claim "sub" is "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
    And the access token's claim "iss" is "https://sts.windows.net/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/"
    And the access token's claim "idp" is "https://sts.windows.net/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/"
    And the access token's claim "ver" is "1.0"

  Scenario: M-07: a delegated outlook.office365.com token has that audience and the user's claims
    When alice@contoso.test authorizes the application for "https://outlook.office365.com/IMAP.AccessAsUser.All"
    Then the server answers 200
    And the access token's claim "aud" is "https://outlook.office365.com"
    And the access token's claim "scp" contains "IMAP.AccessAsUser.All"
    And the access token has the claims "name oid sub tid unique_name upn"

  Scenario: M-08: ROPC by an app that does not allow public client flows is AADSTS7000218
    Given the application uses the "desktop" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the "desktop" app does not allow public client flows
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=alice-password" to the token endpoint
    Then the server answers 401 with error "invalid_client"
    And the error description starts with "AADSTS7000218: "

  Scenario: M-09: instance discovery of the fake's own authority names its tenant discovery endpoint and its host
    When the application asks instance discovery about its own authority
    Then the server answers 200
    And the response field "tenant_discovery_endpoint" ends with "/{tenant}/v2.0/.well-known/openid-configuration"
    And the response body matches '"metadata":\[\{"aliases":\["127\.0\.0\.1:\d+"\],"preferred_cache":"127\.0\.0\.1:\d+","preferred_network":"127\.0\.0\.1:\d+"\}\]'

  Scenario: M-09, M-10: instance discovery of another host is invalid_instance AADSTS50049
    When the application asks instance discovery about another authority
    Then the server answers 400 with error "invalid_instance"
    And the error description starts with "AADSTS50049: "

  Scenario: M-09: the ID token carries sub, iss, aud, exp, iat and the nonce the request sent
    When alice@contoso.test authorizes the application for "openid profile https://outlook.office.com/SMTP.Send" with "nonce=n-0S6_WzA2Mj"
    Then the ID token has the claims "sub iss aud exp iat nonce"
    And the ID token verifies with go-oidc and its "nonce" is "n-0S6_WzA2Mj"

  Scenario: M-11: a single-tenant app at /common with a redirect URI it does not have: the sign-in page, not a redirect
    Given the application's authority is "common"
    And the application listens for the redirect on an unregistered loopback port
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the browser shows the page "Sign in" with status 200

  Scenario: M-11: under Conditional Access a wrong password still gets AADSTS50126 first
    Given the application uses the "desktop" client
    And the application's authority is "contoso.onmicrosoft.com"
    And Conditional Access in the tenant "contoso.test" blocks alice@contoso.test
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=wrong" to the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50126: "

  Scenario: M-13: the "Need admin approval" page names the app, offers an admin sign-in, and ends with its troubleshooting block
    Given the tenant "contoso.test" does not let users consent to apps
    And the "web" app has no admin consent
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the browser shows the page "Need admin approval" with status 200
    And the page matches 'Need admin approval\s+web\s+web needs permission'
    And the page says "Have an admin account? Sign in with that account"
    And the page matches 'Request Id: [0-9a-f-]{36}\s+Correlation Id: [0-9a-f-]{36}\s+Timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+Message: AADSTS900941: '

  Scenario: M-13: "Need admin approval" is shown at /common/reprocess?ctx=…
    Given the tenant "contoso.test" does not let users consent to apps
    And the "web" app has no admin consent
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the browser shows the page "Need admin approval" with status 200
    And the application's redirect URL matches '^https://[^/]+/common/reprocess\?ctx=[A-Za-z0-9_-]+$'
    And the page says "Message: AADSTS900941: An administrator of contoso.onmicrosoft.com has set a policy that prevents you from granting web the permissions it is requesting."


  Scenario: M-02: a server error at /authorize comes back to the application as error=server_error
    Given the provider's "authorize" endpoint fails with "server_error"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the application's redirect carries error "server_error"
    And the application's redirect carries the state it sent

  Scenario: M-02: an unavailable /authorize comes back to the application as error=temporarily_unavailable
    Given the provider's "authorize" endpoint fails with "unavailable"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then the application's redirect carries error "temporarily_unavailable"

  Scenario: M-02: response_type=token is unsupported_response_type, sent back to the application
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send" with "response_type=token"
    Then the application received no code
    And the application's redirect carries error "unsupported_response_type"

  Scenario: M-06, F-12: a password change revokes the grant: the refresh is AADSTS50173
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    And alice@contoso.test changes their password
    When the application refreshes the token
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50173: "

  Scenario: M-06, F-12: the user removing the application's access revokes the grant: AADSTS50173
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    And alice@contoso.test removes the application's access in their account
    When the application refreshes the token
    Then the server answers 400 with error "invalid_grant"
    And the response field "error_codes" contains 50173

  Scenario: M-10: a resource the tenant does not know, at the token endpoint, is invalid_resource AADSTS500011 at 400
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application asks for a token with client credentials for "https://mail.contoso-crm.test/.default"
    Then the server answers 400 with error "invalid_resource"
    And the error description starts with "AADSTS500011: The resource principal named https://mail.contoso-crm.test was not found in the tenant named contoso.onmicrosoft.com."

  Scenario: F-01: a bare IMAP.AccessAsUser.All is Graph's: a Graph-audience token Exchange refuses
    When alice@contoso.test authorizes the application for "IMAP.AccessAsUser.All"
    Then the access token's claim "aud" is "https://graph.microsoft.com"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."

  Scenario: F-16: an access token an hour old gets Exchange's 535 5.7.3 with its stamp
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When 61 minutes pass
    And the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    Then the server's reply is "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: F-17: OAUTHBEARER at Exchange IMAP is NO
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE OAUTHBEARER base64(n,a=alice@contoso.test,^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    Then the server's reply is "a1 NO Unsupported authentication mechanism"

  Scenario: F-38: the registered redirect URI without its trailing slash is AADSTS50011 on the sign-in page
    Given the application sends its redirect URI without its trailing slash
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the page says "Message: AADSTS50011: The redirect URI 'http://localhost:"

  Scenario: F-38: 127.0.0.1 where the web app registered localhost is AADSTS50011
    Given the application sends its redirect URI with the host "127.0.0.1"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the page says "Message: AADSTS50011: The redirect URI 'http://127.0.0.1:"

  Scenario: M-03 [INF]: a code redeemed with another redirect_uri than the authorization's is AADSTS50011
    Given alice@contoso.test lets the application have a code for "https://outlook.office.com/SMTP.Send"
    When the application exchanges the code with the redirect URI "http://localhost:1/"
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50011: The redirect URI 'http://localhost:1/' specified in the request does not match"

  Scenario: F-28's fix: under an MFA requirement a device code sign-in passes it and gets its token
    Given the device uses the "desktop" client
    And the application's authority is "common"
    And the tenant "contoso.test" requires MFA for alice@contoso.test
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 200
    And the access token's claim "amr" contains "mfa"

  Scenario: F-38: a tool that sends the nativeclient URI where the app registered its local server is AADSTS50011
    Given the application sends the redirect URI "https://login.microsoftonline.com/common/oauth2/nativeclient"
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the page says "Message: AADSTS50011: The redirect URI 'https://login.microsoftonline.com/common/oauth2/nativeclient' specified in the request does not match"

  Scenario: M-11: a token-endpoint reply carries Expires: -1 beside its caching headers
    Given the application uses the "desktop" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=wrong" to the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the response header "Expires" is "-1"
    And the response header "Cache-Control" is "no-store, no-cache"
    And the response header "Pragma" is "no-cache"


  Scenario: M-06: client credentials for a bare /.default are AADSTS70011's "scope format is invalid", not 1002012
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    When the application asks for a token with client credentials for "/.default"
    Then the server answers 400 with error "invalid_scope"
    And the error description starts with "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope format is invalid. Scope must be in a valid URI form <https://example/scope> or a valid Guid <guid/scope>."

  Scenario: M-15: a bare /.default at /authorize is AADSTS70011 (c) on the sign-in page
    When alice@contoso.test authorizes the application for "openid /.default"
    Then no redirect reached the application
    And the browser shows the page "Sign in" with status 200
    And the page says "Message: AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope format is invalid."

  Scenario: M-11: an administrator of another tenant at a single-tenant app's admin consent is sent back with access_denied AADSTS50020
    When admin@fabrikam.test grants admin consent to the application at "/organizations/adminconsent"
    Then the application's redirect carries error "access_denied"
    And the redirect's error description starts with "AADSTS50020: User account 'admin@fabrikam.test' from identity provider 'https://sts.windows.net/7a2e7d3f-4c8b-4d2f-8e3b-1d6f9c8b5a21/' does not exist in tenant 'contoso.onmicrosoft.com'"
    And the application's redirect carries the state it sent
    And the application's redirect carries error_uri=https://login.microsoftonline.com/error?code=50020


  # M-02 records the names only: the account picker and the home-realm
  # shortcut behind them are not modelled; the request is taken.
  Scenario: M-02: prompt=select_account and domain_hint are taken
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send" with "prompt=select_account"
    Then the server answers 200
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send" with "domain_hint=contoso.test"
    Then the server answers 200


  Scenario: M-11, M-15: no redirect_uri for an app that registered none is AADSTS900971 on the sign-in page
    Given the "web" app has no redirect URI
    And the application sends the redirect URI ""
    When the user's browser opens the authorization URL for "https://outlook.office.com/SMTP.Send" without signing in
    Then no redirect reached the application
    And the browser shows the page "Sign in" with status 200
    And the page says "Message: AADSTS900971: No reply address provided."
