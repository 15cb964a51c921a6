"""Broken adapter: does not check the state of the authorization redirect (RFC 6749 §10.12): a forged redirect's code is exchanged.

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def check_state(self, sent, got):
        pass


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
