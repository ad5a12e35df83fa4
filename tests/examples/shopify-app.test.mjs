// examples/shopify-app as a merchant's engineer runs it: installed with the packed package and
// @shopify/shopify-api from the registry, `node server.mjs` in its own process, configured by
// environment variables. Shopify's side of the install (the token endpoint, the Admin API) is
// exercised in tests/shopify/app.test.mjs against the fake Shopify; here: the example boots,
// answers a signed install request with the redirect to Shopify's grant screen (the state nonce
// in a signed cookie), refuses a forged one, acknowledges and ignores a signed webhook from a
// shop that never installed it, and stops cleanly on SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { assertReadmeQuotesExample, installExample, repo, startProcess } from './common.mjs';
import { signQuery } from '../shopify/fake-shopify.mjs';

const API_KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const API_SECRET = 'shpss_example-secret';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
let project, server, url;

before(async () => {
  project = await installExample('shopify-app', { provided: ['better-sqlite3'] });
  await symlink(join(repo, 'node_modules', 'better-sqlite3'), join(project.dir, 'node_modules', 'better-sqlite3'), 'dir');
  server = await startProcess(process.execPath, ['server.mjs'], {
    cwd: project.dir,
    ready: /"message":"listening","url":"(http:\/\/[^"]+)"/,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATA_DIR: join(project.dir, 'data'),
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: 'https://recover.example.com',
      SHOPIFY_TOKEN_KEY: randomBytes(32).toString('base64'),
      REKINDLE_SALT: 'example-salt',
      REKINDLE_TICK_SECRET: 'example-tick',
      SENDGRID_API_KEY: 'SG.x',
      EMAIL_FROM: 'shop@example.com',
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_MESSAGING_SERVICE_SID: 'MG00000000000000000000000000000001',
    },
  });
  url = server.match[1];
});

after(async () => {
  await server?.stop();
  await project?.remove();
});

function installRequest(shop) {
  const params = { host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'), shop, timestamp: String(Math.floor(Date.now() / 1000)) };
  return `${url}/?${new URLSearchParams({ ...params, hmac: signQuery(API_SECRET, params) })}`;
}

test('a signed install request is sent to Shopify\'s grant screen, with the state nonce in a signed cookie', async () => {
  const response = await fetch(installRequest('demo-shop.myshopify.com'), { redirect: 'manual', headers: { 'user-agent': BROWSER } });
  assert.equal(response.status, 302, await response.clone().text());
  const location = new URL(response.headers.get('location'));
  assert.equal(location.origin, 'https://demo-shop.myshopify.com');
  assert.equal(location.pathname, '/admin/oauth/authorize');
  assert.equal(location.searchParams.get('client_id'), API_KEY);
  assert.equal(location.searchParams.get('redirect_uri'), 'https://recover.example.com/auth/callback');
  const cookies = response.headers.getSetCookie().map((c) => c.split('=')[0]).sort();
  assert.deepEqual(cookies, ['shopify_app_state', 'shopify_app_state.sig']);
});

test('a forged install request is refused', async () => {
  const forged = installRequest('demo-shop.myshopify.com').replace('demo-shop', 'other-shop');
  const response = await fetch(forged, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error.code, 'BAD_SIGNATURE');
});

test('a signed webhook from a shop that never installed the app is acknowledged and ignored', async () => {
  const body = JSON.stringify({ id: 1, token: 't' });
  const response = await fetch(`${url}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'checkouts/create',
      'x-shopify-hmac-sha256': createHmac('sha256', API_SECRET).update(body).digest('base64'),
      'x-shopify-shop-domain': 'stranger.myshopify.com',
      'x-shopify-webhook-id': 'wh-1',
      'x-shopify-api-version': '2026-01',
    },
    body,
  });
  assert.deepEqual(await response.json(), { ignored: 'not installed' });
  assert.deepEqual(await (await fetch(`${url}/health`)).json(), { ok: true, shops: 0 });
});

test('README quotes the example\'s own code', async () => {
  await assertReadmeQuotesExample('shopify-app');
});
