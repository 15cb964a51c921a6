@google @authcode
Feature: Google's "Access blocked" pages and the token side of a Workspace block
  Once the user is signed in, before any consent screen: an app whose
  consent screen is in Testing admits only its test users (G-14, F-33), and
  a Workspace admin may block a client in the domain's API controls (G-14,
  F-34), which the token endpoint then answers with admin_policy_enforced
  and the admin's text (G-07, G-13).

  Background:
    Given the application uses the "web" client

  Scenario: An app in Testing and a user who is not a test user: Error 403: access_denied (G-14, F-33)
    Given the Google "web" client's consent screen is in Testing with the test user "bob@gmail.test"
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "access_type=offline"
    Then the browser shows the page "Access blocked: web has not completed the Google verification process" with status 403
    And the page says "web has not completed the Google verification process. The app is currently being tested, and can only be accessed by developer-approved testers. If you think you should have access, contact the developer."
    And the page says "If you are a developer of web, see error details."
    And the page says "Error 403: access_denied"
    And the page says "Request details: access_type=offline scope=https://mail.google.com/ response_type=code redirect_uri="
    And the page says "flowName=GeneralOAuthFlow client_id=406112386143-web0mailoauth.apps.googleusercontent.com"
    And the consent screen was skipped
    And no redirect reached the application

  Scenario: An app in Testing lets its test users in (G-14, G-08)
    Given the Google "web" client's consent screen is in Testing with the test users "bob@gmail.test, alice@gmail.test"
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200

  Scenario: A Workspace admin blocks the client: Error 400: admin_policy_enforced (G-14, F-34)
    Given carol@corp.test has a Google Workspace account
    And the Workspace admin of "corp.test" blocks the "web" client
    When carol@corp.test authorizes the application for "https://mail.google.com/"
    Then the browser shows the page "Access blocked: authorization error" with status 400
    And the page says "Access to your account data is restricted by policies within your organization. Please contact the administrator of your organization for more information."
    And the page says "Error 400: admin_policy_enforced"
    And the consent screen was skipped
    And no redirect reached the application

  Scenario: The block spares the domain's other clients (G-14)
    Given carol@corp.test has a Google Workspace account
    And the Workspace admin of "corp.test" blocks the "other-web" client
    When carol@corp.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200

  Scenario: The block spares other domains' users (G-14)
    Given the Workspace admin of "corp.test" blocks the "web" client
    When alice@gmail.test authorizes the application for "https://mail.google.com/"
    Then the server answers 200

  Scenario: Blocked after the grant: the refresh gets admin_policy_enforced with the admin's text (G-07, G-08, F-34)
    Given carol@corp.test has a Google Workspace account
    And carol@corp.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When the Workspace admin of "corp.test" blocks the "web" client with the message "This application is currently blocked."
    And the application refreshes the token
    Then the server answers 400 with error "admin_policy_enforced" and description "This application is currently blocked."

  Scenario: A device approved by a user whose Workspace blocks the client: the poll gets admin_policy_enforced (G-13, G-14)
    Given carol@corp.test has a Google Workspace account
    And the Workspace admin of "corp.test" blocks the "tv" client
    And the device uses the "tv" client
    When the device asks for a code for "email"
    And carol@corp.test approves the device on the verification page
    And 10 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "admin_policy_enforced" and description "Access to your account data is restricted by policies within your organization. Please contact the administrator of your organization for more information."
