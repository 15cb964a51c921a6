"""Broken adapter: sends the wrong user= in XOAUTH2: the login name without its domain (F-03).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def mailbox(self, tokens):
        return super().mailbox(tokens).partition("@")[0]


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
