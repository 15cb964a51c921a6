@microsoft @exchange
Feature: Exchange Online's SMTP and IMAP servers with delegated tokens
  smtp.office365.com (587, STARTTLS) and outlook.office365.com (993) accept
  SASL XOAUTH2 with a token for Exchange's audience that carries the
  protocol's permission and belongs to the mailbox's user, and answer
  every refusal with their own lines (EX-01, EX-03, EX-05, EX-06, F-01,
  F-03, F-04, F-05, F-16, F-17).

  Background:
    Given the application uses the "web" client

  @smtp @imap
  Scenario: Seed 001: IMAP and SMTP with one token, receive and send (EX-01, EX-03, EX-05)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
    And the world delivered a message with subject "Invoice 42" to alice@contoso.test
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server accepts the authentication
    And the IMAP server answers AUTHENTICATE with "OK AUTHENTICATE completed."
    And the INBOX holds a message with subject "Invoice 42"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication
    When the application sends a message from alice@contoso.test to bob@contoso.test with subject "Re: Invoice 42"
    Then the message is accepted

  @smtp
  Scenario: Exchange's success line: 235 2.7.0 Authentication successful, after the empty 334 of a two-step AUTH (EX-05)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application sends "AUTH XOAUTH2" on a new SMTP connection after STARTTLS
    Then the server's reply is "334 "
    When the application sends "base64(user=alice@contoso.test^Aauth=Bearer <token>^A^A)" on that connection
    Then the server's reply is "235 2.7.0 Authentication successful"

  @imap
  Scenario: Exchange's IMAP greeting and capabilities, XOAUTH2 only (EX-03, EX-06)
    # EX-03's list but ID and CHILDREN, which the server does not
    # implement; none of go-imap's own LITERAL-, ENABLE, UTF8=ACCEPT.
    When the application connects to the provider's IMAP server with implicit TLS
    Then the IMAP greeting matches "^\* OK The Microsoft Exchange IMAP4 service is ready\. \[[A-Za-z0-9+/=]+\]$"
    And the IMAP server lists exactly "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS UNSELECT IDLE NAMESPACE LITERAL+"
    And the IMAP server answers CAPABILITY with "OK CAPABILITY completed."

  @imap
  Scenario: Exchange lists LITERAL+ and MOVE once authenticated, and takes an APPEND (EX-03, EX-07)
    # go-imap's client sends a synchronizing literal past 4,096 bytes even
    # to a LITERAL+ server; mocks/imap's TestNonSynchronizingAppend sends
    # "{n+}" itself.
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server accepts the authentication
    And the IMAP server lists exactly "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE UNSELECT IDLE NAMESPACE LITERAL+"
    When the application appends a 10000-byte message with subject "Big draft" to the INBOX over IMAP
    Then the INBOX holds a message with subject "Big draft"

  @smtp
  Scenario: Exchange's SMTP greeting; AUTH LOGIN XOAUTH2 only after STARTTLS, through go-smtp's client (EX-05, EX-06, EX-11)
    When the application connects to the provider's SMTP server with STARTTLS
    Then the SMTP greeting matches "^220 [A-Z0-9]+\.outlook\.office365\.com Microsoft ESMTP MAIL Service ready at .+ \[[0-9A-F]{16}\]$"
    And before TLS the EHLO reply had no AUTH line
    And the SMTP server offers "AUTH LOGIN XOAUTH2"

  @smtp
  Scenario: A Graph SMTP.Send token is refused by SMTP: 535 5.7.3 (M-07, F-01, seed 000)
    Given alice@contoso.test has authorized the application for "SMTP.Send offline_access"
    Then the access token's claim "aud" is "https://graph.microsoft.com"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server replies:
      """
      535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """
    And the world recorded a refused smtp authentication of alice@contoso.test because "wrong_audience"

  @imap
  Scenario: A Graph IMAP token is refused by IMAP at once, with no error challenge (M-07, EX-03, F-01)
    Given alice@contoso.test has authorized the application for "https://graph.microsoft.com/IMAP.AccessAsUser.All"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."

  @smtp @imap
  Scenario: A token with SMTP.Send only does not open IMAP (EX-01)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@contoso.test with XOAUTH2
    Then the IMAP server replies "NO AUTHENTICATE failed."
    And the world recorded a refused imap authentication of alice@contoso.test because "wrong_scope"

  @smtp
  Scenario: One account's token for another mailbox: 535 5.7.3 (F-03)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as bob@contoso.test with XOAUTH2
    Then the SMTP server refuses the authentication with 535
    And the world recorded a refused smtp authentication of bob@contoso.test because "wrong_user"

  @imap
  Scenario: A delegate's token opens the shared mailbox (EX-01)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/IMAP.AccessAsUser.All"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as info@contoso.test with XOAUTH2
    Then the IMAP server accepts the authentication

  @smtp
  Scenario: SMTP AUTH disabled for the tenant: 535 5.7.139 (EX-05, F-04)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    And the tenant "contoso.test" turns SMTP AUTH off
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server replies:
      """
      535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """

  @smtp
  Scenario: SMTP AUTH disabled for one mailbox (EX-05, F-04)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    And the tenant "contoso.test" turns SMTP AUTH off for alice@contoso.test
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server refuses the authentication with 535
    And the world recorded a refused smtp authentication of alice@contoso.test because "auth_disabled"

  @smtp
  Scenario: A password is refused: basic authentication is disabled (EX-05, F-05)
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with LOGIN and the password "alice-password"
    Then the SMTP server replies:
      """
      535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """

  @smtp
  Scenario: OAUTHBEARER is not offered by Exchange: 504 5.7.4 (EX-06, F-17)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with OAUTHBEARER
    Then the SMTP server replies:
      """
      504 5.7.4 Unrecognized authentication type [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """

  @smtp
  Scenario: An access token an hour old is refused until the application refreshes it (F-16)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When 61 minutes pass
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server refuses the authentication with 535
    When the application asks x/oauth2 for a valid token
    And the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication
