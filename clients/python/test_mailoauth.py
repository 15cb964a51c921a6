"""Tests of the helper against a running serve (MAILOAUTH_ADMIN_URL or
MAILOAUTH_MANIFEST) and one it starts (MAILOAUTH_BIN): make test runs them
with python3 -m unittest."""

import json
import os
import ssl
import unittest
import urllib.error
import urllib.parse
import urllib.request

import mailoauth


def refresh(manifest, provider, client_name, refresh_token):
    """A refresh at the provider's token endpoint over HTTPS, trusting
    ca_file; returns the HTTP status and the JSON answer."""
    p = manifest["providers"][provider]
    client = next(c for c in p["clients"] if c["name"] == client_name)
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token,
                                   "client_id": client["client_id"], "client_secret": client["client_secret"]}).encode()
    ctx = ssl.create_default_context(cafile=manifest["ca_file"])
    try:
        with urllib.request.urlopen(p["token_endpoint"], data=form, context=ctx, timeout=30) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


class AttachedTest(unittest.TestCase):
    """The admin API through the helper, on the serve the environment names."""

    @classmethod
    def setUpClass(cls):
        cls.admin = mailoauth.attach()
        if cls.admin is None:
            raise unittest.SkipTest("neither MAILOAUTH_ADMIN_URL nor MAILOAUTH_MANIFEST is set")
        cls.admin.reset()
        cls.tokens = cls.admin.token("google", "alice@gmail.test", ["https://mail.google.com/"])
        cls.snap = cls.admin.snapshot()

    def setUp(self):
        self.admin.reset(snapshot=self.snap)

    def test_token_minted_before_the_snapshot_refreshes(self):
        self.assertEqual(self.tokens["token_type"], "Bearer")
        status, answer = refresh(self.admin.manifest(), "google", "web", self.tokens["refresh_token"])
        self.assertEqual(status, 200, answer)
        later = self.admin.token("google", "bob@gmail.test", "https://mail.google.com/")
        self.admin.reset(snapshot=self.snap)
        status, answer = refresh(self.admin.manifest(), "google", "web", later["refresh_token"])
        self.assertEqual((status, answer["error"]), (400, "invalid_grant"))

    def test_refused_token_is_the_token_endpoints_answer(self):
        with self.assertRaises(mailoauth.Error) as caught:
            self.admin.token("microsoft", "alice@contoso.test", "https://outlook.office.com/Nonsense.Scope")
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(caught.exception.answer["error"], "invalid_scope")

    def test_application_token(self):
        tok = self.admin.token("microsoft", None, [], client="daemon")
        self.assertIn("access_token", tok)
        self.assertNotIn("refresh_token", tok)

    def test_deliver_and_messages(self):
        self.admin.deliver("alice@gmail.test", from_="bob@example.test", subject="Hello", body="Hi")
        raw = "From: carol@example.test\r\nSubject: Raw\r\n\r\nbody\r\n"
        self.admin.deliver("alice@gmail.test", raw=raw)
        msgs = self.admin.messages("alice@gmail.test")
        self.assertEqual([m["subject"] for m in msgs], ["Hello", "Raw"])
        self.assertEqual(msgs[1]["raw"], raw)
        self.assertEqual(len(self.admin.messages("alice@gmail.test", limit=1)), 1)
        self.admin.reset(snapshot=self.snap)
        self.assertEqual(self.admin.messages("alice@gmail.test"), [])

    def test_advance(self):
        clock = self.admin.advance(3600)
        self.assertGreaterEqual(clock["offset_seconds"], 3600)

    def test_fault_and_events(self):
        armed = self.admin.fault("google.token", "unavailable", 1)
        self.assertEqual(armed["target"], "google.token")
        with self.assertRaises(mailoauth.Error) as caught:
            self.admin.token("google", "alice@gmail.test", "https://mail.google.com/")
        self.assertEqual(caught.exception.status, 503)
        self.admin.token("google", "alice@gmail.test", "https://mail.google.com/")
        self.admin.fault("google.token", "unavailable", 0)
        self.assertEqual(self.admin.clear_faults(), 1)
        events = self.admin.events()
        self.assertTrue(any(e["protocol"] == "oauth" and e["user"] == "alice@gmail.test" for e in events), events)
        self.assertTrue(any(e["mechanism"] == "fault" for e in events), events)


class StartedTest(unittest.TestCase):
    """start() runs serve and stop() ends it."""

    def test_start_and_stop(self):
        if not os.environ.get("MAILOAUTH_BIN"):
            raise unittest.SkipTest("MAILOAUTH_BIN is not set")
        with mailoauth.start(args=["--config", os.environ["MAILOAUTH_WORLD"]] if os.environ.get("MAILOAUTH_WORLD") else ()) as served:
            self.assertIn("google", served.manifest["providers"])
            self.assertEqual(served.admin.manifest()["admin_url"], served.manifest["admin_url"])
        self.assertIsNotNone(served.proc.returncode)
        with self.assertRaises(OSError):
            served.admin.manifest()


if __name__ == "__main__":
    unittest.main()
