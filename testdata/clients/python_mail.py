"""A client in another language: Python's standard library against `mailoauth serve`.

python3 python_mail.py MANIFEST ACCESS_TOKEN sends a message with smtplib
(STARTTLS, XOAUTH2), reads it back with imaplib (implicit TLS, XOAUTH2) and
with poplib (implicit TLS, AUTH XOAUTH2 as RFC 5034 sends it; poplib has no
SASL helper, so the command goes through its _shortcmd, as scripts do), and
checks that another user's mailbox is refused with Gmail's 535. It prints
one line per step and exits non-zero on any surprise.
"""
import base64
import imaplib
import json
import poplib
import smtplib
import ssl
import sys

manifest = json.load(open(sys.argv[1]))
token = sys.argv[2]
google = manifest["providers"]["google"]
ctx = ssl.create_default_context(cafile=manifest["ca_file"])


def xoauth2(user):
    return "user=" + user + "\x01auth=Bearer " + token + "\x01\x01"


smtp = smtplib.SMTP(google["mail"]["smtp"]["host"], google["mail"]["smtp"]["port"])
smtp.starttls(context=ctx)
smtp.ehlo()
code, _ = smtp.auth("XOAUTH2", lambda challenge=None: xoauth2("alice@gmail.test"))
smtp.sendmail("alice@gmail.test", ["alice@gmail.test"], "Subject: from python\r\n\r\nhello\r\n")
smtp.quit()
print("smtp auth", code)

imap = imaplib.IMAP4_SSL(google["mail"]["imap"]["host"], google["mail"]["imap"]["port"], ssl_context=ctx)
print("imap greeting", imap.welcome.decode())
imap.authenticate("XOAUTH2", lambda _: xoauth2("alice@gmail.test").encode())
imap.select("INBOX")
_, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
subject = data[0][1].decode().strip()
imap.logout()
print("imap fetched", subject)
assert subject == "Subject: from python", subject

smtps = smtplib.SMTP_SSL(google["mail"]["smtps"]["host"], google["mail"]["smtps"]["port"], context=ctx)
smtps.ehlo()
try:
    smtps.auth("XOAUTH2", lambda challenge=None: xoauth2("bob@gmail.test"))
    sys.exit("bob's mailbox opened with alice's token")
except smtplib.SMTPAuthenticationError as e:
    print("smtp refused", e.smtp_code)
    assert e.smtp_code == 535, e

pop = poplib.POP3_SSL(google["mail"]["pop3"]["host"], google["mail"]["pop3"]["port"], context=ctx)
print("pop3 greeting", pop.getwelcome().decode())
resp = pop._shortcmd("AUTH XOAUTH2 " + base64.b64encode(xoauth2("alice@gmail.test").encode()).decode())
print("pop3 auth", resp.decode())
count, _ = pop.stat()
_, lines, _ = pop.retr(count)
subjects = [l.decode() for l in lines if l.startswith(b"Subject:")]
pop.quit()
print("pop3 fetched", subjects[0])
assert subjects[0] == "Subject: from python", subjects
