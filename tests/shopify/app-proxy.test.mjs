// The app proxy: Shopify's signature checked on every request (Shopify's own documented example,
// secret `hush`), and a verified beacon reaching the real Rekindle handler first-party.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { appProxy, proxiedClientAddress, verifyAppProxy } from '../../js-shim/server/shopify/app-proxy.js';

// Shopify, "Authenticate app proxies": the forwarded request for
// GET /apps/awesome_reviews/extra/path/components?extra=1&extra=2 with the shared secret `hush`.
const DOC_QUERY = 'extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb';
const DOC_TIME = 1317327555 * 1000;

test('Shopify\'s documented app proxy request verifies with its secret, and its parameters come back', async () => {
  const verified = await verifyAppProxy('hush', `https://proxy-domain.com/proxy/extra/path/components?${DOC_QUERY}`, { now: DOC_TIME });
  assert.deepEqual(verified, { shop: 'shop-name.myshopify.com', loggedInCustomerId: '1', pathPrefix: '/apps/awesome_reviews', timestamp: 1317327555 });
  // Shopify's older example, without a logged-in customer: the same rule gives its signature too.
  const older = 'extra=1&extra=2&shop=shop-name.myshopify.com&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3';
  assert.equal((await verifyAppProxy('hush', `https://p.example/proxy?${older}`, { now: DOC_TIME }))?.loggedInCustomerId, null);
});

test('any change refuses it: another secret, a value, a parameter added or dropped, the order of a repeated key, a stale timestamp', async () => {
  const url = (q) => `https://proxy-domain.com/proxy?${q}`;
  const at = { now: DOC_TIME };
  assert.equal(await verifyAppProxy('hush!', url(DOC_QUERY), at), null);
  assert.equal(await verifyAppProxy('hush', url(DOC_QUERY.replace('logged_in_customer_id=1', 'logged_in_customer_id=2')), at), null);
  assert.equal(await verifyAppProxy('hush', url(`${DOC_QUERY}&extra2=x`), at), null);
  assert.equal(await verifyAppProxy('hush', url(DOC_QUERY.replace('extra=1&extra=2&', '')), at), null);
  assert.equal(await verifyAppProxy('hush', url(DOC_QUERY.replace('extra=1&extra=2', 'extra=2&extra=1')), at), null);
  assert.equal(await verifyAppProxy('hush', url(DOC_QUERY.replace(/&signature=.*/, '')), at), null);
  assert.equal(await verifyAppProxy('hush', url(`${DOC_QUERY}&signature=${'0'.repeat(64)}`), at), null, 'two signatures');
  assert.equal(await verifyAppProxy('hush', url(DOC_QUERY), { now: DOC_TIME + 301_000 }), null, 'replayed after 5 minutes');
  assert.equal(await verifyAppProxy('', url(DOC_QUERY), at), null);
});

/** What Shopify's proxy adds, signed as Shopify signs it (node:crypto, independent of the code under test). */
function shopifyForward(path, query, { secret, shop, at }) {
  const params = new URLSearchParams(query);
  params.set('shop', shop);
  params.set('logged_in_customer_id', '');
  params.set('path_prefix', '/apps/rekindle');
  params.set('timestamp', String(Math.floor(at / 1000)));
  const grouped = new Map();
  for (const [k, v] of params) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  const message = [...grouped].map(([k, v]) => `${k}=${v.join(',')}`).sort().join('');
  params.set('signature', createHmac('sha256', secret).update(message).digest('hex'));
  return `https://app.example${path}?${params}`;
}

test('a verified request under the proxy path reaches the handler rewritten (path, Shopify\'s parameters, Origin and Cookie gone) with its shop; others are 401 or 404', async () => {
  const now = Date.parse('2026-11-27T15:00:00Z');
  const seen = [];
  const proxy = appProxy({
    secret: 'app-secret', now: () => now, basePath: '/rekindle',
    forward: async (request, context) => {
      seen.push({ url: request.url, method: request.method, origin: request.headers.get('origin'), cookie: request.headers.get('cookie'), body: await request.text(), context });
      return new Response(null, { status: 202 });
    },
  });
  const signed = shopifyForward('/proxy/beacon', 'v=2', { secret: 'app-secret', shop: 'acme.myshopify.com', at: now });
  const ok = await proxy(new Request(signed, { method: 'POST', headers: { origin: 'https://acme.example', cookie: 'a=b', 'content-type': 'text/plain' }, body: '{"v":1}' }));
  assert.equal(ok.status, 202);
  assert.deepEqual(seen, [{ url: 'https://app.example/rekindle/beacon?v=2', method: 'POST', origin: null, cookie: null, body: '{"v":1}', context: { shop: 'acme.myshopify.com', loggedInCustomerId: null, clientAddress: 'unknown' } }]);

  const forged = signed.replace('acme.myshopify.com', 'other.myshopify.com');
  assert.equal((await proxy(new Request(forged, { method: 'POST', body: '{}' }))).status, 401);
  const unsigned = (await proxy(new Request('https://app.example/proxy/beacon', { method: 'POST', body: '{}' })));
  assert.equal(unsigned.status, 401);
  assert.equal((await unsigned.json()).error.code, 'BAD_SIGNATURE');
  const report = shopifyForward('/proxy/report', '', { secret: 'app-secret', shop: 'acme.myshopify.com', at: now });
  assert.equal((await proxy(new Request(report))).status, 404, 'only the beacon is reachable through the storefront');
  assert.equal(await proxy(new Request('https://app.example/webhooks/shopify', { method: 'POST' })), null, 'not the proxy\'s path');
  assert.equal(seen.length, 1);
});

