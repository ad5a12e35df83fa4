// Webhook subscriptions registered at install (`registerWebhooks`, through @shopify/shopify-api's
// own GraphQL client) against the fake Shopify whose Admin API charges every mutation to the
// shop's cost bucket (fake-admin.mjs): ten `webhookSubscriptionCreate` calls in a row on a bucket a
// busy app has nearly emptied meet THROTTLED, and a 429 carries Retry-After. Each waits what
// Shopify says (the same waits as the discount and consent calls: admin.js `throttled`), then
// the subscription is made; none is lost and none is made twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import '@shopify/shopify-api/adapters/web-api';
import { RequestedTokenType, shopifyApi, LogSeverity } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { fakeShopify, routeToFake } from './fake-shopify.mjs';
import { adminExecutor } from './fake-admin.mjs';
import { SUBSCRIBED_TOPICS, registerWebhooks } from '../../js-shim/server/shopify/topics.js';

const API_KEY = 'c0ffeec0ffeec0ffeec0ffeec0ffee00';
const API_SECRET = 'shpss_registration-secret';
const BUSY = 'busy-shop.myshopify.com';
const LIMITED = 'limited-shop.myshopify.com';
const URI = 'https://app.example/webhooks/shopify';
const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
let fake, admin, shopify;

before(async () => {
  admin = adminExecutor({ now: () => clock.now });
  for (const shop of [BUSY, LIMITED]) admin.addShop(shop);
  fake = await fakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, complianceUri: URI, admin });
  setAbstractFetchFunc(routeToFake(fake.origin));
  shopify = shopifyApi({
    apiKey: API_KEY, apiSecretKey: API_SECRET, scopes: ['read_orders'], hostName: 'app.example', hostScheme: 'https',
    apiVersion: '2026-01', isEmbeddedApp: true, logger: { level: LogSeverity.Error, log: async () => {} },
  });
});
after(() => fake?.close());

/** The shop's offline session, by token exchange (as the app gets it). */
async function install(shop) {
  const { session } = await shopify.auth.tokenExchange({ shop, sessionToken: fake.sessionToken(shop), requestedTokenType: RequestedTokenType.OfflineAccessToken });
  return session;
}

/** A sleep that moves the fake's clock (which refills the bucket) and records each wait. */
const recording = (waits) => ({ sleep: async (ms) => { waits.push(ms); clock.now += ms; } });

test('THROTTLED: each subscription waits what the cost bucket needs at its restore rate, then is made; all ten, once each', async () => {
  const session = await install(BUSY);
  admin.drain(BUSY, 25); // a mutation costs 10: two go, then each waits for its missing points at 100 a second
  const waits = [];
  const result = await registerWebhooks(shopify, session, URI, SUBSCRIBED_TOPICS, recording(waits));
  assert.deepEqual(result, { created: [...SUBSCRIBED_TOPICS], existing: [] });
  assert.deepEqual(waits, [50, 100, 100, 100, 100, 100, 100, 100]);
  assert.deepEqual(fake.shops.get(BUSY).subscriptions.map((s) => s.topic), [...SUBSCRIBED_TOPICS]);
});

test('HTTP 429: the subscription waits the Retry-After Shopify sent, then is made', async () => {
  const session = await install(LIMITED);
  admin.rateLimit(LIMITED, 2);
  const waits = [];
  const result = await registerWebhooks(shopify, session, URI, SUBSCRIBED_TOPICS, recording(waits));
  assert.deepEqual(waits, [2000]);
  assert.equal(result.created.length, SUBSCRIBED_TOPICS.length);
  assert.equal(fake.shops.get(LIMITED).subscriptions.length, SUBSCRIBED_TOPICS.length);
});

test('a throttle longer than the inline limit is handed back as THROTTLED with its wait, and a retried install finds what was made', async () => {
  const session = await install(LIMITED);
  fake.shops.get(LIMITED).subscriptions.splice(5); // five were lost (a reinstall half done)
  admin.drain(LIMITED, 0);
  await assert.rejects(registerWebhooks(shopify, session, URI, SUBSCRIBED_TOPICS, { ...recording([]), maxWaitMs: 50 }), (e) => e.code === 'THROTTLED' && e.retryAfterMs === 100);
  clock.now += 60_000;
  const again = await registerWebhooks(shopify, session, URI, SUBSCRIBED_TOPICS, recording([]));
  assert.deepEqual([again.existing.length, again.created.length], [5, 5]);
  assert.equal(fake.shops.get(LIMITED).subscriptions.length, SUBSCRIBED_TOPICS.length);
});
