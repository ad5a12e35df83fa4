// The Shopify app end to end, for two shops served by one deployment at once, against a fake
// Shopify on 127.0.0.1 (fake-shopify.mjs) and the fake SendGrid and Twilio: shop A installs by
// the authorization-code grant, shop B by managed installation (token exchange from a session
// token); each one's webhook subscriptions are registered through the Admin GraphQL API and
// Shopify delivers only to them; the same shopper abandons a cart in both shops and gets each
// shop's own email and SMS; an order closes A's journey; B uninstalls, and nothing more is sent
// for it and its tokens are gone, while A carries on; `shop/redact` for B erases B alone.
//
//   node scripts/build.mjs && REKINDLE_SKIP_SETUP=1 node --test tests/shopify/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { fakeSendgrid, fakeTwilio, closeServer } from '../server/fake-providers.mjs';
import { SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, removeDir, server, serverNode, shopifySample, tempDir, testPolicy } from '../server/harness.mjs';
import { BROWSER, browserGet as get, cookiesOf, fakeShopify, routeToFake, shopMails, shopSms } from './fake-shopify.mjs';

const shopifyApp = await import(new URL('../../pkg/dist/server/shopify.js', import.meta.url));

const API_KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const API_SECRET = 'shpss_app-secret-for-tests';
const A = 'shop-a.myshopify.com';
const B = 'shop-b.myshopify.com';
const T0 = Date.parse('2026-11-27T15:00:00Z');
const minutes = (n) => n * 60_000;
const clock = { now: T0 };
let dir, twilio, sendgrid, shopify, http, app, appUrl, sessions;
const stores = {};

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  // The app's URL is known once it listens; the fake needs it for the compliance topics.
  http = createServer();
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${http.address().port}`;
  shopify = await fakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, complianceUri: `${appUrl}/webhooks/shopify` });
  // Shopify's library calls https://<shop>/admin/...: those requests reach the fake.
  setAbstractFetchFunc(routeToFake(shopify.origin));
  sessions = shopifyApp.sqliteSessionStorage(Database, join(dir, 'sessions.db'));
  const policy = testPolicy();
  policy.playbooks[0].steps = (await import(new URL('../../pkg/dist/node.js', import.meta.url))).defaultPolicy().playbooks.find((p) => p.name === 'default').steps.filter((s) => ['email-1', 'sms-1', 'email-2'].includes(s.key));
  app = shopifyApp.createShopifyApp({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl,
    tokenKey: randomBytes(32).toString('base64'),
    sessionStorage: sessions,
    secrets: { salt: 'deployment-salt', tick: 'tick-secret' },
    development: true,
    now: () => clock.now,
    sleep: async () => {},
    log: process.env.REKINDLE_TEST_LOG ? (level, message, fields) => console.error(level, message, JSON.stringify(fields)) : undefined,
    // One SQLite file per shop: the shop's namespace.
    async shop(shop) {
      stores[shop] = await serverNode.sqliteStore(join(dir, `${shop}.db`));
      return {
        store: stores[shop],
        policy,
        transports: {
          sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }),
          email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com', name: 'Example Shop' }, templates: TEMPLATES, baseUrl: sendgrid.url }),
        },
        // The sample checkout's recovery URL is on this host.
        shopDomains: [shop, 'checkout.local'],
      };
    },
  });
  http.on('request', serverNode.toNodeListener(app));
});

after(async () => {
  await closeServer(http);
  for (const store of Object.values(stores)) await store.close();
  await sessions.close();
  await Promise.all([twilio.close(), sendgrid.close(), shopify.close()]);
  await removeDir(dir);
});

const checkout = (token, email, phone, customerId) => abandonedCheckout({ at: '2026-11-27T14:59:00Z', token, email, phone, customerId });
const mailsFor = (shop) => shopMails(sendgrid, shop);
const smsFor = (shop) => shopSms(twilio, shop);

test('shop A installs by the authorization-code grant: HMAC checked, state nonce, code exchanged for an offline token', async () => {
  const forged = new URL(shopify.installUrl(appUrl, A));
  forged.searchParams.set('shop', B); // a signed request for A, replayed for B
  assert.equal((await get(forged)).status, 401);

  const begin = await get(shopify.installUrl(appUrl, A));
  assert.equal(begin.status, 302);
  const authorize = new URL(begin.headers.get('location'));
  assert.equal(authorize.origin, `https://${A}`);
  assert.equal(authorize.pathname, '/admin/oauth/authorize');
  assert.equal(authorize.searchParams.get('redirect_uri'), `${appUrl}/auth/callback`);
  assert.match(authorize.searchParams.get('state'), /^[0-9a-f]{32,}$/, 'a random nonce');
  const cookies = cookiesOf(begin);

  const back = shopify.approve(authorize.toString());
  // Without the state cookie the callback is refused (another browser, a forged redirect).
  assert.equal((await get(back)).status, 400);
  const done = await get(back, { cookie: cookies });
  assert.equal(done.status, 302, await done.clone().text());
  assert.equal(done.headers.get('location'), `https://${A}/admin/apps/${API_KEY}`);
  assert.deepEqual(shopify.shops.get(A).grants.map((g) => g.grant), ['authorizationCode']);
  assert.equal(await app.installed(A), true);
});

test('shop B installs by token exchange from a verified session token', async () => {
  const bad = `${shopify.sessionToken(B).slice(0, -4)}AAAA`;
  const refused = await get(`${appUrl}/?embedded=1&shop=${B}&id_token=${bad}`);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, 'INVALID_SESSION_TOKEN');

  const page = await get(`${appUrl}/?embedded=1&shop=${B}&host=x&id_token=${shopify.sessionToken(B)}`);
  assert.equal(page.status, 200, await page.clone().text());
  assert.match(await page.text(), /shop-b\.myshopify\.com/);
  const [{ grant, body }] = shopify.shops.get(B).grants;
  assert.equal(grant, 'tokenExchange');
  assert.equal(body.grant_type, 'urn:ietf:params:oauth:grant-type:token-exchange');
  assert.equal(body.subject_token_type, 'urn:ietf:params:oauth:token-type:id_token');
  assert.equal(body.requested_token_type, 'urn:shopify:params:oauth:token-type:offline-access-token');
  // Opening the app again does not exchange again.
  assert.equal((await get(`${appUrl}/?embedded=1&shop=${B}&id_token=${shopify.sessionToken(B)}`)).status, 200);
  assert.equal(shopify.shops.get(B).grants.length, 1);
  assert.deepEqual(await app.installedShops(), [A, B]);
});

test('App Bridge\'s Authorization: Bearer <session token> is verified; an installed shop is not exchanged again', async () => {
  const post = (headers) => fetch(`${appUrl}/auth/session`, { method: 'POST', headers: { 'user-agent': BROWSER, ...headers } });
  assert.equal((await post({})).status, 401);
  const forged = await post({ authorization: `Bearer ${shopify.sessionToken(A).replace(/\.[^.]+$/, '.AAAA')}` });
  assert.equal((await forged.json()).error.code, 'INVALID_SESSION_TOKEN');
  assert.equal((await post({ authorization: `Bearer ${shopify.sessionToken(A)}` })).status, 200);
  assert.deepEqual(shopify.shops.get(A).grants.map((g) => g.grant), ['authorizationCode']);
});

test('both shops have every topic subscribed through webhookSubscriptionCreate, and the tokens are encrypted at rest', async () => {
  for (const shop of [A, B]) {
    const subscriptions = shopify.shops.get(shop).subscriptions;
    assert.deepEqual(subscriptions.map((s) => s.topic).sort(), [...shopifyApp.SUBSCRIBED_TOPICS].sort());
    assert.ok(subscriptions.every((s) => s.uri === `${appUrl}/webhooks/shopify`));
  }
  const rows = sessions.raw();
  assert.equal(rows.length, 2);
  for (const shop of [A, B]) {
    const [token] = shopify.shops.get(shop).tokens;
    assert.ok(!rows.some((r) => r.session.includes(token)), 'no plaintext token in the file');
  }
  // Decrypted only under its own session id: a row copied to another shop does not open.
  const stored = Object.fromEntries(JSON.parse(rows.find((r) => r.shop === A).session));
  assert.match(stored.accessToken, /^aesgcm:v1:/);
});

test('the same shopper abandons a cart in both shops: each shop sends its own email and SMS, nothing crosses', async () => {
  const body = await checkout('tok-1', 'ada@example.com', '+15125550100', '603851970716743426');
  for (const shop of [A, B]) {
    const [response] = await shopify.emit(shop, 'checkouts/create', body);
    assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 });
  }
  // A second shopper, in A only: the control for the later email.
  const [other] = await shopify.emit(A, 'checkouts/create', await checkout('tok-2', 'grace@example.com', '+15125550111', '603851970716743427'));
  assert.deepEqual(await other.json(), { applied: 1, unmatched: 0 });

  clock.now = T0 + minutes(5);
  assert.deepEqual(await app.tick(), { shops: 2, due: 3, sent: 3, failed: 0, retrying: 0 });
  assert.equal(mailsFor(A).length, 2);
  assert.equal(mailsFor(B).length, 1);
  const [a] = mailsFor(A).filter((m) => m.mail.personalizations[0].to[0].email === 'ada@example.com');
  const [b] = mailsFor(B);
  assert.notEqual(a.mail.custom_args.rekindle_contact, b.mail.custom_args.rekindle_contact, 'one shopper, two shops: two pseudonymous ids');

  // A's link under B's path is no link of B's.
  const unsubscribeA = new URL(a.mail.headers['List-Unsubscribe'].slice(1, -1));
  assert.equal((await get(new URL(unsubscribeA.pathname, appUrl))).status, 200);
  assert.equal((await get(new URL(unsubscribeA.pathname.replace(`/shops/${A}/`, `/shops/${B}/`), appUrl))).status, 404);

  clock.now = T0 + minutes(17);
  assert.equal((await app.tick()).sent, 3);
  assert.equal(smsFor(A).length, 2);
  assert.equal(smsFor(B).length, 1);
});

