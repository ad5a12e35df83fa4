// The default Shopify `onConsentChange` against the fake Admin API (schema-validated): what the
// shopper told Rekindle reaches the customer's marketing consent in Shopify.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeAdmin } from './fake-admin.mjs';
import { adminFromToken } from '../../js-shim/server/shopify/admin.js';
import { shopifyConsentSync } from '../../js-shim/server/shopify/consent-sync.js';

const SHOP = 'acme.myshopify.com';
let fake;
let sync;

before(async () => {
  fake = await startFakeAdmin({ shops: { [SHOP]: { token: 'shpat_acme', customers: [{ id: 'gid://shopify/Customer/7001', email: 'ada@example.com', phone: '+15555550100' }] } } });
  sync = shopifyConsentSync({ admin: adminFromToken({ shop: SHOP, accessToken: 'shpat_acme', baseUrl: fake.url }) });
});
after(() => fake?.close());

const ada = () => fake.shops[SHOP].customers[0];

test('a STOP becomes the customer\'s SMS marketing consent UNSUBSCRIBED, at the time it was given', async () => {
  const result = await sync({ type: 'reportConsent', channel: 'sms', status: 'revoked', source: 'smsKeyword', address: '+15555550100', at: '2026-11-27T15:04:00Z' });
  assert.deepEqual(result, { synced: true, customerId: 'gid://shopify/Customer/7001' });
  assert.deepEqual(ada().sms_consent, { marketingState: 'UNSUBSCRIBED', consentUpdatedAt: '2026-11-27T15:04:00Z' });
});

test('an unsubscribe link becomes email marketing UNSUBSCRIBED; a YES to the double opt-in is SUBSCRIBED with CONFIRMED_OPT_IN', async () => {
  await sync({ type: 'reportConsent', channel: 'email', status: 'revoked', source: 'unsubscribe', address: 'ada@example.com', at: '2026-11-27T16:00:00Z' });
  assert.deepEqual(ada().email_consent, { marketingState: 'UNSUBSCRIBED', consentUpdatedAt: '2026-11-27T16:00:00Z' });
  await sync({ type: 'reportConsent', channel: 'sms', status: 'granted', source: 'doubleOptInReply', address: '+15555550100', at: '2026-11-28T09:00:00Z' });
  assert.deepEqual(ada().sms_consent, { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'CONFIRMED_OPT_IN', consentUpdatedAt: '2026-11-28T09:00:00Z' });
  await sync({ type: 'reportConsent', channel: 'email', status: 'granted', source: 'preferenceCentre', address: 'ada@example.com', at: '2026-11-28T10:00:00Z' });
  assert.deepEqual(ada().email_consent, { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: '2026-11-28T10:00:00Z' });
});

test('a shopper the shop has no customer for, or a pending ask, writes nothing', async () => {
  const before = fake.shops[SHOP].requests.length;
  assert.deepEqual(await sync({ type: 'reportConsent', channel: 'email', status: 'revoked', source: 'unsubscribe', address: 'guest@example.com', at: '2026-11-27T16:00:00Z' }), { synced: false, reason: 'no Shopify customer has this address' });
  assert.equal((await sync({ type: 'reportConsent', channel: 'sms', status: 'pending', source: 'storefront', address: '+15555550100', at: '2026-11-27T16:00:00Z' })).synced, false);
  const calls = fake.shops[SHOP].requests.slice(before).map((r) => r.field);
  assert.deepEqual(calls, ['customerByIdentifier'], 'one lookup, no mutation');
});
