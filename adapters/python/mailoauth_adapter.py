#!/usr/bin/env python3
"""Reference application for `mailoauth run --app`, in Python's standard library.

Written from DESIGN.md's section "The application under test" alone: one action a
run (``python3 mailoauth_adapter.py ACTION``), the configuration in the MAILOAUTH_*
variables, the tokens in $MAILOAUTH_STATE_DIR/tokens.json, the result as JSON on
the last stdout line, exit 0 (done), 1 (failed, {"error": ...}) or 3 (this
application does not do that action).

The behaviours the suite checks are methods of `App` (and module constants), so
that each broken adapter in broken/ replaces exactly one of them.
"""

import base64
import json
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

# Each action imports the rest of what it needs (http.server, smtplib, imaplib,
# poplib, email): an action is a process of its own, and its start-up counts.

#: Seconds before its expiry at which a token is treated as expired.
EXPIRY_MARGIN = 10
#: Attempts at a transient failure (token endpoint 5xx / temporarily_unavailable,
#: SMTP 4xx at AUTH, IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP]) before giving up.
ATTEMPTS = 3
#: Seconds between two such attempts (doubled each time).
BACKOFF = 0.3
#: Attempts at listening on the redirect URI's port, 100 ms apart.
BIND_ATTEMPTS = 20
#: How long the loopback listener waits for the browser's redirect.
REDIRECT_WAIT = 25.0
#: Network timeout of one request or mail connection.
NET_TIMEOUT = 15.0

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class Failure(Exception):
    """What the application tells its user when an action fails (exit 1)."""


class Unsupported(Exception):
    """This application does not do that action (exit 3)."""


class Transient(Exception):
    """A failure worth another attempt (outage, temporary refusal)."""


class Refused(Exception):
    """A mail server or API refused the token: refresh once, then retry once."""


def env(name, default=""):
    return os.environ.get("MAILOAUTH_" + name, default)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def short(tok):
    """A token shortened for a log line (never a whole token)."""
    return (tok[:6] + "...") if tok else "-"


