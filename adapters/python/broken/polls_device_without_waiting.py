"""Broken adapter: polls the device code without waiting the interval the server announced (RFC 8628 §3.5, G-13, M-05).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

class Broken(ref.App):
    def wait_interval(self, interval):
        ref.time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
