@app @google
Feature: Google: the application under test signs in, sends and reads with XOAUTH2
  The user's own application runs as the client (`mailoauth run --app CMD`);
  the harness plays the world and the user, and judges what the world saw.
  Seeds 000 and 001 (a school timetable sending through Gmail, a CRM reading
  IMAP on localhost:3017): a "Web application" client, the scope
  https://mail.google.com/ (GM-01), offline access and consent (G-03).

  Background:
    Given the application under test is the "web" client

  @authcode @smtp
  Scenario: The application signs alice in and sends a message over SMTP STARTTLS with XOAUTH2 as alice (seed 001, GM-02, GM-04)
    When the application signs alice@gmail.test in
    And the application sends a message to bob@gmail.test with the subject "Emploi du temps"
    Then the application succeeded
    And the world delivered "Emploi du temps" to bob@gmail.test
    And the world saw 1 authorization_code request
    And every smtp authentication was XOAUTH2 as alice@gmail.test with a token of the application
    And the smtp authentication used the transport "starttls"

  @authcode
  Scenario: The authorization asks for offline access and consent, so a refresh token comes with the code (seed 000, G-02, G-03, F-15)
    When the application signs alice@gmail.test in
    Then the authorization request carried access_type=offline
    And the authorization request carried prompt=consent
    And the authorization request carried response_type=code

  @authcode
  Scenario: The authorization asks for https://mail.google.com/, the one scope Gmail's SMTP, IMAP and POP take (GM-01, F-13)
    When the application signs alice@gmail.test in
    Then the authorization request's scope includes "https://mail.google.com/"
    And the authorization request's scope does not include "https://www.googleapis.com/auth/gmail.send"
    And the authorization request carried the application's redirect URI

  @authcode
  Scenario: The authorization request carries a state (G-02, RFC 6749 §10.12)
    When the application signs alice@gmail.test in
    Then the authorization request carried state=sent

  @authcode
  Scenario: A redirect with another state is refused by the application, which exchanges no code (G-04, RFC 6749 §10.12)
    Given the redirect to the application will carry a forged state
    When the application tries to sign alice@gmail.test in
    Then the application failed saying "state"
    And the world saw no authorization_code request

  @authcode
  Scenario: alice refuses consent: the application reports access_denied and has no token (G-04)
    Given alice@gmail.test will press "deny" on the consent screen
    When the application tries to sign alice@gmail.test in
    Then the application failed saying "access_denied"
    And the world saw no authorization_code request

  @refresh @smtp
  Scenario: An hour later the application refreshes the token and the message still goes (G-06, F-16)
    Given the application signs alice@gmail.test in
    And 61 minutes pass
    When the application sends a message to bob@gmail.test with the subject "Une heure plus tard"
    Then the application succeeded
    And the world delivered "Une heure plus tard" to bob@gmail.test
    And the world saw 1 refresh_token request
    And every refresh_token request carried client_auth=client_secret_post

  @refresh @smtp
  Scenario: Within the hour the application sends with the token it holds, without refreshing (G-05)
    Given the application signs alice@gmail.test in
    And 30 minutes pass
    When the application sends a message to bob@gmail.test with the subject "Sans rafraîchir"
    Then the application succeeded
    And the world saw no refresh_token request

  @refresh @smtp
  Scenario: The token endpoint is down once: the application retries the refresh and the message goes (G-07)
    Given the application signs alice@gmail.test in
    And 2 hours pass
    And the provider's "token" endpoint fails with "unavailable" once
    When the application sends a message to bob@gmail.test with the subject "Après la panne"
    Then the application succeeded
    And the world delivered "Après la panne" to bob@gmail.test
    And the world saw 2 refresh_token requests

  @revoke @refresh
  Scenario: The grant is revoked: the application tells the user to sign in again and does not loop (G-07, G-08)
    Given the application signs alice@gmail.test in
    And alice@gmail.test removes the application's access in their account
    And 2 hours pass
    When the application tries to send a message to bob@gmail.test with the subject "Révoqué"
    Then the application failed saying "sign in again"
    And the world saw at most 2 refresh_token requests
    And the world saw no smtp authentication

  @revoke @refresh
  Scenario: A Testing app's grant is gone after 7 days: the application tells the user to sign in again (G-08, F-14)
    Given the Google "web" client's consent screen is in Testing
    And the application signs alice@gmail.test in
    And 8 days pass
    When the application tries to send a message to bob@gmail.test with the subject "Sept jours"
    Then the application failed saying "sign in again"
    And the world saw at most 2 refresh_token requests

  @smtp
  Scenario: SMTP says 454 4.7.0 once: the application retries and the message goes (GM-04, RFC 4954 §6)
    Given the application signs alice@gmail.test in
    And the provider's "smtp" server fails with "unavailable" once
    When the application sends a message to bob@gmail.test with the subject "Réessai SMTP"
    Then the application succeeded
    And the world delivered "Réessai SMTP" to bob@gmail.test

  @tls
  Scenario: A server certificate from another CA is refused: the application trusts only its CA and sends no code (seed 001)
    Given the application under test is given a CA the servers do not chain to
    When the application tries to sign alice@gmail.test in
    Then the application failed saying "certificate"
    And the world saw no authorization_code request
