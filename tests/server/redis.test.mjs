// The Redis store against a real redis-server: the store contract, then the vertical slice's
// race (two runtimes, one Redis, ticks at once) through the same handler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, serverNode, startServer } from './harness.mjs';
import { startRedis } from './redis-server.mjs';
import { storeContract } from './store-contract.mjs';

const redis = await startRedis();
let prefixes = 0;
const openStore = () => serverNode.redisStore(redis.url, { prefix: `test${(prefixes += 1)}:` });

storeContract('redis', async () => ({ store: await openStore() }));

let twilio, sendgrid;
before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
});
after(async () => {
  await twilio.close();
  await sendgrid.close();
  await redis.stop();
});

test('redis: two runtimes ticking at once give one send, and erasure leaves nothing to send', async () => {
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const prefix = `slice${(prefixes += 1)}:`;
  const a = await startServer({ store: await serverNode.redisStore(redis.url, { prefix }), clock, twilio, sendgrid });
  const b = await startServer({ store: await serverNode.redisStore(redis.url, { prefix }), clock, twilio, sendgrid });
  try {
    const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'redis-1', customerId: '900000000000000010', email: 'redis@example.com' });
    assert.equal((await postShopify(a.url, 'checkouts/create', body)).status, 200);
    clock.now += 5 * 60_000;
    const results = await Promise.all([a.runtime.tick(), b.runtime.tick(), a.runtime.tick(), b.runtime.tick()]);
    assert.equal(results.reduce((sum, r) => sum + r.sent, 0), 1);
    assert.equal(sendgrid.mails.length, 1);

    const redact = JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com', customer: { id: 900000000000000010, email: 'redis@example.com', phone: null }, orders_to_redact: [] });
    const erased = await postShopify(b.url, 'customers/redact', redact);
    assert.equal(erased.status, 200);
    assert.ok((await erased.json()).applied >= 1);
    clock.now += 60 * 60_000;
    assert.deepEqual(await a.runtime.tick(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'the SMS went with the contact');
    assert.equal(twilio.messages.length, 0);
  } finally {
    await a.close();
    await b.close();
  }
});
