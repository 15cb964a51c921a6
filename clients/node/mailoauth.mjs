// A thin client of `mailoauth serve`'s admin API, for test suites: ESM,
// the global fetch, nothing installed. `Admin` wraps the admin API,
// `start` runs `mailoauth serve` and waits for its manifest, `attach` finds
// a running one through the environment. See README.md.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An admin API refusal: its HTTP status and JSON answer (for token(),
 * the token endpoint's own error). */
export class MailoauthError extends Error {
  constructor(status, answer) {
    super(`HTTP ${status}: ${JSON.stringify(answer)}`);
    this.status = status;
    this.answer = answer;
  }
}

/** The admin API at url (the manifest's admin_url). */
export class Admin {
  constructor(url) {
    this.url = url.replace(/\/+$/, '');
  }

  async #call(method, path, { form, query } = {}) {
    let url = this.url + path;
    if (query) url += '?' + new URLSearchParams(defined(query));
    const init = { method };
    if (form) {
      init.body = new URLSearchParams(defined(form));
      init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    }
    const resp = await fetch(url, init);
    const text = await resp.text();
    let answer;
    try {
      answer = text ? JSON.parse(text) : null;
    } catch {
      answer = text;
    }
    if (!resp.ok) throw new MailoauthError(resp.status, answer);
    return answer;
  }

  /** The manifest of the world as it is now. */
  manifest() { return this.#call('GET', '/api/manifest'); }

  /** Back to a snapshot's world, or without one to the start. */
  reset(snapshot) { return this.#call('POST', '/api/reset', { form: { snapshot } }); }

  /** Keep the world as it is now; resolves to the id for reset(). */
  async snapshot() { return (await this.#call('POST', '/api/snapshots', { form: {} })).id; }

  /** The tokens user obtains through the real authorization code flow
   * (user null: the client's application token), as the token endpoint's
   * JSON. scopes is an array or a space-separated string; client a
   * registration's name or client id (default "web"). */
  token(provider, user, scopes, { client, tenant, offline = true } = {}) {
    const scope = Array.isArray(scopes) ? scopes.join(' ') : scopes;
    return this.#call('POST', '/api/tokens', { form: { provider, email: user, scope, client, tenant, offline } });
  }

  /** Move the world's clock forward; resolves to {now, offset_seconds}. */
  advance(seconds) { return this.#call('POST', '/api/clock/advance', { form: { seconds: Math.trunc(seconds) } }); }

  /** Arm an error at target ("google.token") for count requests (0: until
   * clearFaults). */
  fault(target, kind, count = 1, { delayMs } = {}) {
    return this.#call('POST', '/api/faults', { form: { target, fault: kind, count, delay_ms: delayMs } });
  }

  /** Disarm every fault; resolves to how many were armed. */
  async clearFaults() { return (await this.#call('DELETE', '/api/faults')).cleared; }

  /** The messages delivered to mailbox, oldest first. */
  messages(mailbox, { since, limit } = {}) {
    return this.#call('GET', '/api/messages', { query: { mailbox, since, limit } });
  }

  /** Put a message into mailbox's INBOX, as if received: raw (RFC 5322)
   * or one made of from, to, subject and body. */
  deliver(mailbox, { raw, from, to, subject, body } = {}) {
    return this.#call('POST', '/api/messages', { form: { mailbox, raw, from, to, subject, body } });
  }

  /** The audit log, oldest first. */
  events({ since, limit } = {}) { return this.#call('GET', '/api/events', { query: { since, limit } }); }
}

/** The fields of o that have a value, as form text. */
function defined(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}

/** The Admin of a running serve named by the environment:
 * MAILOAUTH_ADMIN_URL, or MAILOAUTH_MANIFEST (the manifest file); null
 * when neither is set. */
export function attach(env = process.env) {
  let url = env.MAILOAUTH_ADMIN_URL;
  if (!url && env.MAILOAUTH_MANIFEST) url = JSON.parse(readFileSync(env.MAILOAUTH_MANIFEST, 'utf8')).admin_url;
  return url ? new Admin(url) : null;
}

/** Run `mailoauth serve` (binary, default MAILOAUTH_BIN or mailoauth on
 * PATH) and resolve once it printed its manifest, every listener
 * accepting: {manifest, admin, stop()}. */
export function start({ binary = process.env.MAILOAUTH_BIN || 'mailoauth', args = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mailoauth-'));
  const child = spawn(binary, ['serve', '--state-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
      let manifest;
      try {
        manifest = JSON.parse(text);
      } catch {
        return;
      }
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ manifest, admin: new Admin(manifest.admin_url), stop });
    });
    child.once('error', (err) => { rmSync(dir, { recursive: true, force: true }); reject(err); });
    exited.then((code) => {
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`mailoauth serve exited (status ${code}) before printing its manifest`));
    });
  });
}
