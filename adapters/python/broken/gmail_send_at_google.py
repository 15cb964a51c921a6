"""Broken adapter: asks Google for gmail.send only, not https://mail.google.com/ (GM-01, F-13).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def authorization_scopes(self):
        scopes = super().authorization_scopes()
        if self.provider != "google":
            return scopes
        return ["https://www.googleapis.com/auth/gmail.send" if s == "https://mail.google.com/" else s for s in scopes]


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
