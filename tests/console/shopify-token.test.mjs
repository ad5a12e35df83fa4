// The console inside the Shopify admin: Shopify's session token (a JWT, HS256 under the app's
// secret, `aud` the API key, `dest` the shop) authenticates instead of the password and cookie.
// Tokens are made here as Shopify makes them (node:crypto, independently of the console's
// WebCrypto check); forged, expired, another app's and another shop's are refused. The clock is
// the handler's injected one. One page is opened in real Chromium with App Bridge's `id_token`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, server, startServer } from '../server/harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const SHOP = 'acme-outdoor.myshopify.com';
const API_KEY = 'app-api-key-1';
const APP_SECRET = 'shopify-app-secret'; // the harness's secrets.shopify: the app's secret
const clock = { now: T0 };
let app, twilio, sendgrid, base;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  const users = [{ name: 'otto', role: 'operator', passwordHash: await server.hashPassword('operator-password-1', { iterations: 1000 }) }];
  app = await startServer({
    store: server.memoryStore(), clock, twilio, sendgrid,
    secrets: { console: 'console-secret-of-at-least-32-characters!', shopify: APP_SECRET },
    console: server.operatorConsole({ timeZone: 'America/Chicago', users, shopify: { apiKey: API_KEY, shop: SHOP, role: 'operator' } }),
  });
  base = `${app.url}/console`;
});

after(async () => {
  await app?.close();
  await twilio?.close();
  await sendgrid?.close();
});

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A session token as Shopify signs one; `claims` override the defaults, `secret` and `alg` forge. */
function token(claims = {}, { secret = APP_SECRET, alg = 'HS256' } = {}) {
  const now = Math.floor(clock.now / 1000);
  const body = { iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: API_KEY, sub: '42', exp: now + 60, nbf: now - 1, iat: now - 1, jti: 'jti-1', sid: 'admin-session-1', ...claims };
  const signing = `${b64({ alg, typ: 'JWT' })}.${b64(body)}`;
  return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

const get = (path, headers = {}) => fetch(`${base}${path}`, { headers, redirect: 'manual' });

test('a current token for this app and shop opens the console, by header or by App Bridge\'s id_token; the admin may frame it', async () => {
  const byHeader = await get('/overview', { authorization: `Bearer ${token()}` });
  assert.equal(byHeader.status, 200);
  assert.match(await byHeader.text(), /Shopify staff 42 \(operator\)/);
  const csp = byHeader.headers.get('content-security-policy');
  assert.match(csp, new RegExp(`frame-ancestors https://${SHOP} https://admin.shopify.com`));
  assert.equal(byHeader.headers.get('x-frame-options'), null, 'framed by the admin');
  assert.doesNotMatch(csp, /script-src/, 'still no script');
  const byQuery = await get(`/shoppers?id_token=${token()}`);
  assert.equal(byQuery.status, 200);
  assert.equal(byQuery.headers.get('set-cookie'), null, 'no cookie: the token is the session');
});

test('forged, tampered, "none", expired, not-yet-valid, another app\'s and another shop\'s tokens are refused', async () => {
  const refused = {
    forged: token({}, { secret: 'not-the-app-secret' }),
    tampered: token().replace(/\.([^.]+)\./, (m, p) => `.${b64({ ...JSON.parse(Buffer.from(p, 'base64url')), sub: '1' })}.`),
    none: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ dest: `https://${SHOP}`, iss: `https://${SHOP}/admin`, aud: API_KEY, exp: T0 / 1000 + 60 })}.`,
    expired: token({ exp: Math.floor(clock.now / 1000) - 60 }),
    early: token({ nbf: Math.floor(clock.now / 1000) + 60 }),
    otherApp: token({ aud: 'another-app' }),
    otherShop: token({ dest: 'https://other-shop.myshopify.com', iss: 'https://other-shop.myshopify.com/admin' }),
    otherIssuer: token({ iss: 'https://other-shop.myshopify.com/admin' }),
    garbage: 'not.a.token',
  };
  for (const [name, t] of Object.entries(refused)) {
    const r = await get('/overview', { authorization: `Bearer ${t}` });
    assert.equal(r.status, 401, name);
    assert.match(await r.text(), /session token was refused/, name);
    assert.equal((await get(`/overview?id_token=${encodeURIComponent(t)}`)).status, 401, `${name} as id_token`);
  }
  // Time passes by the handler's clock: the token that worked a minute ago is refused.
  const t = token();
  assert.equal((await get('/overview', { authorization: `Bearer ${t}` })).status, 200);
  clock.now += 2 * 60_000;
  assert.equal((await get('/overview', { authorization: `Bearer ${t}` })).status, 401);
  clock.now = T0;
});

test('a token-authenticated action needs the page\'s CSRF token (bound to the admin session) and is audit-logged with the staff member', async () => {
  const page = await (await get('/health', { authorization: `Bearer ${token()}` })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)[1];
  const post = (body, t = token()) => fetch(`${base}/health/tick`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body), redirect: 'manual' });
  assert.equal((await post({})).status, 403, 'no CSRF token');
  assert.equal((await post({ csrf }, token({ sid: 'another-admin-session' }))).status, 403, 'another admin session\'s');
  clock.now += 30_000;
  assert.equal((await post({ csrf }, token({ jti: 'jti-2' }))).status, 200, 'a later token of the same admin session');
  clock.now = T0;
  const search = await fetch(`${base}/shoppers/lookup`, { method: 'POST', headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, by: 'email', value: 'nobody@example.com' }) });
  assert.equal(search.status, 404, 'searched, found no one');
  const [entry] = (await app.store.readLog('audit')).lines.map((l) => JSON.parse(l));
  assert.deepEqual([entry.action, entry.actor, entry.role], ['lookup', 'Shopify staff 42', 'operator']);
});

test('without a token the cookie sign-in still works; the settings are checked at start-up', async () => {
  assert.equal((await get('/overview')).status, 303);
  const bad = [
    [{ apiKey: '', shop: SHOP }, 'console.shopify.apiKey'],
    [{ apiKey: API_KEY, shop: 'https://acme.myshopify.com' }, 'console.shopify.shop'],
    [{ apiKey: API_KEY, shop: SHOP, role: 'owner' }, 'console.shopify.role'],
  ];
  for (const [shopify, path] of bad) {
    assert.throws(() => server.operatorConsole({ timeZone: 'UTC', users: [{ name: 'a', role: 'viewer', passwordHash: 'pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }], shopify }), (e) => e.path === path, path);
  }
  const users = [{ name: 'a', role: 'viewer', passwordHash: await server.hashPassword('x', { iterations: 1000 }) }];
  assert.throws(() => server.createHandler({ store: server.memoryStore(), publicUrl: 'https://recover.example.com', secrets: { salt: 's', console: 'c'.repeat(32) }, console: server.operatorConsole({ timeZone: 'UTC', users, shopify: { apiKey: API_KEY, shop: SHOP } }) }), (e) => e.path === 'secrets.shopify');
});

test('in Chromium: the admin\'s first load with id_token renders the console', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const r = await page.goto(`${base}/overview?id_token=${token()}`);
    assert.equal(r.status(), 200);
    assert.match(await page.textContent('.who'), /Shopify staff 42 \(operator\)/);
  } finally {
    await browser.close();
  }
});
