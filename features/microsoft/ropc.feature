@microsoft @ropc
Feature: The resource owner password grant, which Entra still answers
  grant_type=password with username and password at /{tenant}/oauth2/v2.0/token:
  an unknown user, a wrong password, and the policies a password cannot
  satisfy (M-11, F-28).

  Background:
    Given the application uses the "desktop" client
    And the application's authority is "contoso.onmicrosoft.com"

  Scenario: A right password with no policy in the way gets a token for the user (M-11)
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send offline_access&username=alice@contoso.test&password=alice-password" to the token endpoint
    Then the server answers 200
    And the token response has the field "refresh_token"
    And the token response field "scope" is "https://outlook.office.com/SMTP.Send"

  Scenario: A wrong password is invalid_grant AADSTS50126 (M-11)
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=wrong" to the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50126: Error validating credentials due to invalid username or password."
    And the response field "error_codes" contains 50126

  Scenario: A user the tenant does not have is AADSTS50034 (M-11)
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=carol@fabrikam.test&password=carol-password" to the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50034: The user account {EmailHidden} does not exist in the contoso.onmicrosoft.com directory. To sign into this application, the account must be added to the directory."

  Scenario: ROPC under an MFA requirement is AADSTS50076, basic_action; a wrong password still gets 50126 first (M-11, F-28)
    Given the tenant "contoso.test" requires MFA
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=alice-password" to the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'."
    And the token response field "suberror" is "basic_action"
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=wrong" to the token endpoint
    Then the error description starts with "AADSTS50126: "

  Scenario: ROPC blocked by Conditional Access is interaction_required AADSTS53003 (M-11, F-28)
    Given Conditional Access in the tenant "contoso.test" blocks alice@contoso.test
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=https://outlook.office.com/SMTP.Send&username=alice@contoso.test&password=alice-password" to the token endpoint
    Then the server answers 400 with error "interaction_required"
    And the error description starts with "AADSTS53003: Access has been blocked by Conditional Access policies."
    And the token response field "suberror" is "message_only"

  Scenario: ROPC under MFA for OpenID Connect scopes alone names Microsoft Graph, the default resource (M-11)
    Given the tenant "contoso.test" requires MFA for alice@contoso.test
    When the application posts "grant_type=password&client_id=6f2b0d3c-8e4a-4b9f-a7d2-1a3e5f7b9c0d&scope=openid profile&username=alice@contoso.test&password=alice-password" to the token endpoint
    Then the server answers 400 with error "invalid_grant"
    And the error description starts with "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'."
