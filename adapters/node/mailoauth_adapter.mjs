#!/usr/bin/env node
// Reference application for `mailoauth run --app`, in Node's built-in modules only
// (node:https, node:http, node:tls, node:net, node:crypto, node:child_process).
//
// Written from DESIGN.md's section "The application under test" alone: one action a
// run (`node mailoauth_adapter.mjs ACTION`), the configuration in the MAILOAUTH_*
// variables, the tokens in $MAILOAUTH_STATE_DIR/tokens.json, the result as JSON on the
// last stdout line, exit 0 (done), 1 (failed, {"error": ...}) or 3 (this application
// does not do that action).

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { join } from "node:path";
import tls from "node:tls";

const EXPIRY_MARGIN = 10; // seconds before expiry a token counts as expired
const ATTEMPTS = 3; // attempts at a transient failure
const BACKOFF = 300; // ms between two attempts, doubled each time
const BIND_ATTEMPTS = 20; // attempts at listening on the redirect URI's port, 100 ms apart
const REDIRECT_WAIT = 25000; // ms the loopback listener waits for the browser
const NET_TIMEOUT = 15000; // ms for one request or mail exchange
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** What the application tells its user (exit 1). */
class Failure extends Error {}
/** This application does not do that action (exit 3). */
class Unsupported extends Error {}
/** Worth another attempt: an outage, a temporary refusal. */
class Transient extends Error {}
/** A server refused the token: renew it once, then try once more. */
class Refused extends Error {}

const env = (name) => process.env["MAILOAUTH_" + name] ?? "";
const log = (msg) => process.stderr.write(msg + "\n");
const short = (t) => (t ? t.slice(0, 6) + "..." : "-");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (s) => Buffer.from(s, "utf8").toString("base64");
const oneLine = (s) => String(s).split(/\s+/).filter(Boolean).join(" ");

const startReal = Date.now();
const startWorld = (() => {
  const t = Date.parse(env("NOW"));
  return Number.isNaN(t) ? Date.now() : t;
})();
/** The world's time in seconds: MAILOAUTH_NOW at the start, then the time since. */
const now = () => (startWorld + (Date.now() - startReal)) / 1000;

let caCache;
function ca() {
  if (caCache) return caCache;
  const file = env("CA_FILE");
  if (!file) throw new Failure("no CA file configured (MAILOAUTH_CA_FILE)");
  caCache = readFileSync(file);
  return caCache;
}

const certErrors = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_SIGNATURE_FAILURE", "CERT_UNTRUSTED",
]);
const isCertError = (e) => certErrors.has(e?.code);

// ---- token store ----------------------------------------------------------

const stateDir = () => env("STATE_DIR") || ".";
const storePath = () => join(stateDir(), "tokens.json");

function load() {
  try {
    return JSON.parse(readFileSync(storePath(), "utf8"));
  } catch (e) {
    if (e.code === "ENOENT") return null;
    throw e;
  }
}

function save(tokens) {
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(storePath() + ".tmp", JSON.stringify(tokens));
  renameSync(storePath() + ".tmp", storePath());
}

/** Store a token response; a rotated refresh token replaces the old one. */
function keep(resp, kind, old) {
  const tokens = { ...(old || {}) };
  tokens.kind = kind;
  tokens.access_token = resp.access_token;
  tokens.token_type = resp.token_type || "Bearer";
  if (resp.expires_in !== undefined && resp.expires_in !== null && resp.expires_in !== "") {
    tokens.expires_at = now() + Number(resp.expires_in);
  } else {
    delete tokens.expires_at; // Trackdéchets: a token without an end
  }
  if (resp.refresh_token) tokens.refresh_token = resp.refresh_token;
  if (resp.scope) tokens.scope = resp.scope;
  if (resp.user && typeof resp.user === "object" && resp.user.email) tokens.user = resp.user.email;
  save(tokens);
  log(`stored an access token ${short(tokens.access_token)} (refresh token ${short(tokens.refresh_token)})`);
  return tokens;
}

