"""Broken adapter: keeps the first refresh token it got and ignores the rotated one of every refresh (M-03).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def keep_refresh_token(self, tokens, resp):
        if resp.get("refresh_token") and not tokens.get("refresh_token"):
            tokens["refresh_token"] = resp["refresh_token"]


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
