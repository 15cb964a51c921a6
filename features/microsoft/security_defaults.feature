@microsoft @exchange @smtp
Feature: Security Defaults and Conditional Access refuse a password at SMTP AUTH
  With Entra's Security Defaults on (or a Conditional Access policy that
  blocks the user), smtp.office365.com answers a password sent with AUTH
  LOGIN "535 5.7.139 Authentication unsuccessful, the request did not meet
  the criteria to be authenticated successfully. Contact your
  administrator." with its [host ts id] stamp (EX-13, F-27); the fix F-27
  names, XOAUTH2 with a token, still works. SMTP AUTH switched off for the
  tenant answers first, with F-04's text (EX-05; the order is [INF]).

  Background:
    Given the application uses the "web" client

  Scenario: Security Defaults: a password with AUTH LOGIN gets the criteria 5.7.139 (EX-13, F-27)
    Given the tenant "contoso.test" turns Security Defaults on
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with LOGIN and the password "alice-password"
    Then the SMTP server replies:
      """
      535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """
    And the world recorded a refused smtp authentication of alice@contoso.test because "blocked_by_policy"

  Scenario: Security Defaults on the wire: AUTH LOGIN's two challenges, then the refusal (EX-11, EX-13, F-27)
    Given the tenant "contoso.test" turns Security Defaults on
    When the application sends "AUTH LOGIN" on a new SMTP connection after STARTTLS
    Then the server's reply is "334 VXNlcm5hbWU6"
    When the application sends "base64(alice@contoso.test)" on that connection
    Then the server's reply is "334 UGFzc3dvcmQ6"
    When the application sends "base64(alice-password)" on that connection
    Then the server's reply is "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]"

  Scenario: Security Defaults: XOAUTH2 with a token still sends (F-27's fix)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send"
    And the tenant "contoso.test" turns Security Defaults on
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with XOAUTH2
    Then the SMTP server accepts the authentication
    When the application sends a message from alice@contoso.test to bob@contoso.test with subject "Sent under Security Defaults"
    Then the message is accepted

  Scenario: Conditional Access blocking the user refuses the password the same way (F-27 [INF])
    Given Conditional Access in the tenant "contoso.test" blocks alice@contoso.test
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with LOGIN and the password "alice-password"
    Then the SMTP server replies:
      """
      535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """

  Scenario: Conditional Access blocking another user leaves Alice's password to basic auth's refusal (EX-13, F-05)
    Given Conditional Access in the tenant "contoso.test" blocks bob@contoso.test
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with LOGIN and the password "alice-password"
    Then the SMTP server replies:
      """
      535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """
    And the world recorded a refused smtp authentication of alice@contoso.test because "basic_auth"

  Scenario: SMTP AUTH off for the tenant answers a password before Security Defaults (EX-05, EX-13, F-04 [INF order])
    Given the tenant "contoso.test" turns Security Defaults on
    And the tenant "contoso.test" turns SMTP AUTH off
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with LOGIN and the password "alice-password"
    Then the SMTP server replies:
      """
      535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN2PR00CA0018.NAMPRD00.PROD.OUTLOOK.COM <ts> <id>]
      """
    And the world recorded a refused smtp authentication of alice@contoso.test because "auth_disabled"

  Scenario: SMTP AUTH off for Alice's mailbox answers her password with F-04's text (EX-05, F-04)
    Given the tenant "contoso.test" turns SMTP AUTH off for alice@contoso.test
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with LOGIN and the password "alice-password"
    Then the SMTP server refuses the authentication with 535
    And the world recorded a refused smtp authentication of alice@contoso.test because "auth_disabled"

  Scenario: Security Defaults are the tenant's own: Fabrikam's refuse Carol's password, Contoso's Alice gets basic auth's refusal (EX-13, F-27, F-05)
    Given the tenant "fabrikam.onmicrosoft.com" turns Security Defaults on
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as carol@fabrikam.test with LOGIN and the password "carol-password"
    Then the world recorded a refused smtp authentication of carol@fabrikam.test because "blocked_by_policy"
    When the application connects to the provider's SMTP server with STARTTLS
    And the application authenticates to SMTP as alice@contoso.test with LOGIN and the password "alice-password"
    Then the world recorded a refused smtp authentication of alice@contoso.test because "basic_auth"

  @imap
  Scenario: Under Security Defaults an IMAP password keeps Exchange's IMAP refusal (F-27 is SMTP's; IMAP's text is not recorded)
    Given the tenant "contoso.test" turns Security Defaults on
    When the application connects to the provider's IMAP server with implicit TLS
    And the application logs in to IMAP as alice@contoso.test with the password "alice-password"
    Then the IMAP server replies "NO LOGIN failed."
    And the world recorded a refused imap authentication of alice@contoso.test because "basic_auth"