const expired = (t) => t.expires_at !== undefined && now() >= t.expires_at - EXPIRY_MARGIN;

// ---- HTTPS ----------------------------------------------------------------

function request(method, url, body, headers) {
  return new Promise((resolve, reject) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      reject(new Failure(`not a URL: ${url}`));
      return;
    }
    const mod = u.protocol === "http:" ? http : https;
    const opts = { method, headers: { ...headers }, timeout: NET_TIMEOUT, agent: false };
    if (mod === https) opts.ca = ca();
    if (body) opts.headers["Content-Length"] = Buffer.byteLength(body);
    const req = mod.request(u, opts, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (e) => reject(new Transient(`cannot read the answer of ${u.host}: ${e.message}`)));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (e) => {
      if (isCertError(e)) reject(new Failure(`the server's certificate is not trusted (${e.code}: ${e.message}): refusing to connect to ${u.host}`));
      else reject(new Transient(`cannot reach ${u.host}: ${e.message}`));
    });
    if (body) req.write(body);
    req.end();
  });
}

function clientAuthentication(form, headers) {
  const how = env("CLIENT_AUTH") || (env("CLIENT_SECRET") ? "client_secret_post" : "none");
  if (how === "client_secret_basic") {
    const q = (s) => encodeURIComponent(s).replace(/%20/g, "+");
    headers.Authorization = "Basic " + b64(`${q(env("CLIENT_ID"))}:${q(env("CLIENT_SECRET"))}`);
  } else if (how === "client_secret_post") {
    form.client_id = env("CLIENT_ID");
    form.client_secret = env("CLIENT_SECRET");
  } else {
    form.client_id = env("CLIENT_ID");
  }
}

async function postForm(url, form, authenticate = true) {
  form = { ...form };
  const headers = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
  if (authenticate) clientAuthentication(form, headers);
  else form.client_id = env("CLIENT_ID");
  const { status, body } = await request("POST", url, new URLSearchParams(form).toString(), headers);
  let doc = {};
  try {
    doc = JSON.parse(body || "{}");
  } catch {
    doc = {};
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) doc = {};
  return { status, doc };
}

const transientOAuth = (status, doc) => status >= 500 || ["temporarily_unavailable", "server_error"].includes(doc.error);

/** Run fn, again after a Transient failure, ATTEMPTS times at most. */
async function retry(fn, what) {
  let delay = BACKOFF;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof Transient)) throw e;
      if (attempt >= ATTEMPTS) throw new Failure(`${e.message}; tried ${ATTEMPTS} times, try again later`);
      log(`${what}: ${e.message}; trying again in ${delay} ms`);
      await sleep(delay);
      delay *= 2;
    }
  }
}

function tokenRequest(form) {
  return retry(async () => {
    const r = await postForm(env("TOKEN_ENDPOINT"), form);
    if (transientOAuth(r.status, r.doc)) throw new Transient(`the sign-in service is unavailable (HTTP ${r.status} ${r.doc.error || ""})`);
    return r;
  }, "the token endpoint");
}

function describe(doc) {
  const err = doc.error || "unknown error";
  const desc = typeof doc.error_description === "string" ? doc.error_description.split(/\r?\n/)[0] : "";
  return desc ? `${err}: ${desc}` : String(err);
}

function tokenFailure(doc, during) {
  if (doc.error === "invalid_grant" && during === "refresh") return new Failure(`your sign-in is no longer valid (${describe(doc)}); sign in again`);
  if (doc.error === "invalid_client") return new Failure(`the application's client credentials were refused (${describe(doc)}); check the client id and secret`);
  return new Failure(`the sign-in service refused the ${during} (${describe(doc)})`);
}

const scopes = () => env("SCOPES").split(/\s+/).filter(Boolean);
const provider = () => env("PROVIDER");
const withScope = (form) => {
  if (provider() === "microsoft" && scopes().length) form.scope = scopes().join(" ");
  return form;
};

