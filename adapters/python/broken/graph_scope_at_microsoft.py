"""Broken adapter: asks Microsoft for Graph scopes (https://graph.microsoft.com/IMAP.AccessAsUser.All ...) instead of Outlook's (F-01).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailoauth_adapter as ref  # noqa: E402

def graph(scopes):
    out = []
    for s in scopes:
        for outlook in ("https://outlook.office.com/", "https://outlook.office365.com/"):
            if s.startswith(outlook):
                s = "https://graph.microsoft.com/" + s[len(outlook):]
        out.append(s)
    return out


class Broken(ref.App):
    def authorization_scopes(self):
        scopes = super().authorization_scopes()
        return graph(scopes) if self.provider == "microsoft" else scopes

    def app_scopes(self):
        scopes = super().app_scopes()
        return graph(scopes) if self.provider == "microsoft" else scopes


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
