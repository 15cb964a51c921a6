"""Broken adapter: sends the access token as a password with AUTH PLAIN (SMTP), AUTHENTICATE PLAIN (IMAP) and AUTH PLAIN (POP3) instead of XOAUTH2 (F-05, F-25).

The reference adapter with this one behaviour changed; the suite must catch it
(catalogue.yaml names the scenarios that do).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import imaplib  # noqa: E402
import poplib  # noqa: E402

import mailoauth_adapter as ref  # noqa: E402

def plain(app, tokens):
    return "\0%s\0%s" % (app.mailbox(tokens), tokens["access_token"])


class Broken(ref.App):
    def smtp_auth(self, smtp, tokens):
        code, resp = smtp.docmd("AUTH", "PLAIN " + ref.base64.b64encode(plain(self, tokens).encode()).decode())
        if code == 235:
            return
        line = "%d %s" % (code, self.text(resp))
        if 400 <= code < 500:
            raise ref.Transient(line)
        raise ref.Refused(line)

    def imap_auth(self, imap, tokens):
        try:
            imap.authenticate("PLAIN", lambda _: plain(self, tokens).encode())
        except imaplib.IMAP4.error as e:
            raise ref.Refused(str(e))

    def pop_auth(self, pop, tokens):
        try:
            pop._shortcmd("AUTH PLAIN " + ref.base64.b64encode(plain(self, tokens).encode()).decode())
        except poplib.error_proto as e:
            raise ref.Refused(self.text(e.args[0] if e.args else e))


if __name__ == "__main__":
    sys.exit(ref.main(Broken))