// ---- authorize ------------------------------------------------------------

async function authorize() {
  if (!env("AUTHORIZATION_ENDPOINT")) throw new Unsupported("this provider has no authorization endpoint");
  const verifier = randomBytes(48).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(24).toString("base64url");
  const params = new URLSearchParams({
    response_type: "code", client_id: env("CLIENT_ID"), redirect_uri: env("REDIRECT_URI"),
    state, code_challenge: challenge, code_challenge_method: "S256",
  });
  if (scopes().length) params.set("scope", scopes().join(" "));
  if (provider() === "google") {
    params.set("access_type", "offline"); // a refresh token
    params.set("prompt", "consent"); // and again at every sign-in
  }
  let url = env("AUTHORIZATION_ENDPOINT");
  url += (url.includes("?") ? "&" : "?") + params.toString().replace(/\+/g, "%20");
  const answer = await receiveRedirect(url);
  if (answer.state !== state) throw new Failure("the sign-in answer does not belong to this sign-in (state mismatch); sign in again");
  if (answer.error) {
    if (answer.error === "access_denied") throw new Failure("sign-in was cancelled or access was refused (access_denied); sign in again and allow access");
    throw new Failure(`the sign-in failed (${describe(answer)})`);
  }
  if (!answer.code) throw new Failure("the sign-in answer carries no authorization code");
  const r = await tokenRequest(withScope({
    grant_type: "authorization_code", code: answer.code, redirect_uri: env("REDIRECT_URI"), code_verifier: verifier,
  }));
  if (r.status !== 200 || !r.doc.access_token) throw tokenFailure(r.doc, "authorization code");
  keep(r.doc, "user");
  return {};
}

/** Open url with $MAILOAUTH_BROWSER; answer the redirect's query parameters. */
function receiveRedirect(url) {
  const target = new URL(env("REDIRECT_URI"));
  let host = target.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost") host = "127.0.0.1";
  const port = Number(target.port || 80);
  const path = (target.pathname || "/").replace(/\/+$/, "");
  return new Promise((resolve, reject) => {
    let finished = false;
    let child;
    let timer;
    const finish = (err, value) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      server.close();
      server.closeAllConnections?.();
      if (err) {
        if (child && child.exitCode === null) child.kill();
        reject(err);
      } else resolve(value);
    };
    const server = http.createServer((req, res) => {
      const u = new URL(req.url, "http://loopback");
      const q = Object.fromEntries(u.searchParams);
      if (u.pathname.replace(/\/+$/, "") !== path || !("code" in q || "error" in q)) {
        res.writeHead(404).end();
        return;
      }
      const page = q.error ? "<!doctype html><title>Sign-in failed</title><p>Sign-in failed. You may close this window.</p>"
        : "<!doctype html><title>Signed in</title><p>You may close this window.</p>";
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", Connection: "close" });
      res.end(page, () => setImmediate(() => finish(null, q)));
    });
    let binds = 0;
    server.on("error", (e) => {
      // the port may still be held for a moment by whoever had it before
      if (e.code === "EADDRINUSE" && ++binds < BIND_ATTEMPTS) setTimeout(() => server.listen(port, host), 100);
      else finish(new Failure(`cannot listen on the redirect URI ${env("REDIRECT_URI")} (${e.message})`));
    });
    server.listen(port, host);
    server.once("listening", () => {
      const browser = env("BROWSER") || process.env.BROWSER || "";
      if (!browser) {
        finish(new Failure("no browser to sign in with (MAILOAUTH_BROWSER)"));
        return;
      }
      log("opening the sign-in page in the browser");
      child = spawn("sh", ["-c", browser + ' "$1"', "sh", url], { stdio: ["ignore", process.stderr, process.stderr] });
      child.on("exit", (code) => {
        if (code !== 0) setTimeout(() => finish(new Failure(`the sign-in did not complete in the browser (it stopped with status ${code})`)), 500);
      });
      timer = setTimeout(() => finish(new Failure(`no answer from the sign-in page after ${REDIRECT_WAIT / 1000}s; sign in again`)), REDIRECT_WAIT);
    });
  });
}

