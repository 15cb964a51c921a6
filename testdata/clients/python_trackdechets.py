"""A Trackdéchets integration in Python's standard library, as a vendor
writes it from the documentation (seed 004), pointed at `mailoauth serve`.

usage: python_trackdechets.py MANIFEST.json

It sends the user to the dialog (with login_hint, which serve approves at
once), exchanges the code with HTTP Basic client authentication, prints the
user the token response names, and asks the GraphQL API who the token is.
"""
import base64
import json
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    manifest = json.load(open(sys.argv[1]))
    td = manifest["providers"]["trackdechets"]
    app, user = td["clients"][0], td["users"][0]
    ctx = ssl.create_default_context(cafile=manifest["ca_file"])
    https = urllib.request.HTTPSHandler(context=ctx)
    opener = urllib.request.build_opener(https, NoRedirect)

    query = urllib.parse.urlencode({"response_type": "code", "client_id": app["client_id"],
                                    "redirect_uri": app["redirect_uris"][0], "state": "py",
                                    "login_hint": user["email"]})
    try:
        opener.open(td["authorization_endpoint"] + "?" + query)
        raise SystemExit("the dialog did not redirect")
    except urllib.error.HTTPError as e:
        location = urllib.parse.urlparse(e.headers["Location"])
    params = urllib.parse.parse_qs(location.query)
    print("dialog redirected with code of", len(params["code"][0]), "characters and state", params["state"][0])

    basic = base64.b64encode((app["client_id"] + ":" + app["client_secret"]).encode()).decode()
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": params["code"][0],
                                   "redirect_uri": app["redirect_uris"][0]}).encode()
    req = urllib.request.Request(td["token_endpoint"], data=body, headers={
        "Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
    resp = opener.open(req)
    token = json.load(resp)
    print("token", resp.status, token["token_type"], "expires_in" in token, token["user"]["email"])

    gql = urllib.request.Request(td["api_endpoint"], data=json.dumps({"query": "{ me { email name } }"}).encode(),
                                 headers={"Authorization": "Bearer " + token["access_token"],
                                          "Content-Type": "application/json"})
    print("me", json.load(opener.open(gql))["data"]["me"]["name"])


main()
