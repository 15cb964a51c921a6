@google @imap
Feature: Reading Gmail over IMAP with OAuth
  The application authenticates to imap.gmail.com (993, or 143 with
  STARTTLS) with AUTHENTICATE XOAUTH2 or OAUTHBEARER and reads its INBOX
  (GM-01, GM-03, GM-05, GM-07, X-01, X-02).

  Background:
    Given the application uses the "web" client

  Scenario: Gmail's greeting and capabilities (GM-05)
    When the application connects to the provider's IMAP server with implicit TLS
    Then the IMAP greeting matches "^\* OK Gimap ready for requests from 127\.0\.0\.1 [a-z]{1,2}[0-9]{1,3}sm[0-9]{6,8}[a-z]{3}\.[0-9]{1,3}$"
    And the IMAP server lists exactly "IMAP4rev1 UNSELECT IDLE NAMESPACE SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH"
    And the IMAP server answers CAPABILITY with "OK Thats all she wrote! <id>"

  Scenario: A mail.google.com token opens the INBOX (GM-01, GM-02, GM-05)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    And the world delivered a message with subject "Welcome" to alice@gmail.test
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server accepts the authentication
    And the IMAP server answers AUTHENTICATE with "OK Success"
    And the INBOX holds a message with subject "Welcome"

  Scenario: A refused token gets Gmail's challenge, then NO [AUTHENTICATIONFAILED] (GM-03, GM-05)
    Given alice@gmail.test has authorized the application for "https://www.googleapis.com/auth/gmail.send"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server's error challenge is '{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'
    And the IMAP server replies "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"

  Scenario: OAUTHBEARER opens the INBOX (GM-07, X-01)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with OAUTHBEARER
    Then the IMAP server accepts the authentication

  Scenario: A refused OAUTHBEARER exchange is acknowledged with %x01, then fails (X-01, X-02)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as bob@gmail.test with OAUTHBEARER
    Then the IMAP server replies "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"
    And the world recorded a refused imap authentication of bob@gmail.test because "wrong_user"

  Scenario: STARTTLS first: no login before TLS, XOAUTH2 after (GM-05, RFC 9051 §6.2.1)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/"
    When the application connects to the provider's IMAP server without TLS
    Then the IMAP server advertises "STARTTLS LOGINDISABLED"
    When the application sends "a1 AUTHENTICATE XOAUTH2 base64(user=alice@gmail.test^Aauth=Bearer <token>^A^A)" on a new IMAP connection before STARTTLS
    Then the server's reply is "a1 NO [PRIVACYREQUIRED] TLS is required to authenticate"
    When the application sends "a2 LOGIN alice@gmail.test alice-password" on that connection
    Then the server's reply is "a2 NO [PRIVACYREQUIRED] TLS is required to authenticate"
    When the application connects to the provider's IMAP server with STARTTLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server accepts the authentication

  Scenario: An expired token is refused, a refreshed one accepted (GM-01, G-06)
    Given alice@gmail.test has authorized the application for "https://mail.google.com/" with "access_type=offline"
    When 61 minutes pass
    And the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server replies "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"
    When the application asks x/oauth2 for a valid token
    And the application connects to the provider's IMAP server with implicit TLS
    And the application authenticates to IMAP as alice@gmail.test with XOAUTH2
    Then the IMAP server accepts the authentication

  Scenario: LOGIN with a password is refused (GM-05)
    When the application connects to the provider's IMAP server with implicit TLS
    And the application logs in to IMAP as alice@gmail.test with the password "alice-password"
    Then the IMAP server replies "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"

  Scenario: A malformed XOAUTH2 message is a bad argument (GM-05)
    When the application connects to the provider's IMAP server with implicit TLS
    And the application sends the IMAP XOAUTH2 message "user=alice@gmail.test"
    Then the IMAP server replies "BAD Invalid SASL argument. <id>"
