// Forged, oversized, malformed and unknown inputs each get a 4xx with a clear error body,
// and nothing is stored. Plus the storefront beacon's own guards: CORS, size, rate limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postSendgrid, postShopify, postTwilio, server, startServer, tick } from './harness.mjs';

const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
let twilio, sendgrid, app, store;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  store = server.memoryStore();
  app = await startServer({ store, clock, twilio, sendgrid });
});

after(async () => {
  await app.close();
  await twilio.close();
  await sendgrid.close();
});

/** Nothing at all in the store: no due entry, no intent, no link for the sample's token. */
async function assertNothingStored() {
  assert.deepEqual(await store.dueBefore(Number.MAX_SAFE_INTEGER, 10), []);
  assert.deepEqual(await store.claimable(Number.MAX_SAFE_INTEGER, 10), []);
}

async function assertProblem(response, status, code) {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type'), /application\/json/);
  const body = await response.json();
  assert.equal(body.error.code, code, JSON.stringify(body));
  assert.ok(body.error.message.length > 0);
  return body.error;
}

test('a forged Shopify signature gets 401 and stores nothing', async () => {
  const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z' });
  await assertProblem(await postShopify(app.url, 'checkouts/create', body, { hmac: 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=' }), 401, 'BAD_SIGNATURE');
  await assertProblem(await postShopify(app.url, 'checkouts/create', body, { hmac: '' }), 401, 'BAD_SIGNATURE');
  await assertNothingStored();
});

test('forged Twilio and SendGrid webhooks get 401', async () => {
  await assertProblem(await postTwilio(app.url, '/webhooks/twilio/inbound', { MessageSid: 'SM9', From: '+15125550100', Body: 'STOP' }, { token: 'wrong' }), 401, 'BAD_SIGNATURE');
  const forged = await fetch(`${app.url}/webhooks/sendgrid`, {
    method: 'POST',
    headers: { 'x-twilio-email-event-webhook-signature': 'MEUCIQ==', 'x-twilio-email-event-webhook-timestamp': '1' },
    body: '[]',
  });
  await assertProblem(forged, 401, 'BAD_SIGNATURE');
  // A genuine signature over different bytes is a forgery too.
  const good = await postSendgrid(app.url, [], { timestamp: String(Math.floor(clock.now / 1000)) });
  assert.equal(good.status, 200);
  await assertNothingStored();
});

test('an oversized body gets 413 before it is read whole', async () => {
  const huge = `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
  await assertProblem(await postShopify(app.url, 'checkouts/create', huge), 413, 'TOO_LARGE');
  await assertNothingStored();
});

test('malformed JSON and a missing field get 400 with the JSON path', async () => {
  await assertProblem(await postShopify(app.url, 'checkouts/create', '{"token": '), 400, 'MALFORMED_JSON');
  const error = await assertProblem(await postShopify(app.url, 'checkouts/create', '{"token":"t1","updated_at":"2026-11-27T14:59:00Z","currency":"USD"}'), 400, 'INVALID_FIELD');
  assert.equal(error.path, '$');
  await assertNothingStored();
});

test('an unknown Shopify topic gets 400 naming the supported ones', async () => {
  const error = await assertProblem(await postShopify(app.url, 'products/create', '{"id":1}'), 400, 'UNKNOWN_EVENT_TYPE');
  assert.match(error.message, /checkouts\/create/);
});

test('the tick needs its secret; unknown routes and methods are told apart', async () => {
  await assertProblem(await tick(app.url, 'guess'), 401, 'BAD_CREDENTIALS');
  await assertProblem(await fetch(`${app.url}/nope`), 404, 'NOT_FOUND');
  await assertProblem(await fetch(`${app.url}/tick`, { method: 'PUT' }), 405, 'METHOD_NOT_ALLOWED');
  await assertProblem(await fetch(`${app.url}/tick`), 401, 'BAD_CREDENTIALS'); // GET is Vercel Cron's tick: the same secret
  const health = await fetch(`${app.url}/health`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).ok, true);
});

const beaconEvent = (id, token) => ({
  id, at: '2026-11-27T14:59:00Z', type: 'abandoned', origin: 'storefront',
  cart: { token, stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' },
});
const postBeacon = (body, { origin = 'https://shop.example', ip = '203.0.113.9' } = {}) =>
  fetch(`${app.url}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain', origin, 'x-forwarded-for': ip }, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('beacon: an allowed origin gets CORS headers; another origin gets 403 and stores nothing', async () => {
  const preflight = await fetch(`${app.url}/beacon`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
  await assertProblem(await postBeacon({ v: 1, anonymousId: 'a-1', events: [beaconEvent('b1', 'cart-1')] }, { origin: 'https://evil.example' }), 403, 'ORIGIN_NOT_ALLOWED');
  await assertNothingStored();
  const ok = await postBeacon({ v: 1, anonymousId: 'a-1', events: [beaconEvent('b1', 'cart-1')] });
  assert.equal(ok.status, 202);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.deepEqual(await ok.json(), { applied: 1, unmatched: 0 });
});

test('beacon: a later beacon for the same cart reaches the same contact through the token', async () => {
  await postBeacon({ v: 1, anonymousId: 'a-2', events: [beaconEvent('b2', 'cart-2')] });
  // Another tab, another anonymous id, same cart: one contact, one journey.
  await postBeacon({ v: 1, anonymousId: 'a-3', events: [beaconEvent('b3', 'cart-2')] });
  const due = (await store.dueBefore(Number.MAX_SAFE_INTEGER, 100)).filter((d) => d.id.includes('.'));
  const contacts = new Set(due.map((d) => d.contactId));
  assert.equal(contacts.size, 2, 'cart-1 and cart-2: two shoppers, not three');
});

test('beacon: oversized, malformed and platform-only events are refused with paths', async () => {
  await assertProblem(await postBeacon(`{"v":1,"anonymousId":"a","events":[],"pad":"${'x'.repeat(20_000)}"}`), 413, 'TOO_LARGE');
  await assertProblem(await postBeacon('{"v":1,'), 400, 'MALFORMED_JSON');
  const order = { id: 'o1', at: '2026-11-27T14:59:00Z', type: 'orderPlaced', orderId: '1', total: { minor: 1, currency: 'USD' } };
  const error = await assertProblem(await postBeacon({ v: 1, anonymousId: 'a-4', events: [order] }), 400, 'UNKNOWN_EVENT_TYPE');
  assert.equal(error.path, '$.events[0].type');
});

test('beacon: rate limited per address', async () => {
  const statuses = [];
  // Five shoppers (under the 20 new shoppers an address may bring a minute), 25 beacons each
  // (under 30 per shopper): the per-address limit is the one that bites.
  for (let i = 0; i < 125; i += 1) {
    const r = await postBeacon({ v: 1, anonymousId: `flood-${i % 5}`, events: [beaconEvent(`f${i}`, `flood-${i}`)] }, { ip: '198.51.100.7' });
    statuses.push(r.status);
    await r.arrayBuffer();
  }
  assert.ok(statuses.slice(0, 100).every((s) => s === 202));
  assert.equal(statuses.at(-1), 429);
});
