"""Drive the mailoauth container image from outside, with Python's standard library.

python3 scripts/image-test.py ADMIN_URL, as a client beside the container
would (a CI job next to a service): reads the manifest and the CA from the
admin API, checks that every URL names the advertised host and that
Google's discovery document has the manifest's issuer, obtains a token at
Google through the authorization endpoint (login_hint: approved at once)
and the token endpoint, sends a mail over SMTP with STARTTLS and XOAUTH2,
and reads it back with the admin API's GET /api/messages. It prints one
line per step and exits non-zero on any surprise.
"""
import json
import smtplib
import ssl
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

admin = sys.argv[1]
manifest = json.load(urllib.request.urlopen(admin + "/api/manifest", timeout=30))
with tempfile.NamedTemporaryFile("wb", suffix=".pem") as ca:
    ca.write(urllib.request.urlopen(admin + "/api/ca.pem", timeout=30).read())
    ca.flush()
    ctx = ssl.create_default_context(cafile=ca.name)
google = manifest["providers"]["google"]
assert urllib.parse.urlsplit(google["base_url"]).hostname == "localhost", google["base_url"]
assert urllib.parse.urlsplit(manifest["admin_url"]).hostname == "localhost", manifest["admin_url"]
assert google["mail"]["smtp"]["host"] == "localhost", google["mail"]["smtp"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


https = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), NoRedirect)

discovery = json.load(https.open(google["discovery_url"], timeout=30))
assert discovery["issuer"] == google["issuer"], (discovery["issuer"], google["issuer"])
print("discovery issuer", discovery["issuer"])

web = next(c for c in google["clients"] if c["name"] == "web")
query = urllib.parse.urlencode({
    "client_id": web["client_id"], "redirect_uri": web["redirect_uris"][0], "response_type": "code",
    "scope": "https://mail.google.com/", "access_type": "offline", "login_hint": "alice@gmail.test", "state": "image",
})
try:
    https.open(google["authorization_endpoint"] + "?" + query, timeout=30)
    sys.exit("authorize: no redirect")
except urllib.error.HTTPError as e:
    location = e.headers["Location"]
code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
form = urllib.parse.urlencode({
    "grant_type": "authorization_code", "code": code, "client_id": web["client_id"],
    "client_secret": web["client_secret"], "redirect_uri": web["redirect_uris"][0],
}).encode()
token = json.load(https.open(google["token_endpoint"], data=form, timeout=30))
assert token["token_type"] == "Bearer" and token.get("refresh_token"), token
print("token", token["token_type"], token["expires_in"])

xoauth2 = "user=alice@gmail.test\x01auth=Bearer " + token["access_token"] + "\x01\x01"
smtp = smtplib.SMTP(google["mail"]["smtp"]["host"], google["mail"]["smtp"]["port"], timeout=30)
smtp.starttls(context=ctx)
smtp.ehlo()
status, _ = smtp.auth("XOAUTH2", lambda challenge=None: xoauth2)
smtp.sendmail("alice@gmail.test", ["bob@gmail.test"], "Subject: from the image\r\n\r\nhello\r\n")
smtp.quit()
print("smtp auth", status)

messages = json.load(urllib.request.urlopen(
    manifest["admin_url"] + "/api/messages?mailbox=bob%40gmail.test", timeout=30))
assert [m["subject"] for m in messages] == ["from the image"], messages
print("messages", len(messages), messages[0]["subject"])
