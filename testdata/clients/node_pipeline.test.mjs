// A CI pipeline's use of `mailoauth serve` with Node's own test runner and
// fetch, nothing installed: reset the world, arm a fault, see the
// application's retry get past it, clear the faults.
//
//   MAILOAUTH_MANIFEST=manifest.json NODE_EXTRA_CA_CERTS=<ca_file> node --test node_pipeline.test.mjs
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const manifest = JSON.parse(readFileSync(process.env.MAILOAUTH_MANIFEST, "utf8"));
const admin = manifest.admin_url;
const google = manifest.providers.google;
const web = google.clients.find((c) => c.name === "web");

const adminCall = async (method, path, form) => {
  const res = await fetch(admin + path, { method, body: form ? new URLSearchParams(form) : undefined });
  assert.equal(res.status, 200, `${method} ${path}`);
  return res.json();
};

// The application's authorization code flow (login_hint: no page).
async function token() {
  const auth = new URL(google.authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: web.client_id, redirect_uri: web.redirect_uris[0], response_type: "code",
    scope: "https://mail.google.com/", login_hint: "alice@gmail.test",
  });
  const redirect = await fetch(auth, { redirect: "manual" });
  const code = new URL(redirect.headers.get("location")).searchParams.get("code");
  return fetch(google.token_endpoint, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code", code, client_id: web.client_id,
      client_secret: web.client_secret, redirect_uri: web.redirect_uris[0],
    }),
  });
}

// What a well-behaved application does on a 5xx: try again.
async function tokenWithRetry(attempts = 3) {
  const seen = [];
  for (let i = 0; i < attempts; i++) {
    const res = await token();
    seen.push(res.status);
    if (res.status < 500) return { res, seen };
  }
  return { res: null, seen };
}

beforeEach(() => adminCall("POST", "/api/reset"));

test("the retry gets past a one-time outage of the token endpoint", async () => {
  const fault = await adminCall("POST", "/api/faults", { target: "google.token", fault: "unavailable", count: "1" });
  assert.match(fault.id, /^f-/);
  const { res, seen } = await tokenWithRetry();
  assert.deepEqual(seen, [503, 200]);
  assert.equal((await res.json()).token_type, "Bearer");
});

test("a fault armed until cleared fails every attempt, then clearing it ends the outage", async () => {
  await adminCall("POST", "/api/faults", { target: "google.token", fault: "server_error", count: "0" });
  const { seen } = await tokenWithRetry();
  assert.deepEqual(seen, [500, 500, 500]);
  const { faults } = await adminCall("GET", "/api/faults");
  assert.equal(faults.length, 1);
  assert.equal((await adminCall("DELETE", "/api/faults")).cleared, 1);
  assert.equal((await token()).status, 200);
});