// ---- device ---------------------------------------------------------------

async function device() {
  const endpoint = env("DEVICE_AUTHORIZATION_ENDPOINT");
  if (!endpoint) throw new Unsupported("this provider has no device authorization endpoint");
  const authenticate = env("CLIENT_AUTH") !== "none";
  const { status, doc } = await retry(async () => {
    const r = await postForm(endpoint, { scope: scopes().join(" ") }, authenticate);
    if (transientOAuth(r.status, r.doc)) throw new Transient(`the sign-in service is unavailable (HTTP ${r.status})`);
    return r;
  }, "the device authorization endpoint");
  if (status !== 200 || !doc.device_code) throw new Failure(`the device sign-in could not start (${describe(doc)})`);
  let interval = Number(doc.interval || 5);
  const deadline = now() + Number(doc.expires_in || 900);
  log(doc.message || `To sign in, open ${doc.verification_uri || doc.verification_url} and enter the code ${doc.user_code}`);
  let outages = 0;
  for (;;) {
    await sleep(interval * 1000);
    if (now() > deadline) throw new Failure("the sign-in code expired before you signed in; start again");
    const r = await postForm(env("TOKEN_ENDPOINT"), { grant_type: DEVICE_GRANT, device_code: doc.device_code });
    if (r.status === 200 && r.doc.access_token) {
      keep(r.doc, "user");
      return {};
    }
    const err = r.doc.error;
    if (err === "authorization_pending") continue;
    if (err === "slow_down") {
      interval += 5;
      continue;
    }
    if (transientOAuth(r.status, r.doc)) {
      if (++outages >= ATTEMPTS) throw new Failure("the sign-in service is unavailable; try again later");
      continue;
    }
    if (err === "authorization_declined" || err === "access_denied") throw new Failure(`the sign-in was declined (${err}); sign in again and approve it`);
    if (err === "expired_token" || err === "code_expired") throw new Failure(`the sign-in code expired before you signed in (${describe(r.doc)}); start again`);
    throw tokenFailure(r.doc, "device sign-in");
  }
}

// ---- app-token ------------------------------------------------------------

async function clientCredentials() {
  const r = await tokenRequest({ grant_type: "client_credentials", scope: env("SCOPES") });
  if (r.status !== 200 || !r.doc.access_token) throw tokenFailure(r.doc, "application token request");
  return keep(r.doc, "app");
}

async function appToken() {
  if (provider() !== "microsoft") throw new Unsupported(`app-only tokens are not something this application does at ${provider()}`);
  await clientCredentials();
  return {};
}

// ---- tokens for use -------------------------------------------------------

async function tokens() {
  const t = load();
  if (!t || !t.access_token) throw new Failure("not signed in; sign in first");
  return expired(t) ? renew(t) : t;
}

async function renew(t) {
  if (t.kind === "app") return clientCredentials();
  if (!t.refresh_token) throw new Failure("your sign-in has expired and cannot be renewed (no refresh token); sign in again");
  const r = await tokenRequest(withScope({ grant_type: "refresh_token", refresh_token: t.refresh_token }));
  if (r.status !== 200 || !r.doc.access_token) throw tokenFailure(r.doc, "refresh");
  log("refreshed the access token");
  return keep(r.doc, t.kind || "user", t);
}

/** use(tokens); after a refusal of the token, renew it once and try once more. */
async function withToken(use) {
  let t = await tokens();
  try {
    return await retry(() => use(t), "the server");
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    if (!(t.kind === "app" || t.refresh_token)) throw new Failure(`the server refused the sign-in (${e.message}); sign in again`);
    log(`the server refused the token (${e.message}); renewing it and trying once more`);
    t = await renew(t);
    try {
      return await retry(() => use(t), "the server");
    } catch (e2) {
      if (e2 instanceof Refused) throw new Failure(`the server refused the sign-in (${e2.message}); sign in again`);
      throw e2;
    }
  }
}