test('through the proxy a storefront beacon reaches the Rekindle handler first-party and is applied', async () => {
  const { tempDir, startServer, SECRETS, TWILIO, SENDGRID_KEY } = await import('../server/harness.mjs');
  const { fakeTwilio, fakeSendgrid } = await import('../server/fake-providers.mjs');
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const dir = await tempDir();
  const twilio = await fakeTwilio(TWILIO);
  const sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  const app = await startServer({ storePath: `${dir}/r.db`, clock, twilio, sendgrid });
  try {
    const proxy = appProxy({ secret: SECRETS.shopify, now: () => clock.now, forward: (request) => app.handler(request) });
    const body = JSON.stringify({ v: 1, anonymousId: 'a-proxy', events: [{ id: 'pb1', at: '2026-11-27T14:59:00Z', type: 'abandoned', origin: 'storefront', cart: { token: 'cart-proxy', stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
    const url = shopifyForward('/proxy/beacon', '', { secret: SECRETS.shopify, shop: 'acme.myshopify.com', at: clock.now });
    // The browser posted to the shop's own /apps/rekindle/beacon: Origin is the shop's storefront,
    // which the deployment's CORS list need not name, since it never reaches the handler.
    const response = await proxy(new Request(url, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://acme-storefront.example', 'x-forwarded-for': '203.0.113.7' }, body }));
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 });
  } finally {
    await app.close?.();
    await twilio.close?.();
    await sendgrid.close?.();
  }
});

test('the shopper\'s address is the X-Forwarded-For entry Shopify wrote: the last, less an edge\'s own append of the connecting address; anything else leaves the platform\'s', () => {
  const h = (xff) => new Headers(xff === undefined ? {} : { 'x-forwarded-for': xff });
  const SHOPIFY = '198.51.100.1'; // the address that connected: Shopify's proxy
  assert.equal(proxiedClientAddress(h('203.0.113.7'), SHOPIFY), '203.0.113.7');
  assert.equal(proxiedClientAddress(h('10.9.9.9, 203.0.113.7'), SHOPIFY), '203.0.113.7', 'what the browser wrote comes first');
  assert.equal(proxiedClientAddress(h(`203.0.113.7, ${SHOPIFY}`), SHOPIFY), '203.0.113.7', 'an edge appended the connecting address');
  assert.equal(proxiedClientAddress(h('2001:db8::7'), SHOPIFY), '2001:db8::7');
  assert.equal(proxiedClientAddress(h(), SHOPIFY), SHOPIFY);
  assert.equal(proxiedClientAddress(h('not-an-address'), SHOPIFY), SHOPIFY);
  assert.equal(proxiedClientAddress(h(SHOPIFY), SHOPIFY), SHOPIFY);
});

test('through the proxy two shoppers are limited separately by their own addresses; a forged X-Forwarded-For without a valid signature changes no key', async () => {
  const { tempDir, startServer, SECRETS, TWILIO, SENDGRID_KEY } = await import('../server/harness.mjs');
  const { fakeTwilio, fakeSendgrid } = await import('../server/fake-providers.mjs');
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const dir = await tempDir();
  const twilio = await fakeTwilio(TWILIO);
  const sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  // Three beacons a minute per address, so a limit is reached in a few requests.
  const app = await startServer({ storePath: `${dir}/r.db`, clock, twilio, sendgrid, beacon: { allowedOrigins: ['https://shop.example'], perIp: { limit: 3, windowMs: 60_000 } } });
  const SHOPIFY = { clientAddress: '198.51.100.1' }; // every proxied request connects from Shopify (the Node adapter's ctx)
  try {
    const proxy = appProxy({ secret: SECRETS.shopify, now: () => clock.now, forward: (request, context, env, ctx) => app.handler(request, env, ctx) });
    const body = JSON.stringify({ v: 1, anonymousId: 'a-limits', events: [{ id: 'lb1', at: '2026-11-27T14:59:00Z', type: 'abandoned', origin: 'storefront', cart: { token: 'cart-limits', stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
    const signed = shopifyForward('/proxy/beacon', '', { secret: SECRETS.shopify, shop: 'acme.myshopify.com', at: clock.now });
    const viaProxy = (url, xff) => proxy(new Request(url, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-forwarded-for': xff }, body }), undefined, SHOPIFY).then((r) => r.status);

    // Shopper 1 spends the limit; shopper 2, through the same Shopify address, still has all of it.
    assert.deepEqual([await viaProxy(signed, '203.0.113.7'), await viaProxy(signed, '203.0.113.7'), await viaProxy(signed, '203.0.113.7'), await viaProxy(signed, '203.0.113.7')], [202, 202, 202, 429]);
    assert.deepEqual([await viaProxy(signed, '203.0.113.8'), await viaProxy(signed, '203.0.113.8'), await viaProxy(signed, '203.0.113.8')], [202, 202, 202]);

    // A signature that does not hold: refused before any header is read, and no budget is spent.
    const forged = signed.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(64)}`);
    assert.equal(await viaProxy(forged, '203.0.113.9'), 401);
    assert.equal(await viaProxy(signed, '203.0.113.9'), 202, '203.0.113.9 was not charged by the forgery');

    // Straight to the handler (no proxy, no signature): a made-up X-Forwarded-For is not read, so
    // every one of these counts against the one address that connected.
    const direct = (xff) => app.handler(new Request(`${app.url}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-forwarded-for': xff }, body }), undefined, { clientAddress: '192.0.2.50' }).then((r) => r.status);
    assert.deepEqual([await direct('203.0.113.20'), await direct('203.0.113.21'), await direct('203.0.113.22'), await direct('203.0.113.23')], [202, 202, 202, 429]);
  } finally {
    await app.close?.();
    await twilio.close?.();
    await sendgrid.close?.();
  }
});
