"""Broken adapter: never refreshes its access token, neither when it expires nor after the server refuses it.

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def should_refresh(self, tokens):
        return False

    def can_renew(self, tokens):
        return False


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