const mailbox = (t) => env("USER") || t.user || "";
const xoauth2 = (t) => `user=${mailbox(t)}\x01auth=Bearer ${t.access_token}\x01\x01`;

function mailServer(proto) {
  const host = env(proto + "_HOST");
  if (!host) throw new Unsupported(`this provider has no ${proto} server`);
  return { host, port: Number(env(proto + "_PORT")), security: env(proto + "_SECURITY") || "tls" };
}

// ---- a line-based connection (SMTP, IMAP, POP3) ----------------------------

class Conn {
  constructor(socket, host) {
    this.host = host;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    this.closed = null;
    this.attach(socket);
  }

  static open(host, port, security) {
    return new Promise((resolve, reject) => {
      const onErr = (e) => reject(isCertError(e)
        ? new Failure(`the mail server's certificate is not trusted (${e.code}: ${e.message}): refusing to connect`)
        : new Transient(`cannot reach the mail server ${host}:${port}: ${e.message}`));
      const sock = security === "tls"
        ? tls.connect({ host, port, ca: ca(), servername: net.isIP(host) ? undefined : host }, () => resolve(new Conn(sock, host)))
        : net.connect({ host, port }, () => resolve(new Conn(sock, host)));
      sock.once("error", onErr);
      sock.setTimeout(NET_TIMEOUT, () => sock.destroy(new Error("timed out")));
    });
  }

