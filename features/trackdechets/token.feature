@trackdechets
Feature: Trackdéchets token: never expires, never refreshed, revoked by its user
  The token has no expiry and no refresh token (T-04); x/oauth2 must never
  try to refresh it, and a client that tries gets unsupported_grant_type
  (F-18). It opens the GraphQL API at / (T-05) until the user revokes the
  application in their account (T-06); then the API treats the request as
  anonymous.

  Background:
    Given the application uses the "web" client

  @api
  Scenario: The token opens the API: the "me" query answers the token's user (T-05)
    When alice@trackdechets.test authorizes the application
    And the application queries the API with "{ me { email name } }"
    Then the API's "me.email" is "alice@trackdechets.test"
    And the API's "me.name" is "Alice Martin"

  @api
  Scenario: Ten years later the token still works, and x/oauth2 never tried to refresh it (T-04)
    When alice@trackdechets.test authorizes the application
    And 10 years pass
    And the application asks x/oauth2 for a valid token
    Then x/oauth2 gave back the same token without asking the provider
    When the application queries the API with "{ me { email } }"
    Then the API's "me.email" is "alice@trackdechets.test"

  @refresh
  Scenario: A client that "refreshes" gets unsupported_grant_type (F-18)
    When alice@trackdechets.test authorizes the application
    And the application posts "grant_type=refresh_token&refresh_token=anything" to the token endpoint with its client credentials
    Then the server answers 501 with error "unsupported_grant_type" and description "Unsupported grant type: refresh_token"

  @api
  Scenario: An unknown token makes the request anonymous: me is UNAUTHENTICATED, with HTTP 200 (T-05)
    When the application queries the API with "{ me { email } }" and the token "0123456789abcdefghijABCDEFGHIJ0123456789"
    Then the server answers 200
    And the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"

  @api
  Scenario: No token at all is anonymous too (T-05)
    When the application queries the API with "{ me { email } }" and the token ""
    Then the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"

  @revoke
  Scenario: The user revokes the application on their account page; the token stops opening the API (T-06)
    When alice@trackdechets.test authorizes the application
    And alice@trackdechets.test revokes the application on their Trackdéchets account page
    Then the page says "Vous avez donné accès à 0 application(s)"
    When the application queries the API with "{ me { email } }"
    Then the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"

  @revoke
  Scenario: Revocation as a world action (T-06)
    When alice@trackdechets.test authorizes the application
    And alice@trackdechets.test removes the application's access in their account
    And the application queries the API with "{ me { email } }"
    Then the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"

  @revoke
  Scenario: Revocation is the user's alone: the application's token cannot revoke itself (T-06)
    When alice@trackdechets.test authorizes the application
    And the application queries the API with 'mutation { revokeAuthorizedApplication(id: "ck7d66y9s00x20784u4u7fp8l") { id } }'
    Then the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"
    When the application queries the API with "{ me { email } }"
    Then the API's "me.email" is "alice@trackdechets.test"

  @revoke @api
  Scenario: A personal access token opens the API until its user revokes it by its id (T-05, T-06)
    When alice@trackdechets.test generates a personal access token "ERP" in their account
    And the application queries the API with "{ me { email } }"
    Then the API's "me.email" is "alice@trackdechets.test"
    When alice@trackdechets.test revokes their personal access token "ERP"
    And the application queries the API with "{ me { email } }"
    Then the API refuses with "Vous n'êtes pas connecté." and code "UNAUTHENTICATED"

  @revoke @api
  Scenario: Another user's personal access token cannot be revoked: FORBIDDEN (T-06)
    When alice@trackdechets.test generates a personal access token "ERP" in their account
    And bob@trackdechets.test revokes alice@trackdechets.test's personal access token "ERP"
    Then the API refuses with "Vous n'avez pas le droit de supprimer ce jeton d'accès" and code "FORBIDDEN"
    When the application queries the API with "{ me { email } }"
    Then the API's "me.email" is "alice@trackdechets.test"

  @revoke @api
  Scenario: revokeAccessToken with an id Trackdéchets does not know (T-06)
    When alice@trackdechets.test revokes the personal access token "cnotatoken00000000000000" by its id
    Then the API refuses with "Ce jeton d'accès n'existe pas" and code "BAD_USER_INPUT"

  @revoke
  Scenario: The account page lists the authorized application with its administrator (T-06)
    When alice@trackdechets.test authorizes the application
    And alice@trackdechets.test signs in to Trackdéchets
    Then the page says "dev@saas-dechets.test"
