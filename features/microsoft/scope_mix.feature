@microsoft @scope_mix
Feature: Graph and Outlook scopes in one token request, by account type
  /authorize takes scopes of several resources; the token request must name
  scopes of one. Naming two at /token is AADSTS28000 for an organization's
  user (2023-24) and AADSTS70011 "…not compatible with each other." for a
  personal Microsoft account (2026); which account type gets which text is
  M-12's guess [INF] (M-06 70011 row, variant d; F-29).

  Background:
    Given the application uses the "desktop" client
    And the application's authority is "common"
    And the application sends "scope=offline_access https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/User.Read https://outlook.office.com/IMAP.AccessAsUser.All" with its token requests

  Scenario: An organization's user naming Graph and Outlook scopes at /token gets AADSTS28000 (M-12, M-06, F-29)
    When alice@contoso.test authorizes the application for "offline_access https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/User.Read https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the server answers 400 with error "invalid_scope"
    And the error description starts with "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource. Scope offline_access https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/User.Read https://outlook.office.com/IMAP.AccessAsUser.All is not valid."
    And the response field "error_description" matches "is not valid\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: "
    And the response field "error_codes" contains 28000

  Scenario: A personal Microsoft account naming Graph and Outlook scopes at /token gets AADSTS70011 (d), the list as sent (M-12, M-06, F-29)
    When dave@outlook.test authorizes the application for "offline_access https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/User.Read https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the server answers 400 with error "invalid_scope"
    And the error description starts with "AADSTS70011: The provided value for the input parameter 'scope' is not valid. One or more scopes in 'offline_access https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/User.Read https://outlook.office.com/IMAP.AccessAsUser.All' are not compatible with each other."
    And the response field "error_description" matches "with each other\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: "
    And the response field "error_codes" contains 70011
    And the token response field "error_uri" is "https://login.microsoftonline.com/error?code=70011"

  Scenario: A personal Microsoft account naming one resource at /token gets that resource's token, from the consumers tenant (M-12, M-01)
    Given the application sends "scope=https://outlook.office.com/IMAP.AccessAsUser.All offline_access" with its token requests
    When dave@outlook.test authorizes the application for "offline_access https://graph.microsoft.com/User.Read https://outlook.office.com/IMAP.AccessAsUser.All"
    Then the server answers 200
    And the access token's claim "aud" is "https://outlook.office.com"
    And the access token's claim "tid" is "9188040d-6c67-4c5b-b112-36a304b66dad"
