@microsoft @policies
Feature: Tenant policies met after sign-in: MFA and Conditional Access
  A tenant that requires multi-factor authentication, per user or for
  everyone, or whose Conditional Access blocks token issuance: what the
  application's refresh, device code and interactive sign-in meet (M-11,
  F-28).

  Background:
    Given the application uses the "web" client

  Scenario: MFA turned on after sign-in: the next refresh is AADSTS50076 with suberror basic_action (M-11, F-28)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    And the tenant "contoso.test" requires MFA for alice@contoso.test
    When the application refreshes the token
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'."
    And the token response field "suberror" is "basic_action"
    And the response body matches ',"error_uri":"https://login\.microsoftonline\.com/error\?code=50076","suberror":"basic_action"\}$'

  Scenario: Under a tenant-wide MFA requirement an interactive sign-in passes it and its refresh works (M-11, F-28)
    Given the tenant "contoso.test" requires MFA
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send offline_access"
    Then the access token's claim "amr" contains "mfa"
    When the application refreshes the token
    Then the server answers 200

  Scenario: MFA for another user leaves this one's refresh alone (M-11)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    And the tenant "contoso.test" requires MFA for bob@contoso.test
    When the application refreshes the token
    Then the server answers 200

  Scenario: Conditional Access blocking the user: the refresh is interaction_required AADSTS53003, suberror message_only (M-11, F-28)
    Given alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    And Conditional Access in the tenant "contoso.test" blocks alice@contoso.test
    When the application refreshes the token
    Then the server answers 400 with error "interaction_required"
    And the error description starts with "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."
    And the response body matches ',"suberror":"message_only"\}$'

  Scenario: Conditional Access blocking everyone stops the interactive sign-in on the sign-in page (M-11, F-28)
    Given Conditional Access in the tenant "contoso.test" blocks every user
    When alice@contoso.test authorizes the application for "https://outlook.office.com/SMTP.Send"
    Then no redirect reached the application
    And the page says "Message: AADSTS53003: Access has been blocked by Conditional Access policies."

  Scenario: Conditional Access at the device code poll after a successful browser sign-in: AADSTS53003 (M-11, F-28)
    Given the device uses the "desktop" client
    And the application's authority is "common"
    And Conditional Access in the tenant "contoso.test" blocks alice@contoso.test
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "interaction_required"
    And the error description starts with "AADSTS53003: "
    And the token response field "suberror" is "message_only"

  Scenario: No user consent at a device code: the poll is invalid_grant AADSTS65001, suberror consent_required (M-10, M-13, F-10)
    Given the device uses the "desktop" client
    And the application's authority is "common"
    And the tenant "contoso.test" does not let users consent to apps
    And the "desktop" app has no admin consent
    When the device asks for a code for "https://outlook.office.com/SMTP.Send"
    And alice@contoso.test approves the device on the verification page
    And 5 seconds pass
    And the device polls the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the response field "error_description" matches "^AADSTS65001: The user or administrator has not consented to use the application with ID '6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d' named 'desktop'\. Send an interactive authorization request for this user and resource\.\r\n"
    And the response body matches ',"suberror":"consent_required"\}$'

  Scenario: A sign-in older than the tenant's sign-in frequency: the refresh is AADSTS70043 (M-06, F-12)
    Given the tenant "contoso.test" asks users to sign in again every 12 hours
    And alice@contoso.test has authorized the application for "https://outlook.office.com/SMTP.Send offline_access"
    When 11 hours pass
    And the application refreshes the token
    Then the server answers 200
    When 2 hours pass
    And the application refreshes the token
    Then the server answers 400 with error "invalid_grant"
    And the response field "error_description" matches "^AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access\. The token was issued on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z and the maximum allowed lifetime for this request is 43200\.\r\n"
