"""A thin client of `mailoauth serve`'s admin API, for test suites.

Standard library only. ``Admin`` wraps the admin API; ``start`` runs
``mailoauth serve`` and waits for its manifest; ``attach`` finds a running
one through the environment. When pytest is importable this module is also
a pytest plugin (``pytest_plugins = ["mailoauth"]``): see README.md.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["Admin", "Error", "Served", "attach", "start"]


class Error(Exception):
    """An admin API refusal: its HTTP status and JSON answer.

    For ``Admin.token`` the answer is the token endpoint's own error
    (``{"error": "invalid_scope", ...}``)."""

    def __init__(self, status, answer):
        self.status, self.answer = status, answer
        super().__init__("HTTP %d: %s" % (status, answer))


def _form_value(v):
    """A form field's text: booleans as the admin API reads them."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Admin:
    """The admin API at ``url`` (the manifest's ``admin_url``)."""

    def __init__(self, url, timeout=30):
        self.url, self.timeout = url.rstrip("/"), timeout

    def _call(self, method, path, form=None, query=None):
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None
        if form is not None:
            data = urllib.parse.urlencode({k: _form_value(v) for k, v in form.items() if v is not None}).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            body = e.read()
            try:
                answer = json.loads(body)
            except ValueError:
                answer = body.decode(errors="replace")
            raise Error(e.code, answer) from None

    def manifest(self):
        """The manifest of the world as it is now."""
        return self._call("GET", "/api/manifest")

    def reset(self, snapshot=None):
        """Back to a snapshot's world, or without one to the start."""
        return self._call("POST", "/api/reset", {"snapshot": snapshot})

    def snapshot(self):
        """Keep the world as it is now; returns the id for reset()."""
        return self._call("POST", "/api/snapshots", {})["id"]

    def token(self, provider, user, scopes, client=None, tenant=None, offline=True):
        """The tokens ``user`` obtains through the real authorization code
        flow (user None: the client's application token), as the token
        endpoint's JSON. ``scopes`` is a list or a space-separated string;
        ``client`` a registration's name or client id (default "web")."""
        if not isinstance(scopes, str):
            scopes = " ".join(scopes)
        return self._call("POST", "/api/tokens", {"provider": provider, "email": user, "scope": scopes,
                                                  "client": client, "tenant": tenant, "offline": offline})

    def advance(self, seconds):
        """Move the world's clock forward; returns {"now", "offset_seconds"}."""
        return self._call("POST", "/api/clock/advance", {"seconds": int(seconds)})

    def fault(self, target, kind, count=1, delay_ms=None):
        """Arm an error at ``target`` ("google.token") for ``count``
        requests (0: until clear_faults)."""
        return self._call("POST", "/api/faults", {"target": target, "fault": kind, "count": count, "delay_ms": delay_ms})

    def clear_faults(self):
        """Disarm every fault; returns how many were armed."""
        return self._call("DELETE", "/api/faults")["cleared"]

    def messages(self, mailbox, since=None, limit=None):
        """The messages delivered to ``mailbox``, oldest first."""
        return self._call("GET", "/api/messages", query={"mailbox": mailbox, "since": since, "limit": limit})

    def deliver(self, mailbox, raw=None, from_=None, to=None, subject=None, body=None):
        """Put a message into ``mailbox``'s INBOX, as if received: ``raw``
        (RFC 5322) or one made of from_, to, subject and body."""
        return self._call("POST", "/api/messages", {"mailbox": mailbox, "raw": raw, "from": from_, "to": to,
                                                    "subject": subject, "body": body})

    def events(self, since=None, limit=None):
        """The audit log, oldest first."""
        return self._call("GET", "/api/events", query={"since": since, "limit": limit})


def attach():
    """The Admin of a running serve named by the environment:
    MAILOAUTH_ADMIN_URL, or MAILOAUTH_MANIFEST (the manifest file); None
    when neither is set."""
    url = os.environ.get("MAILOAUTH_ADMIN_URL")
    if not url and os.environ.get("MAILOAUTH_MANIFEST"):
        with open(os.environ["MAILOAUTH_MANIFEST"]) as f:
            url = json.load(f)["admin_url"]
    return Admin(url) if url else None


class Served:
    """A ``mailoauth serve`` process that start() ran: its manifest, its
    Admin, and stop()."""

    def __init__(self, proc, manifest, state_dir):
        self.proc, self.manifest, self._dir = proc, manifest, state_dir
        self.admin = Admin(manifest["admin_url"])

    def stop(self):
        """Stop serve (SIGTERM) and remove its state directory."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc.stdout.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(binary=None, args=()):
    """Run ``mailoauth serve`` (``binary``, default MAILOAUTH_BIN or
    mailoauth on PATH) and return once it printed its manifest, every
    listener accepting."""
    binary = binary or os.environ.get("MAILOAUTH_BIN") or "mailoauth"
    state_dir = tempfile.mkdtemp(prefix="mailoauth-")
    proc = subprocess.Popen([binary, "serve", "--state-dir", state_dir, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    text, decoder = "", json.JSONDecoder()
    for line in proc.stdout:
        text += line
        try:
            manifest, _ = decoder.raw_decode(text.strip())
        except ValueError:
            continue
        return Served(proc, manifest, state_dir)
    proc.wait()
    shutil.rmtree(state_dir, ignore_errors=True)
    raise RuntimeError("mailoauth serve exited (status %s) before printing its manifest" % proc.returncode)


try:
    import pytest
except ImportError:  # the helper works without pytest
    pytest = None

if pytest is not None:

    @pytest.fixture(scope="session")
    def mailoauth_session():
        """The session's Admin: attached to the serve the environment names
        (reset to its start first, whatever ran before), or of a serve
        started for the session."""
        admin = attach()
        if admin is not None:
            admin.reset()
            yield admin
            return
        with start() as served:
            yield served.admin

    @pytest.fixture(scope="session")
    def mailoauth_setup(mailoauth_session):
        """Override to mint tokens (or change the world) once per session,
        before the snapshot every test starts from."""
        return None

    @pytest.fixture(scope="session")
    def mailoauth_snapshot(mailoauth_session, mailoauth_setup):
        """The snapshot taken after mailoauth_setup."""
        return mailoauth_session.snapshot()

    @pytest.fixture
    def mailoauth(mailoauth_session, mailoauth_snapshot):
        """The Admin, the world reset to the session's snapshot first."""
        mailoauth_session.reset(snapshot=mailoauth_snapshot)
        return mailoauth_session