test('beacons reach the shop they came from: each shop\'s beacon takes its own storefront\'s origin only', async () => {
  const body = JSON.stringify({ v: 1, anonymousId: 'visitor-1', events: [{
    id: 'b1', at: new Date(clock.now - 60_000).toISOString(), type: 'abandoned', origin: 'storefront',
    cart: { token: 'beacon-cart', stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: `https://${A}/cart` },
  }] });
  const beacon = (shop, origin) => fetch(`${appUrl}/shops/${shop}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain', origin }, body });
  assert.equal((await beacon(A, `https://${A}`)).status, 202);
  assert.equal((await beacon(B, `https://${A}`)).status, 403, 'A\'s storefront cannot write into B');
  assert.equal((await beacon('not-a-shop.example.com', `https://${A}`)).status, 404);
});

test('an order closes the journey in its own shop only', async () => {
  clock.now = T0 + minutes(20);
  const order = (await shopifySample('orders_create')).replace('"checkout_token": null', '"checkout_token": "tok-1"').replaceAll('115310627314723954', '603851970716743426');
  const [response] = await shopify.emit(A, 'orders/create', order);
  assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 });
  const contactA = mailsFor(A).find((m) => m.mail.personalizations[0].to[0].email === 'ada@example.com').mail.custom_args.rekindle_contact;
  assert.equal(JSON.parse((await stores[A].load(contactA)).state).journeys[0].status, 'recovered');
  const contactB = mailsFor(B)[0].mail.custom_args.rekindle_contact;
  assert.notEqual(JSON.parse((await stores[B].load(contactB)).state).journeys[0].status, 'recovered');
  assert.equal(await stores[A].load(contactB), null, 'B\'s contact is not in A\'s store');
});

test('B uninstalls: its tokens are deleted, nothing more is sent for it, A carries on', async () => {
  clock.now = T0 + minutes(21);
  const [response] = await shopify.uninstall(B, JSON.stringify({ id: 2, domain: B, myshopify_domain: B }));
  assert.equal(response.status, 200);
  assert.equal(await app.installed(B), false);
  assert.deepEqual(sessions.raw().map((r) => r.shop), [A]);
  assert.deepEqual(await app.installedShops(), [A]);

  // A late delivery for B (signed, as Shopify retries) is acknowledged and ignored.
  const late = await shopify.deliver(B, 'checkouts/create', await checkout('tok-9', 'late@example.com', '+15125550199', '603851970716743429'), `${appUrl}/webhooks/shopify`);
  assert.deepEqual(await late.json(), { ignored: 'not installed' });
  assert.equal((await get(`${appUrl}/shops/${B}/health`)).status, 404);

  // B's shopper still has email-2 due: it must not go. A's second shopper gets hers; A's first bought.
  clock.now = T0 + minutes(1320 + 1);
  const outcome = await app.tick();
  assert.equal(outcome.shops, 1);
  assert.equal(outcome.sent, 1);
  assert.equal(mailsFor(B).length, 1, 'nothing more for B');
  assert.deepEqual(mailsFor(A).map((m) => m.mail.personalizations[0].to[0].email).sort(), ['ada@example.com', 'grace@example.com', 'grace@example.com']);
  // Even driven directly, B's runtime cannot send: its transports refuse once uninstalled.
  await (await app.shopRuntime(B)).tick();
  assert.equal(mailsFor(B).length, 1);
  assert.equal(smsFor(B).length, 1);
});

test('shop/redact after uninstall erases that shop alone', async () => {
  const contactB = mailsFor(B)[0].mail.custom_args.rekindle_contact;
  const contactA = mailsFor(A)[0].mail.custom_args.rekindle_contact;
  const body = (await shopifySample('shop_redact')).replace('{shop}.myshopify.com', B);
  const [response] = await shopify.emit(B, 'shop/redact', body);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).erasedShop, true);
  assert.equal(await stores[B].load(contactB), null);
  assert.notEqual(await stores[A].load(contactA), null, 'A keeps its data');
});

test('a webhook not signed with the app secret is refused; one without a shop domain too', async () => {
  const body = await checkout('tok-3', 'x@example.com', '+15125550122', '603851970716743428');
  const forged = await shopify.deliver(A, 'checkouts/create', body, `${appUrl}/webhooks/shopify`, { hmac: 'AAAA' });
  assert.equal(forged.status, 401);
  const noShop = await shopify.deliver('', 'checkouts/create', body, `${appUrl}/webhooks/shopify`);
  assert.equal(noShop.status, 400);
});
