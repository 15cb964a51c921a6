"""Broken adapter: never retries a transient failure (token endpoint 503, SMTP 454 4.7.0, IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP]).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

ref.ATTEMPTS = 1


class Broken(ref.App):
    pass


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
