"""Broken adapter: accepts any server certificate: no CA check, no hostname check.

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def tls_context(self):
        return ref.ssl._create_unverified_context()


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
