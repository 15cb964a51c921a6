"""A CI pipeline's use of `mailoauth serve`, in Python's standard library:
reset the world between tests, arm a fault, watch the application's retry
get past it, clear the faults.

usage: python_pipeline.py MANIFEST.json
"""
import json
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

manifest = json.load(open(sys.argv[1]))
admin = manifest["admin_url"]
google = manifest["providers"]["google"]
web = next(c for c in google["clients"] if c["name"] == "web")
ctx = ssl.create_default_context(cafile=manifest["ca_file"])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


https = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), NoRedirect)


def admin_call(method, path, form=None):
    data = urllib.parse.urlencode(form).encode() if form else None
    req = urllib.request.Request(admin + path, data=data, method=method)
    return json.load(urllib.request.urlopen(req))


def token():
    """The application's authorization code flow (login_hint: no page)."""
    query = urllib.parse.urlencode({"client_id": web["client_id"], "redirect_uri": web["redirect_uris"][0],
                                    "response_type": "code", "scope": "https://mail.google.com/",
                                    "login_hint": "alice@gmail.test"})
    try:
        https.open(google["authorization_endpoint"] + "?" + query)
    except urllib.error.HTTPError as e:
        code = urllib.parse.parse_qs(urllib.parse.urlparse(e.headers["Location"]).query)["code"][0]
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "client_id": web["client_id"],
                                   "client_secret": web["client_secret"], "redirect_uri": web["redirect_uris"][0]}).encode()
    return json.load(https.open(google["token_endpoint"], data=body))


def token_with_retry(attempts=3):
    """What a well-behaved application does on a 5xx: wait, try again."""
    for attempt in range(1, attempts + 1):
        try:
            return token(), attempt
        except urllib.error.HTTPError as e:
            print("attempt", attempt, "got", e.code, json.load(e)["error"])
            time.sleep(0.05)
    raise SystemExit("no token after %d attempts" % attempts)


print("reset", admin_call("POST", "/api/reset")["status"])
fault = admin_call("POST", "/api/faults", {"target": "google.token", "fault": "unavailable", "count": "1"})
print("armed", fault["fault"], "at", fault["target"])
tok, attempts = token_with_retry()
print("token after", attempts, "attempts:", tok["token_type"])
admin_call("POST", "/api/faults", {"target": "google.token", "fault": "server_error", "count": "0"})
try:
    token()
except urllib.error.HTTPError as e:
    print("until cleared:", e.code)
print("cleared", admin_call("DELETE", "/api/faults")["cleared"])
print("after clearing:", token()["token_type"])
