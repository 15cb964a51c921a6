// Tests of the helper against a running serve (MAILOAUTH_ADMIN_URL or
// MAILOAUTH_MANIFEST, NODE_EXTRA_CA_CERTS its ca_file) and one it starts
// (MAILOAUTH_BIN): make test runs them with node --test.
import { test, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

import { attach, start, MailoauthError } from './mailoauth.mjs';

const admin = attach();
let tokens;
let snap;

/** A refresh at the provider's token endpoint over HTTPS. */
async function refresh(provider, clientName, refreshToken) {
  const p = (await admin.manifest()).providers[provider];
  const client = p.clients.find((c) => c.name === clientName);
  const resp = await fetch(p.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken,
      client_id: client.client_id, client_secret: client.client_secret }),
  });
  return [resp.status, await resp.json()];
}

const attached = { skip: admin ? false : 'neither MAILOAUTH_ADMIN_URL nor MAILOAUTH_MANIFEST is set' };

before(async () => {
  if (!admin) return;
  await admin.reset();
  tokens = await admin.token('google', 'alice@gmail.test', ['https://mail.google.com/']);
  snap = await admin.snapshot();
});

beforeEach(async () => {
  if (admin) await admin.reset(snap);
});

test('a token minted before the snapshot refreshes after reset; one minted after does not', attached, async () => {
  assert.equal(tokens.token_type, 'Bearer');
  let [status, answer] = await refresh('google', 'web', tokens.refresh_token);
  assert.equal(status, 200, JSON.stringify(answer));
  const later = await admin.token('google', 'bob@gmail.test', 'https://mail.google.com/');
  await admin.reset(snap);
  [status, answer] = await refresh('google', 'web', later.refresh_token);
  assert.deepEqual([status, answer.error], [400, 'invalid_grant']);
});

test('a refused token is the provider\'s answer', attached, async () => {
  await assert.rejects(admin.token('microsoft', 'alice@contoso.test', 'https://outlook.office.com/Nonsense.Scope'),
    (err) => err instanceof MailoauthError && err.status === 400 && err.answer.error === 'invalid_scope');
});

test('an application token', attached, async () => {
  const tok = await admin.token('microsoft', null, [], { client: 'daemon' });
  assert.ok(tok.access_token);
  assert.equal(tok.refresh_token, undefined);
});

test('deliver and messages', attached, async () => {
  await admin.deliver('alice@gmail.test', { from: 'bob@example.test', subject: 'Hello', body: 'Hi' });
  const raw = 'From: carol@example.test\r\nSubject: Raw\r\n\r\nbody\r\n';
  await admin.deliver('alice@gmail.test', { raw });
  const msgs = await admin.messages('alice@gmail.test');
  assert.deepEqual(msgs.map((m) => m.subject), ['Hello', 'Raw']);
  assert.equal(msgs[1].raw, raw);
  assert.equal((await admin.messages('alice@gmail.test', { limit: 1 })).length, 1);
  await admin.reset(snap);
  assert.deepEqual(await admin.messages('alice@gmail.test'), []);
});

test('advance', attached, async () => {
  assert.ok((await admin.advance(3600)).offset_seconds >= 3600);
});

test('fault and events', attached, async () => {
  assert.equal((await admin.fault('google.token', 'unavailable', 1)).target, 'google.token');
  await assert.rejects(admin.token('google', 'alice@gmail.test', 'https://mail.google.com/'), (err) => err.status === 503);
  await admin.token('google', 'alice@gmail.test', 'https://mail.google.com/');
  await admin.fault('google.token', 'unavailable', 0);
  assert.equal(await admin.clearFaults(), 1);
  const events = await admin.events();
  assert.ok(events.some((e) => e.protocol === 'oauth' && e.user === 'alice@gmail.test'));
  assert.ok(events.some((e) => e.mechanism === 'fault'));
});

test('start runs serve and stop ends it', { skip: process.env.MAILOAUTH_BIN ? false : 'MAILOAUTH_BIN is not set' }, async () => {
  const served = await start();
  try {
    assert.ok(served.manifest.providers.google);
    assert.equal((await served.admin.manifest()).admin_url, served.manifest.admin_url);
  } finally {
    await served.stop();
  }
  await assert.rejects(served.admin.manifest());
});