  attach(socket) {
    this.socket = socket;
    socket.on("data", (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on("error", (e) => {
      this.closed = e;
      this.wake();
    });
    socket.on("close", () => {
      this.closed = this.closed || new Error("connection closed");
      this.wake();
    });
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  /** Upgrade to TLS (STARTTLS, STLS). */
  starttls() {
    return new Promise((resolve, reject) => {
      const plain = this.socket;
      plain.removeAllListeners("data");
      plain.removeAllListeners("close");
      plain.removeAllListeners("error");
      const sock = tls.connect({ socket: plain, host: this.host, ca: ca(), servername: net.isIP(this.host) ? undefined : this.host }, () => {
        sock.removeListener("error", onErr);
        this.attach(sock);
        resolve();
      });
      const onErr = (e) => reject(isCertError(e)
        ? new Failure(`the mail server's certificate is not trusted (${e.code}: ${e.message}): refusing to connect`)
        : new Transient(`the TLS handshake failed: ${e.message}`));
      sock.once("error", onErr);
    });
  }

  async readBytes(n) {
    while (this.buf.length < n) await this.more();
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  async readLine() {
    for (;;) {
      const i = this.buf.indexOf("\r\n");
      if (i >= 0) {
        const line = this.buf.subarray(0, i).toString("utf8");
        this.buf = this.buf.subarray(i + 2);
        return line;
      }
      await this.more();
    }
  }

  more() {
    if (this.closed) return Promise.reject(new Transient(`the mail server closed the connection (${this.closed.message})`));
    return new Promise((r) => this.waiters.push(r));
  }

  write(s) {
    this.socket.write(s);
  }

  close() {
    this.socket.destroy();
  }
}

// ---- send (SMTP) ----------------------------------------------------------

async function smtpReply(c) {
  const lines = [];
  for (;;) {
    const line = await c.readLine();
    lines.push(line);
    if (!/^\d{3}-/.test(line)) break;
  }
  const code = Number(lines[lines.length - 1].slice(0, 3));
  return { code, text: oneLine(lines.map((l) => l.slice(4)).join(" ")), line: lines[lines.length - 1].slice(4) };
}

async function smtpCmd(c, cmd) {
  c.write(cmd + "\r\n");
  return smtpReply(c);
}

function encodeWord(s) {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${b64(s)}?=`;
}

function message(from, to) {
  const domain = from.split("@")[1] || "localhost";
  const body = b64(env("MAIL_BODY")).replace(/.{76}/g, "$&\r\n");
  return [
    `From: ${from}`, `To: ${to}`, `Subject: ${encodeWord(env("MAIL_SUBJECT"))}`,
    `Date: ${new Date(now() * 1000).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@${domain}>`, "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", body, "",
  ].join("\r\n");
}

async function smtpAuth(c, t) {
  let r;
  let challenge = "";
  try {
    r = await smtpCmd(c, "AUTH XOAUTH2 " + b64(xoauth2(t)));
    if (r.code === 334) {
      challenge = Buffer.from(r.line.trim(), "base64").toString("utf8");
      r = await smtpCmd(c, "");
    }
  } catch (e) {
    throw new Transient(`the mail server closed the connection at AUTH (${e.message})`);
  }
  if (r.code === 235) return;
  const line = `${r.code} ${r.text}` + (challenge ? ` (the server said: ${challenge})` : "");
  if (r.code >= 400 && r.code < 500) throw new Transient(line);
  throw new Refused(line);
}

async function send() {
  const { host, port, security } = mailServer("SMTP");
  const from = env("MAIL_FROM") || env("USER");
  const to = env("MAIL_TO") || env("USER");
  const msg = message(from, to);
  await withToken(async (t) => {
    const c = await Conn.open(host, port, security);
    try {
      let r = await smtpReply(c);
      if (r.code !== 220) throw new Transient(`the mail server greeted with ${r.code} ${r.text}`);
      r = await smtpCmd(c, "EHLO localhost");
      if (security !== "tls") {
        r = await smtpCmd(c, "STARTTLS");
        if (r.code !== 220) throw new Failure(`the mail server refused STARTTLS: ${r.code} ${r.text}`);
        await c.starttls();
        r = await smtpCmd(c, "EHLO localhost");
      }
      if (r.code !== 250) throw new Failure(`the mail server refused EHLO: ${r.code} ${r.text}`);
      await smtpAuth(c, t);
      const step = async (cmd, want) => {
        const rr = await smtpCmd(c, cmd);
        if (rr.code !== want) throw new Failure(`the mail server did not take the message: ${rr.code} ${rr.text}`);
      };
      await step(`MAIL FROM:<${from}>`, 250);
      await step(`RCPT TO:<${to}>`, 250);
      await step("DATA", 354);
      const data = msg.split("\r\n").map((l) => (l.startsWith(".") ? "." + l : l)).join("\r\n");
      await step(data + ".", 250);
      c.write("QUIT\r\n");
    } finally {
      c.close();
    }
  });
  return {};
}

// ---- subjects -------------------------------------------------------------

function decodeWords(s) {
  return s.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=(\s+(?==\?))?/g, (_, charset, enc, text) => {
    let bytes;
    if (enc.toUpperCase() === "B") bytes = Buffer.from(text, "base64");
    else {
      bytes = Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), "latin1");
    }
    try {
      return new TextDecoder(charset.split("*")[0]).decode(bytes);
    } catch {
      return bytes.toString("utf8");
    }
  });
}

function subjectOf(headers) {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, " ");
  const m = unfolded.match(/^subject:[ \t]*(.*)$/im);
  return m ? decodeWords(m[1].trim()) : "";
}

// ---- fetch (IMAP) ---------------------------------------------------------

let tagN = 0;

/** Send an IMAP command; answer {status, text, untagged: [[line, literal...]]}. */
async function imapCmd(c, cmd, onContinue) {
  const tag = "a" + ++tagN;
  c.write(`${tag} ${cmd}\r\n`);
  const untagged = [];
  for (;;) {
    let line = await c.readLine();
    if (line.startsWith("+")) {
      if (!onContinue) throw new Failure(`unexpected continuation from the mail server: ${line}`);
      c.write(onContinue(line.slice(1).trim()) + "\r\n");
      continue;
    }
    const parts = [line];
    let m;
    while ((m = line.match(/\{(\d+)\}$/))) {
      parts.push((await c.readBytes(Number(m[1]))).toString("utf8"));
      line = await c.readLine();
      parts.push(line);
    }
    if (line.startsWith(tag + " ")) {
      const rest = parts[0].slice(tag.length + 1);
      const sp = rest.indexOf(" ");
      return { status: sp < 0 ? rest : rest.slice(0, sp), text: sp < 0 ? "" : rest.slice(sp + 1), untagged };
    }
    if (parts[0].startsWith("* BYE")) throw new Failure(`the mail server closed the connection: ${parts[0].slice(2)}`);
    untagged.push(parts);
  }
}

async function imapAuth(c, t) {
  let sent = false;
  let challenge = "";
  let r;
  try {
    r = await imapCmd(c, "AUTHENTICATE XOAUTH2", (data) => {
      if (!sent) {
        sent = true;
        return b64(xoauth2(t));
      }
      challenge = Buffer.from(data, "base64").toString("utf8");
      return "";
    });
  } catch (e) {
    if (e instanceof Transient) throw new Transient(`the mail server closed the connection at AUTHENTICATE (${e.message})`);
    throw e;
  }
  if (r.status === "OK") return;
  const line = `${r.status} ${r.text}` + (challenge ? ` (the server said: ${challenge})` : "");
  if (/\[(UNAVAILABLE|SERVERBUG)\]/.test(r.text)) throw new Transient(line);
  throw new Refused(line);
}

async function fetchMail() {
  const { host, port, security } = mailServer("IMAP");
  return withToken(async (t) => {
    const c = await Conn.open(host, port, security);
    try {
      const greeting = await c.readLine();
      if (!greeting.startsWith("* OK") && !greeting.startsWith("* PREAUTH")) throw new Transient(`the mail server greeted with ${greeting}`);
      if (security !== "tls") {
        const r = await imapCmd(c, "STARTTLS");
        if (r.status !== "OK") throw new Failure(`the mail server refused STARTTLS: ${r.text}`);
        await c.starttls();
      }
      await imapAuth(c, t);
      const sel = await imapCmd(c, "SELECT INBOX");
      if (sel.status !== "OK") throw new Failure(`the INBOX could not be opened: ${sel.status} ${sel.text}`);
      let count = 0;
      for (const u of sel.untagged) {
        const m = u[0].match(/^\* (\d+) EXISTS/i);
        if (m) count = Number(m[1]);
      }
      const subjects = [];
      if (count > 0) {
        const f = await imapCmd(c, "FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        if (f.status !== "OK") throw new Failure(`the INBOX could not be read: ${f.status} ${f.text}`);
        for (const u of f.untagged) {
          if (/^\* \d+ FETCH/i.test(u[0])) subjects.push(subjectOf(u[1] || ""));
        }
      }
      c.write(`a${++tagN} LOGOUT\r\n`);
      return { subjects };
    } finally {
      c.close();
    }
  });
}

// ---- pop (POP3) -----------------------------------------------------------

async function popCmd(c, cmd) {
  c.write(cmd + "\r\n");
  return c.readLine();
}

async function popMulti(c) {
  const lines = [];
  for (;;) {
    const l = await c.readLine();
    if (l === ".") return lines;
    lines.push(l.startsWith("..") ? l.slice(1) : l);
  }
}

/** AUTH XOAUTH2, wait for "+ ", then the base64 (Exchange takes only this two-step form). */
async function popAuth(c, t) {
  let r;
  let challenge = "";
  try {
    r = await popCmd(c, "AUTH XOAUTH2");
    if (r.startsWith("+") && !r.startsWith("+OK")) {
      r = await popCmd(c, b64(xoauth2(t)));
      if (r.startsWith("+") && !r.startsWith("+OK")) {
        challenge = Buffer.from(r.slice(1).trim(), "base64").toString("utf8");
        r = await popCmd(c, "");
      }
    }
  } catch (e) {
    if (e instanceof Transient) throw new Transient(`the mail server closed the connection at AUTH (${e.message})`);
    throw e;
  }
  if (r.startsWith("+OK")) return;
  const line = r + (challenge ? ` (the server said: ${challenge})` : "");
  if (/\[(SYS\/TEMP|IN-USE)\]/.test(r)) throw new Transient(line);
  throw new Refused(line);
}

async function pop() {
  const { host, port, security } = mailServer("POP3");
  return withToken(async (t) => {
    const c = await Conn.open(host, port, security);
    try {
      const greeting = await c.readLine();
      if (!greeting.startsWith("+OK")) throw new Transient(`the mail server greeted with ${greeting}`);
      if (security !== "tls") {
        const r = await popCmd(c, "STLS");
        if (!r.startsWith("+OK")) throw new Failure(`the mail server refused STLS: ${r}`);
        await c.starttls();
      }
      await popAuth(c, t);
      const stat = await popCmd(c, "STAT");
      if (!stat.startsWith("+OK")) throw new Failure(`the maildrop could not be read: ${stat}`);
      const count = Number(stat.split(/\s+/)[1] || 0);
      const subjects = [];
      for (let i = 1; i <= count; i++) {
        let r = await popCmd(c, `TOP ${i} 0`);
        if (!r.startsWith("+OK")) r = await popCmd(c, `RETR ${i}`);
        if (!r.startsWith("+OK")) throw new Failure(`the maildrop could not be read: ${r}`);
        const lines = await popMulti(c);
        const end = lines.indexOf("");
        subjects.push(subjectOf((end < 0 ? lines : lines.slice(0, end)).join("\r\n")));
      }
      c.write("QUIT\r\n");
      return { subjects };
    } finally {
      c.close();
    }
  });
}

// ---- api ------------------------------------------------------------------

async function api() {
  const endpoint = env("API_ENDPOINT");
  if (!endpoint || provider() !== "trackdechets") throw new Unsupported(`this application calls no API at ${provider()}`);
  const t = await tokens();
  const body = JSON.stringify({ query: "{ me { email name } }" });
  const headers = { "Content-Type": "application/json", Accept: "application/json", Authorization: "Bearer " + t.access_token };
  const { status, body: raw } = await retry(async () => {
    const r = await request("POST", endpoint, body, headers);
    if (r.status >= 500) throw new Transient(`the API is unavailable (HTTP ${r.status})`);
    return r;
  }, "the API");
  let doc;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new Failure(`the API answered HTTP ${status} with no JSON`);
  }
  const errors = Array.isArray(doc.errors) ? doc.errors : [];
  const unauth = errors.find((e) => e?.extensions?.code === "UNAUTHENTICATED");
  if (unauth || status === 401) throw new Failure(`the API no longer accepts your sign-in (${unauth?.message || "HTTP 401"}); sign in again`);
  const me = doc.data?.me;
  if (errors.length || !me) throw new Failure(`the API refused the request (HTTP ${status}: ${errors[0]?.message || "no data"})`);
  return { email: me.email, name: me.name };
}

// ---- dispatch -------------------------------------------------------------

const actions = { authorize, device, "app-token": appToken, send, fetch: fetchMail, pop, api };

function say(doc) {
  process.stdout.write(JSON.stringify(doc) + "\n");
}

async function main() {
  const action = process.argv[2] || env("ACTION");
  const fn = actions[action];
  try {
    if (!fn) throw new Unsupported(`unknown action ${JSON.stringify(action)}`);
    say((await fn()) ?? {});
    return 0;
  } catch (e) {
    if (e instanceof Unsupported) {
      log(`not supported: ${e.message}`);
      return 3;
    }
    const known = e instanceof Failure || e instanceof Transient || e instanceof Refused;
    say({ error: known ? e.message : `internal error: ${e?.stack?.split("\n")[0] || e}` });
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
  // A listener or socket left open must not keep the action running.
  setTimeout(() => process.exit(code), 100).unref();
});