class App:
    """The application: its configuration, its token store and its actions."""

    def __init__(self):
        self.provider = env("PROVIDER")
        self.state_dir = env("STATE_DIR") or "."
        self.client_id = env("CLIENT_ID")
        self.client_secret = env("CLIENT_SECRET")
        self.redirect_uri = env("REDIRECT_URI")
        self.client_auth = env("CLIENT_AUTH") or ("client_secret_post" if self.client_secret else "none")
        self.scopes = env("SCOPES")
        self.user = env("USER")
        self._start_mono = time.monotonic()
        self._start = self._parse_time(env("NOW"))
        self._tls = None

    # ---- time -------------------------------------------------------------

    @staticmethod
    def _parse_time(s):
        """MAILOAUTH_NOW as seconds since the epoch; the system clock without it."""
        try:
            return datetime.fromisoformat(s.strip().replace("Z", "+00:00")).timestamp()
        except ValueError:
            return time.time()

    def now(self):
        """The world's time (MAILOAUTH_NOW at the start, then the seconds since)."""
        return self._start + (time.monotonic() - self._start_mono)

    # ---- TLS ----------------------------------------------------------------

    def tls_context(self):
        """Trust exactly the CA of MAILOAUTH_CA_FILE, hostnames checked."""
        if self._tls is None:
            ca = env("CA_FILE")
            if not ca:
                raise Failure("no CA file configured (MAILOAUTH_CA_FILE)")
            try:
                self._tls = ssl.create_default_context(cafile=ca)
            except (OSError, ssl.SSLError) as e:
                raise Failure("cannot read the CA file %s (%s)" % (ca, e))
        return self._tls

    # ---- token store --------------------------------------------------------

    def _store_path(self):
        return os.path.join(self.state_dir, "tokens.json")

    def load(self):
        try:
            with open(self._store_path()) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def save(self, tokens):
        os.makedirs(self.state_dir, exist_ok=True)
        tmp = self._store_path() + ".tmp"
        with open(tmp, "w") as f:
            json.dump(tokens, f)
        os.replace(tmp, self._store_path())

    def keep(self, resp, kind, old=None):
        """Store a token response; a rotated refresh token replaces the old one."""
        tokens = dict(old or {})
        tokens["kind"] = kind
        tokens["access_token"] = resp["access_token"]
        tokens["token_type"] = resp.get("token_type", "Bearer")
        if resp.get("expires_in") not in (None, ""):
            tokens["expires_at"] = self.now() + float(resp["expires_in"])
        else:
            tokens.pop("expires_at", None)  # Trackdéchets: a token without an end
        self.keep_refresh_token(tokens, resp)
        if resp.get("scope"):
            tokens["scope"] = resp["scope"]
        if isinstance(resp.get("user"), dict) and resp["user"].get("email"):
            tokens["user"] = resp["user"]["email"]
        self.save(tokens)
        log("stored an access token %s (refresh token %s)" % (short(tokens["access_token"]), short(tokens.get("refresh_token"))))
        return tokens

    def keep_refresh_token(self, tokens, resp):
        if resp.get("refresh_token"):
            tokens["refresh_token"] = resp["refresh_token"]

    def expired(self, tokens):
        at = tokens.get("expires_at")
        return at is not None and self.now() >= at - EXPIRY_MARGIN

    # ---- HTTP ---------------------------------------------------------------

    def http(self, method, url, data=None, headers=None):
        """One HTTPS request; answers (status, headers, body bytes)."""
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, context=self.tls_context(), timeout=NET_TIMEOUT) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise Failure("the server's certificate is not trusted (%s): refusing to connect to %s"
                              % (reason.verify_message or reason, urllib.parse.urlsplit(url).netloc))
            raise Transient("cannot reach %s: %s" % (urllib.parse.urlsplit(url).netloc, reason))

    def client_authentication(self, form, headers):
        """Authenticate the client at the token endpoint as MAILOAUTH_CLIENT_AUTH says."""
        if self.client_auth == "client_secret_basic":
            q = urllib.parse.quote_plus
            cred = "%s:%s" % (q(self.client_id), q(self.client_secret))
            headers["Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
        elif self.client_auth == "client_secret_post":
            form["client_id"] = self.client_id
            form["client_secret"] = self.client_secret
        else:
            form["client_id"] = self.client_id

    def post_form(self, url, form, authenticate=True):
        """POST a form to an OAuth endpoint; answers (status, JSON body)."""
        form = dict(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if authenticate:
            self.client_authentication(form, headers)
        else:
            form["client_id"] = self.client_id
        status, _, body = self.http("POST", url, urllib.parse.urlencode(form).encode(), headers)
        try:
            doc = json.loads(body.decode("utf-8", "replace") or "{}")
        except ValueError:
            doc = {}
        if not isinstance(doc, dict):
            doc = {}
        return status, doc

    def token_request(self, form):
        """A token request, retried on the endpoint's transient failures."""
        return self.retry(lambda: self._token_request(form), "the token endpoint")

    def _token_request(self, form):
        status, doc = self.post_form(env("TOKEN_ENDPOINT"), form)
        if self.transient_oauth(status, doc):
            raise Transient("the sign-in service is unavailable (HTTP %d %s)" % (status, doc.get("error", "")))
        return status, doc

    @staticmethod
    def transient_oauth(status, doc):
        return status >= 500 or doc.get("error") in ("temporarily_unavailable", "server_error")

    def retry(self, fn, what):
        """Run fn, again after a Transient failure, ATTEMPTS times at most."""
        delay = BACKOFF
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return fn()
            except Transient as e:
                if attempt == ATTEMPTS:
                    raise Failure("%s; tried %d times, try again later" % (e, ATTEMPTS))
                log("%s: %s; trying again in %.1fs" % (what, e, delay))
                time.sleep(delay)
                delay *= 2

    @staticmethod
    def describe(doc):
        err = doc.get("error") or "unknown error"
        desc = doc.get("error_description")
        if isinstance(desc, str) and desc:
            desc = desc.split("\r\n")[0].split("\n")[0]
            return "%s: %s" % (err, desc)
        return str(err)

    def token_failure(self, doc, during):
        """What the user is told when the token endpoint refuses."""
        err = doc.get("error")
        if err == "invalid_grant" and during == "refresh":
            return Failure("your sign-in is no longer valid (%s); sign in again" % self.describe(doc))
        if err == "invalid_client":
            return Failure("the application's client credentials were refused (%s); check the client id and secret"
                           % self.describe(doc))
        return Failure("the sign-in service refused the %s (%s)" % (during, self.describe(doc)))

    # ---- scopes -------------------------------------------------------------

    def scope_list(self):
        return self.scopes.split()

    def authorization_scopes(self):
        """The scopes of the user's sign-in (authorize, device, refresh)."""
        return self.scope_list()

    def app_scopes(self):
        """The scopes of an app-only token (client credentials)."""
        return self.scope_list()

    # ---- authorize ----------------------------------------------------------

    def authorization_params(self, state, challenge):
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        scopes = self.authorization_scopes()
        if scopes:
            params["scope"] = " ".join(scopes)
        params.update(self.offline_params())
        return params

    def offline_params(self):
        """Google: a refresh token only with access_type=offline (and again with prompt=consent)."""
        if self.provider == "google":
            return {"access_type": "offline", "prompt": "consent"}
        return {}

    def check_state(self, sent, got):
        if got != sent:
            raise Failure("the sign-in answer does not belong to this sign-in (state mismatch); sign in again")

    def authorize(self):
        import hashlib
        import secrets

        if not env("AUTHORIZATION_ENDPOINT"):
            raise Unsupported("this provider has no authorization endpoint")
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state = secrets.token_urlsafe(24)
        params = self.authorization_params(state, challenge)
        url = env("AUTHORIZATION_ENDPOINT")
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)  # %20, not +
        answer = self.receive_redirect(url)
        if answer.get("error"):
            self.check_state(state, answer.get("state"))
            if answer["error"] == "access_denied":
                raise Failure("sign-in was cancelled or access was refused (access_denied); sign in again and allow access")
            raise Failure("the sign-in failed (%s)" % self.describe(answer))
        self.check_state(state, answer.get("state"))
        code = answer.get("code")
        if not code:
            raise Failure("the sign-in answer carries no authorization code")
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "code_verifier": verifier}
        if self.provider == "microsoft" and self.scopes:
            form["scope"] = " ".join(self.authorization_scopes())
        status, doc = self.token_request(form)
        if status != 200 or "access_token" not in doc:
            raise self.token_failure(doc, "authorization code")
        self.keep(doc, "user")
        return {}

    def receive_redirect(self, url):
        """Open url with $MAILOAUTH_BROWSER; answer the redirect's query parameters."""
        import http.server
        import subprocess
        import threading

        target = urllib.parse.urlsplit(self.redirect_uri)
        host = target.hostname or "127.0.0.1"
        port = target.port or 80
        path = target.path or "/"
        got = {}
        done = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
                if (u.path or "/").rstrip("/") != path.rstrip("/") or not ("code" in q or "error" in q):
                    self.send_response(404)
                    self.end_headers()
                    return
                body = b"<!doctype html><title>Signed in</title><p>You may close this window.</p>"
                if "error" in q:
                    body = b"<!doctype html><title>Sign-in failed</title><p>Sign-in failed. You may close this window.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if not done.is_set():
                    got.update(q)
                    done.set()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
            daemon_threads = True

        bind = "127.0.0.1" if host == "localhost" else host
        for attempt in range(BIND_ATTEMPTS):
            try:
                server = Server((bind, port), Handler)
                break
            except OSError as e:
                # the port may still be held for a moment by whoever had it before
                if attempt == BIND_ATTEMPTS - 1:
                    raise Failure("cannot listen on the redirect URI %s (%s)" % (self.redirect_uri, e))
                time.sleep(0.1)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        try:
            browser = env("BROWSER") or os.environ.get("BROWSER", "")
            if not browser:
                raise Failure("no browser to sign in with (MAILOAUTH_BROWSER)")
            log("opening the sign-in page in the browser")
            proc = subprocess.Popen(["sh", "-c", browser + ' "$1"', "sh", url], stdin=subprocess.DEVNULL, stdout=sys.stderr)
            deadline = time.monotonic() + REDIRECT_WAIT
            while not done.is_set():
                rc = proc.poll()
                if rc is not None and rc != 0:
                    if done.wait(0.5):
                        break
                    raise Failure("the sign-in did not complete in the browser (it stopped with status %d)" % rc)
                if time.monotonic() > deadline:
                    raise Failure("no answer from the sign-in page after %ds; sign in again" % REDIRECT_WAIT)
                done.wait(0.05)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            return got
        finally:
            server.shutdown()
            server.server_close()

    # ---- device -------------------------------------------------------------

    def device(self):
        endpoint = env("DEVICE_AUTHORIZATION_ENDPOINT")
        if not endpoint:
            raise Unsupported("this provider has no device authorization endpoint")
        form = {"scope": " ".join(self.authorization_scopes())}

        def ask():
            status, doc = self.post_form(endpoint, form, authenticate=self.client_auth != "none")
            if self.transient_oauth(status, doc):
                raise Transient("the sign-in service is unavailable (HTTP %d)" % status)
            return status, doc

        status, doc = self.retry(ask, "the device authorization endpoint")
        if status != 200 or "device_code" not in doc:
            raise Failure("the device sign-in could not start (%s)" % self.describe(doc))
        interval = float(doc.get("interval") or 5)
        deadline = self.now() + float(doc.get("expires_in") or 900)
        where = doc.get("verification_uri") or doc.get("verification_url") or ""
        log(doc.get("message") or "To sign in, open %s and enter the code %s" % (where, doc.get("user_code")))
        poll = {"grant_type": DEVICE_GRANT, "device_code": doc["device_code"]}
        outages = 0
        while True:
            self.wait_interval(interval)
            if self.now() > deadline:
                raise Failure("the sign-in code expired before you signed in; start again")
            status, answer = self.post_form(env("TOKEN_ENDPOINT"), poll)
            if status == 200 and "access_token" in answer:
                self.keep(answer, "user")
                return {}
            err = answer.get("error")
            if err == "authorization_pending":
                continue
            if err == "slow_down":
                interval += 5
                continue
            if self.transient_oauth(status, answer):
                outages += 1
                if outages >= ATTEMPTS:
                    raise Failure("the sign-in service is unavailable; try again later")
                continue
            if err in ("authorization_declined", "access_denied"):
                raise Failure("the sign-in was declined (%s); sign in again and approve it" % err)
            if err in ("expired_token", "code_expired"):
                raise Failure("the sign-in code expired before you signed in (%s); start again" % self.describe(answer))
            raise self.token_failure(answer, "device sign-in")

    def wait_interval(self, interval):
        time.sleep(interval)

    # ---- app-token ----------------------------------------------------------

    def app_token(self):
        if self.provider != "microsoft":
            raise Unsupported("app-only tokens are not something this application does at %s" % self.provider)
        self.client_credentials()
        return {}

    def client_credentials(self):
        status, doc = self.token_request({"grant_type": "client_credentials", "scope": " ".join(self.app_scopes())})
        if status != 200 or "access_token" not in doc:
            raise self.token_failure(doc, "application token request")
        return self.keep(doc, "app")

    # ---- tokens for use -----------------------------------------------------

    def tokens(self):
        """The stored tokens, refreshed first when they have expired."""
        tokens = self.load()
        if not tokens or not tokens.get("access_token"):
            raise Failure("not signed in; sign in first")
        if self.should_refresh(tokens):
            tokens = self.renew(tokens)
        return tokens

    def should_refresh(self, tokens):
        return self.expired(tokens)

    def renew(self, tokens):
        """A new access token: the refresh grant, or client credentials again for an app token."""
        if tokens.get("kind") == "app":
            return self.client_credentials()
        rt = tokens.get("refresh_token")
        if not rt:
            raise Failure("your sign-in has expired and cannot be renewed (no refresh token); sign in again")
        form = {"grant_type": "refresh_token", "refresh_token": rt}
        if self.provider == "microsoft" and self.scopes:
            form["scope"] = " ".join(self.authorization_scopes())
        status, doc = self.token_request(form)
        if status != 200 or "access_token" not in doc:
            raise self.token_failure(doc, "refresh")
        log("refreshed the access token")
        return self.keep(doc, tokens.get("kind", "user"), old=tokens)

    def with_token(self, use):
        """use(tokens); after a refusal of the token, renew it once and try once more."""
        tokens = self.tokens()
        try:
            return self.retry(lambda: use(tokens), "the server")
        except Refused as e:
            if not self.can_renew(tokens):
                raise Failure(self.refused_message(e))
            log("the server refused the token (%s); renewing it and trying once more" % e)
            tokens = self.renew(tokens)
            try:
                return self.retry(lambda: use(tokens), "the server")
            except Refused as e2:
                raise Failure(self.refused_message(e2))

    def can_renew(self, tokens):
        return tokens.get("kind") == "app" or bool(tokens.get("refresh_token"))

    def refused_message(self, e):
        return "the server refused the sign-in (%s); sign in again" % e

    def mailbox(self, tokens):
        return self.user or tokens.get("user", "")

    def xoauth2(self, tokens):
        return "user=%s\x01auth=Bearer %s\x01\x01" % (self.mailbox(tokens), tokens["access_token"])

    def mail_server(self, proto):
        host = env(proto + "_HOST")
        if not host:
            raise Unsupported("this provider has no %s server" % proto)
        port = int(env(proto + "_PORT") or 0)
        return host, port, env(proto + "_SECURITY") or "tls"

    # ---- send ---------------------------------------------------------------

    def send(self):
        import email.message
        import email.utils
        import smtplib

        host, port, security = self.mail_server("SMTP")
        msg = email.message.EmailMessage()
        sender = env("MAIL_FROM") or self.user
        to = env("MAIL_TO") or self.user
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = env("MAIL_SUBJECT")
        msg["Date"] = email.utils.formatdate(self.now())
        msg["Message-ID"] = email.utils.make_msgid(domain=(sender.rpartition("@")[2] or "localhost"))
        msg.set_content(env("MAIL_BODY") or "")

        def use(tokens):
            smtp = self.smtp_connect(host, port, security)
            try:
                self.smtp_auth(smtp, tokens)
                try:
                    smtp.send_message(msg, from_addr=sender, to_addrs=[to])
                except smtplib.SMTPResponseException as e:
                    raise Failure("the mail server did not take the message: %d %s" % (e.smtp_code, self.text(e.smtp_error)))
                except smtplib.SMTPRecipientsRefused as e:
                    code, text = list(e.recipients.values())[0]
                    raise Failure("the mail server refused the recipient: %d %s" % (code, self.text(text)))
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()

        self.with_token(use)
        return {}

    @staticmethod
    def text(b):
        """A server's reply as one line."""
        s = b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b)
        return " ".join(s.split())

    def smtp_connect(self, host, port, security):
        import smtplib

        ctx = self.tls_context()
        try:
            if security == "tls":
                smtp = smtplib.SMTP_SSL(host, port, context=ctx, timeout=NET_TIMEOUT)
            else:
                smtp = smtplib.SMTP(host, port, timeout=NET_TIMEOUT)
                smtp.ehlo()
                smtp.starttls(context=ctx)
            smtp.ehlo()
            return smtp
        except ssl.SSLCertVerificationError as e:
            raise Failure("the mail server's certificate is not trusted (%s): refusing to send" % (e.verify_message or e))
        except (OSError, smtplib.SMTPException) as e:
            raise Transient("cannot reach the mail server %s:%d: %s" % (host, port, e))

    def smtp_auth(self, smtp, tokens):
        import smtplib

        blob = base64.b64encode(self.xoauth2(tokens).encode()).decode()
        try:
            code, resp = smtp.docmd("AUTH", "XOAUTH2 " + blob)
            challenge = ""
            if code == 334:
                challenge = self.challenge(resp)
                code, resp = smtp.docmd("")
        except smtplib.SMTPServerDisconnected as e:
            raise Transient("the mail server closed the connection at AUTH (%s)" % e)
        if code == 235:
            return
        line = "%d %s" % (code, self.text(resp))
        if challenge:
            line += " (the server said: %s)" % challenge
        if 400 <= code < 500:
            raise Transient(line)
        raise Refused(line)

    @staticmethod
    def challenge(resp):
        """Decode an XOAUTH2 error challenge (base64 JSON with the status and scope it needs)."""
        raw = resp if isinstance(resp, bytes) else str(resp).encode()
        try:
            return base64.b64decode(raw.strip() + b"==").decode("utf-8", "replace")
        except ValueError:
            return raw.decode("utf-8", "replace")

    # ---- fetch (IMAP) -------------------------------------------------------

    def fetch(self):
        import imaplib

        host, port, security = self.mail_server("IMAP")

        def use(tokens):
            imap = self.imap_connect(host, port, security)
            try:
                self.imap_auth(imap, tokens)
                typ, data = imap.select("INBOX")
                if typ != "OK":
                    raise Failure("the INBOX could not be opened: %s %s" % (typ, self.text(data[-1] if data else b"")))
                count = int(data[0] or 0)
                subjects = []
                if count:
                    typ, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                    if typ != "OK":
                        raise Failure("the INBOX could not be read: %s" % self.text(data[-1] if data else b""))
                    for part in data:
                        if isinstance(part, tuple):
                            subjects.append(self.subject(part[1]))
                return {"subjects": subjects}
            except imaplib.IMAP4.abort as e:
                raise Failure("the mail server closed the connection: %s" % e)
            finally:
                try:
                    imap.logout()
                except (imaplib.IMAP4.error, OSError):
                    pass

        return self.with_token(use)

    def imap_connect(self, host, port, security):
        import imaplib

        ctx = self.tls_context()
        try:
            if security == "tls":
                return imaplib.IMAP4_SSL(host, port, ssl_context=ctx, timeout=NET_TIMEOUT)
            imap = imaplib.IMAP4(host, port, timeout=NET_TIMEOUT)
            imap.starttls(ssl_context=ctx)
            return imap
        except ssl.SSLCertVerificationError as e:
            raise Failure("the mail server's certificate is not trusted (%s): refusing to read mail" % (e.verify_message or e))
        except (OSError, imaplib.IMAP4.error) as e:
            raise Transient("cannot reach the mail server %s:%d: %s" % (host, port, e))

    def imap_auth(self, imap, tokens):
        import imaplib

        sent = []
        challenges = []

        def respond(challenge):
            if not sent:
                sent.append(1)
                return self.xoauth2(tokens).encode()
            challenges.append(self.text(challenge))
            return b""

        try:
            imap.authenticate("XOAUTH2", respond)
        except imaplib.IMAP4.abort as e:
            raise Transient("the mail server closed the connection at AUTHENTICATE (%s)" % e)
        except imaplib.IMAP4.error as e:
            line = str(e)
            if challenges:
                line += " (the server said: %s)" % challenges[0]
            if "[UNAVAILABLE]" in line or "[SERVERBUG]" in line:
                raise Transient(line)
            raise Refused(line)

    @staticmethod
    def subject(header_bytes):
        import email
        import email.policy

        msg = email.message_from_bytes(header_bytes, policy=email.policy.default)
        return str(msg.get("Subject", ""))

    # ---- pop ----------------------------------------------------------------

    def pop(self):
        import poplib

        host, port, security = self.mail_server("POP3")

        def use(tokens):
            pop = self.pop_connect(host, port, security)
            try:
                self.pop_auth(pop, tokens)
                try:
                    count, _ = pop.stat()
                    subjects = []
                    for i in range(1, count + 1):
                        try:
                            _, lines, _ = pop.top(i, 0)
                        except poplib.error_proto:
                            _, lines, _ = pop.retr(i)
                        subjects.append(self.subject(b"\r\n".join(lines) + b"\r\n"))
                except poplib.error_proto as e:
                    raise Failure("the maildrop could not be read: %s" % self.text(e.args[0] if e.args else e))
                return {"subjects": subjects}
            finally:
                try:
                    pop.quit()
                except (poplib.error_proto, OSError):
                    pop.close()

        return self.with_token(use)

    def pop_connect(self, host, port, security):
        import poplib

        ctx = self.tls_context()
        try:
            if security == "tls":
                return poplib.POP3_SSL(host, port, context=ctx, timeout=NET_TIMEOUT)
            pop = poplib.POP3(host, port, timeout=NET_TIMEOUT)
            pop.stls(context=ctx)
            return pop
        except ssl.SSLCertVerificationError as e:
            raise Failure("the mail server's certificate is not trusted (%s): refusing to read mail" % (e.verify_message or e))
        except (OSError, poplib.error_proto) as e:
            raise Transient("cannot reach the mail server %s:%d: %s" % (host, port, e))

    def pop_auth(self, pop, tokens):
        """AUTH XOAUTH2, wait for "+ ", then the base64 (Exchange takes only this two-step form)."""
        import poplib

        blob = base64.b64encode(self.xoauth2(tokens).encode()).decode()
        try:
            pop._shortcmd("AUTH XOAUTH2")
            resp = pop._shortcmd(blob)
            if not resp.startswith(b"+OK"):
                # an error challenge: answer it empty to get the -ERR line
                challenge = self.challenge(resp[1:])
                try:
                    pop._shortcmd("")
                except poplib.error_proto as e:
                    raise poplib.error_proto(self.text(e.args[0]) + " (the server said: %s)" % challenge)
                raise Refused("the server did not confirm the authentication: " + self.text(resp))
        except poplib.error_proto as e:
            line = self.text(e.args[0] if e.args else e)
            if "[SYS/TEMP]" in line or "[IN-USE]" in line:
                raise Transient(line)
            raise Refused(line)
        except (OSError, EOFError) as e:
            raise Transient("the mail server closed the connection at AUTH (%s)" % e)

    # ---- api ----------------------------------------------------------------

    def api(self):
        endpoint = env("API_ENDPOINT")
        if not endpoint or self.provider != "trackdechets":
            raise Unsupported("this application calls no API at %s" % self.provider)
        tokens = self.tokens()
        body = json.dumps({"query": "{ me { email name } }"}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Authorization": "Bearer " + tokens["access_token"]}

        def call():
            status, _, raw = self.http("POST", endpoint, body, headers)
            if status >= 500:
                raise Transient("the API is unavailable (HTTP %d)" % status)
            return status, raw

        status, raw = self.retry(call, "the API")
        try:
            doc = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            raise Failure("the API answered HTTP %d with no JSON" % status)
        errors = doc.get("errors") or []
        for err in errors:
            if (err.get("extensions") or {}).get("code") == "UNAUTHENTICATED" or status == 401:
                raise Failure("the API no longer accepts your sign-in (%s); sign in again" % err.get("message", "UNAUTHENTICATED"))
        if status == 401:
            raise Failure("the API no longer accepts your sign-in (HTTP 401); sign in again")
        me = (doc.get("data") or {}).get("me")
        if errors or not me:
            msg = errors[0].get("message") if errors else "no data"
            raise Failure("the API refused the request (HTTP %d: %s)" % (status, msg))
        return {"email": me.get("email"), "name": me.get("name")}

    # ---- dispatch -----------------------------------------------------------

    ACTIONS = {"authorize": "authorize", "device": "device", "app-token": "app_token", "send": "send",
               "fetch": "fetch", "pop": "pop", "api": "api"}

    def run(self, action):
        name = self.ACTIONS.get(action)
        if not name:
            raise Unsupported("unknown action %r" % action)
        return getattr(self, name)()


def say(doc):
    """The result (or the error) as the last stdout line, UTF-8 JSON."""
    sys.stdout.flush()
    sys.stdout.buffer.write(json.dumps(doc, ensure_ascii=False).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def main(app_class=App, argv=None):
    argv = sys.argv[1:] if argv is None else argv
    action = argv[0] if argv else env("ACTION")
    try:
        result = app_class().run(action)
    except Unsupported as e:
        log("not supported: %s" % e)
        return 3
    except (Failure, Transient, Refused) as e:
        say({"error": str(e)})
        return 1
    except Exception as e:  # a bug of this application: still say it the contract's way
        say({"error": "internal error: %s: %s" % (type(e).__name__, e)})
        return 1
    say(result if result is not None else {})
    return 0


if __name__ == "__main__":
    sys.exit(main())
