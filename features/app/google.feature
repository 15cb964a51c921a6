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
  Scenario: The application signs alice in and sends a message over SMTP STARTTLS with XOAUTH2 (seed 001, G-03, GM-01)
    When the application signs alice@gmail.test in
    And the application sends a message to bob@gmail.test with the subject "Emploi du temps"
    Then the application succeeded
    And the world delivered "Emploi du temps" to bob@gmail.test
    And the world saw 1 authorization_code request
    And every smtp authentication was XOAUTH2 as alice@gmail.test with a token of the application
