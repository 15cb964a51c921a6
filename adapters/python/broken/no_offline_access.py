"""Broken adapter: asks for no offline access: no access_type=offline (nor prompt=consent) at Google, no offline_access at Microsoft (F-15, F-41).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def offline_params(self):
        return {}

    def authorization_scopes(self):
        return [s for s in super().authorization_scopes() if s != "offline_access"]


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
