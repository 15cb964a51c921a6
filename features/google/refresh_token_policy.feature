@google @authcode
Feature: When Google hands out a refresh token
  Google returns a refresh token only with access_type=offline, and on a
  repeated authorization of a user who already consented only with
  prompt=consent: the reason vendors' FAQs tell customers to add
  "prompt=consent&access_type=offline" (G-03, seed 000).

  Background:
    Given the application uses the "web" client

  Scenario Outline: access_type=<access_type>, prompt=<prompt>, <history> consent (G-03, F-15)
    Given alice@gmail.test <history> authorized the application for "https://mail.google.com/"
    When alice@gmail.test authorizes the application for "https://mail.google.com/" with "<parameters>"
    Then the consent screen was <screen>
    And the server answers 200
    And the token response <has> refresh token

    Examples:
      | access_type | prompt                 | history     | parameters                                        | screen  | has    |
      | offline     | (none)                 | has never   | access_type=offline                               | shown   | has a  |
      | offline     | (none)                 | has already | access_type=offline                               | skipped | has no |
      | offline     | consent                | has already | access_type=offline&prompt=consent                | shown   | has a  |
      | offline     | select_account consent | has already | access_type=offline&prompt=select_account+consent | shown   | has a  |
      | offline     | select_account         | has already | access_type=offline&prompt=select_account         | skipped | has no |
      | online      | consent                | has never   | access_type=online&prompt=consent                 | shown   | has no |
      | (default)   | (none)                 | has never   |                                                   | shown   | has no |
      | (default)   | consent                | has already | prompt=consent                                    | shown   | has no |
