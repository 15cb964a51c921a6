@microsoft @exchange @claims
Feature: Exchange Online's mail-server claims of PROVIDERS.md asserted on the wire
  The claims of EX-01 to EX-13 that the other features left unasserted
  (issue 25, docs/claims/mail-trackdechets.md): the CAPABILITY lines in
  Exchange's order before and after AUTHENTICATE, the lower-case two-step
  AUTH of Microsoft's doc, the 2020 doc's delegated scopes, an app token
  refused at SMTP AUTH, a delegated token's header and claims, the .NET
  ticks in the stamps and the greeting, OAUTHBEARER refused on IMAP and
  POP.

  Background:
    Given the application uses the "web" client

  @imap
  Scenario: CAPABILITY before AUTHENTICATE, in EX-03's order (EX-03, EX-06)
    # EX-03's list less ID and CHILDREN, which the server does not
    # implement (mocks/microsoft/exchange.go).
    When the application sends "a1 CAPABILITY" on a new IMAP connection
    Then the server's reply is:
      """
      * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS UNSELECT IDLE NAMESPACE LITERAL+
      a1 OK CAPABILITY completed.
      """

  @imap
  Scenario: After AUTHENTICATE the list keeps AUTH=PLAIN AUTH=XOAUTH2 and gains MOVE (EX-03, EX-07)
    # EX-03's post-authentication list less ID, CLIENTACCESSRULES,
    # CLIENTNETWORKPRESENCELOCATION, BACKENDAUTHENTICATE and CHILDREN, which
    # the server does not implement.
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 CAPABILITY" on that connection
    Then the server's reply is:
      """
      * CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE UNSELECT IDLE NAMESPACE LITERAL+
      a2 OK CAPABILITY completed.
      """

  # Exchange's own text for a mechanism it does not offer is NOT FOUND
  # (F-17 says "IMAP NO"): go-imap's and the POP server's are used.
  @imap
  Scenario: OAUTHBEARER is no IMAP mechanism at Exchange (EX-06)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with OAUTHBEARER
    Then the IMAP server replies "NO Unsupported authentication mechanism"

  @pop3
  Scenario: OAUTHBEARER is no POP mechanism at Exchange (EX-06, EX-07)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/POP.AccessAsUser.All"
    When the application sends "AUTH OAUTHBEARER" on a new POP3 connection
    Then the server's reply is "-ERR Unknown authentication mechanism"

  @smtp
  Scenario: The doc's exchange in lower case: auth xoauth2, the empty 334, the blob, 235 2.7.0 (EX-05)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application sends "auth xoauth2" on a new SMTP connection after STARTTLS
    Then the server's reply is "334 "
    When the application sends "base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on that connection
    Then the server's reply is "235 2.7.0 Authentication successful"

  @imap @pop3
  Scenario: The 2020 doc's delegated scopes on outlook.office365.com open IMAP and POP (EX-01)
    Given alice@contoso.test has authorized the application for "https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/POP.AccessAsUser.All"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server answers AUTHENTICATE with "OK AUTHENTICATE completed."
    When the application connects to the provider's POP3 server with implicit TLS
    And the application authenticates to POP3 as alice@contoso.test with XOAUTH2 in two steps
    Then the POP3 server replies "+OK User successfully authenticated."

  @smtp
  Scenario: An app token without its Exchange service principal is refused at SMTP AUTH: 535 5.7.3 with the stamp (EX-02, EX-13)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the Exchange service principal of the "daemon" app is removed
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    And the application sends "AUTH XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new SMTP connection after STARTTLS
    Then the server's reply is "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"
    And the world recorded a refused smtp authentication of alice@contoso.test because "no_service_principal"

  @imap
  Scenario: A delegated IMAP token, decoded: EX-07's header and claims (EX-07)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
    Then the access token's header "typ" is "JWT"
    And the access token's header "alg" is "RS256"
    And the access token's header "nonce" is present
    And the access token's header "x5t" is the key id
    And the access token's claim "aud" is "https://outlook.office.com"
    And the access token's claim "iss" is "https://sts.windows.net/6f1d6c2e-3b7a-4c1e-9d2a-0c5e8b7a4f10/"
    And the access token's claim "ver" is "1.0"
    And the access token's claim "unique_name" is "alice@contoso.test"
    And the access token's claim "upn" is "alice@contoso.test"
    And the access token's claim "app_displayname" is "web"
    And the access token's claim "scp" contains "IMAP.AccessAsUser.All"
    And the access token has the claims "iat nbf exp appid appidacr tid oid"

  @smtp
  Scenario: The stamp's 16-hex id is .NET ticks of a time up to 2 days before the stamp's timestamp (EX-13 [INF])
    When the application sends "AUTH LOGIN" on a new SMTP connection before STARTTLS
    Then the server's reply is "504 5.7.4 Unrecognized authentication type [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"
    And the server's reply carries .NET ticks of a time up to 2 days before it

  @smtp
  Scenario: The greeting's bracketed id has the stamp's form (EX-11, EX-13 [INF])
    When the application sends "EHLO client.mailoauth.test" on a new SMTP connection before STARTTLS
    Then the raw connection's greeting carries .NET ticks of a time up to 2 days before it

  @imap
  Scenario: The multi-tenant admin-consent URL's POP/IMAP scope https://ps.outlook.com/.default gives the daemon its roles (EX-01)
    Given the application uses the "daemon" client
    And the application's authority is "contoso.onmicrosoft.com"
    And the "daemon" app has no admin consent
    When admin@contoso.test grants admin consent to the application at "/contoso.onmicrosoft.com/v2.0/adminconsent" for "https://ps.outlook.com/.default"
    Then the application's redirect carries admin_consent=True
    When the application asks for a token with client credentials for "https://outlook.office365.com/.default"
    Then the access token's claim "roles" contains "IMAP.AccessAsApp"
    And the access token's claim "roles" contains "POP.AccessAsApp"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server answers AUTHENTICATE with "OK AUTHENTICATE completed."

  @imap
  Scenario: Consent by the admin alone is no cause: the mailbox user's own token then opens IMAP (EX-08)
    Given the tenant "contoso.onmicrosoft.com" does not let users consent to apps
    And the "web" app has no admin consent
    When admin@contoso.test grants admin consent to the application at "/contoso.onmicrosoft.com/adminconsent"
    And alice@contoso.test authorizes the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    And the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 SELECT INBOX" on that connection
    Then the server's reply is "a2 OK [READ-WRITE] SELECT completed"

  @smtp
  Scenario: 31 messages in a minute all go: the 30-a-minute limit only delays delivery (EX-12)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    And the application sends 31 messages from alice@contoso.test to bob@contoso.test
    Then the message is accepted

  @imap
  Scenario: Not connected: LIST gets the BAD too (EX-08)
    Given admin@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection
    And the application sends "a2 LIST x *" on that connection
    Then the server's reply is "a2 BAD User is authenticated but not connected."
