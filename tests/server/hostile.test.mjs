// Hostile input through the real handler, one test per class of attack (docs/security.md):
// SMS pumping through consent toggles (SQLite and a real redis-server, since the per-number
// limit lives in the store), identities merged on typed details, beacons rewriting a cart or
// its redirect, arrival order, and the state junk beacons leave. The engine-level suite is
// tests/hostile.rs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, removeDir, server, serverNode, tempDir, testPolicy } from './harness.mjs';
import { startRedis } from './redis-server.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z'); // 10:00 in Kentucky, the sample's shipping address
const SHOP = 'https://shop.example';
let twilio, sendgrid, redis, dir;
let stores = 0;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  redis = await startRedis();
  dir = await tempDir();
});

after(async () => {
  await twilio.close();
  await sendgrid.close();
  await redis.stop();
  await removeDir(dir);
});

const backends = {
  sqlite: async () => serverNode.sqliteStore(`${dir}/hostile-${(stores += 1)}.db`),
  redis: async () => serverNode.redisStore(redis.url, { prefix: `hostile${(stores += 1)}:` }),
};

/** The real handler, driven with fetch-API requests, on a clock the test moves. */
async function app({ store, policy = testPolicy(), beacon = {}, alerts = [] } = {}) {
  const clock = { now: T0 };
  const handler = server.createHandler({
    store,
    policy,
    secrets: SECRETS,
    transports: {
      sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }),
      email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: TEMPLATES, baseUrl: sendgrid.url }),
    },
    now: () => clock.now,
    sleep: async () => {},
    publicUrl: 'https://rekindle.test',
    beacon: { allowedOrigins: [SHOP], perShopper: { limit: 10_000, windowMs: 60_000 }, perIp: { limit: 10_000, windowMs: 60_000 }, shoppersPerIp: { limit: 10_000, windowMs: 60_000 }, ...beacon },
    shopDomains: ['checkout.local'],
    onAlert: (alert) => alerts.push(alert),
  });
  const call = (path, init) => handler(new Request(`http://rekindle.test${path}`, init));
  return {
    clock,
    store,
    runtime: await handler.runtime(),
    shopify: (topic, body) => call('/webhooks/shopify', {
      method: 'POST',
      headers: { 'x-shopify-topic': topic, 'x-shopify-webhook-id': `wh-${Math.random()}`, 'x-shopify-hmac-sha256': createHmac('sha256', SECRETS.shopify).update(body).digest('base64') },
      body,
    }),
    beacon: (anonymousId, events) => call('/beacon', { method: 'POST', headers: { origin: SHOP, 'content-type': 'text/plain' }, body: JSON.stringify({ v: 1, anonymousId, events }) }),
    get: (path) => call(path, { redirect: 'manual' }),
    tick: async () => (await handler.runtime()).tick(),
  };
}

const iso = (ms) => new Date(ms).toISOString();
const cart = (token, { stage = 'checkout', recoveryUrl = `${SHOP}/cart/${token}` } = {}) => ({
  token, stage, currency: 'USD', recoveryUrl, items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }],
});
const abandoned = (id, at, c) => ({ id, at: iso(at), type: 'abandoned', origin: 'storefront', cart: c });
const consent = (id, at, channel, status) => ({ id, at: iso(at), type: 'consentChanged', channel, status, source: 'storefront' });

/** A checkout whose SMS box was left unticked, with `phone` typed into it. */
async function untickedCheckout({ token, customerId, email, phone, at = '2026-11-27T14:59:00Z' }) {
  return (await abandonedCheckout({ at, token, customerId, email, phone }))
    .replace('"buyer_accepts_sms_marketing": true', '"buyer_accepts_sms_marketing": false')
    .replace('"phone": null', `"phone": ${JSON.stringify(phone)}`) // the checkout's own number, at its top level
    .replace(`"sms_marketing_phone": ${JSON.stringify(phone)}`, '"sms_marketing_phone": null');
}

const textsTo = (number) => twilio.messages.filter((m) => m.form.To === number);

for (const [name, open] of Object.entries(backends)) {
  test(`${name}: consent toggles in 60 beacons, from two carts typed with one number, cause at most one text`, async () => {
    const number = name === 'sqlite' ? '+15025550101' : '+15025550102';
    const shop = await app({ store: await open() });
    for (const [i, token] of ['pump-a', 'pump-b'].entries()) {
      const body = await untickedCheckout({ token: `${token}-${name}`, customerId: `90000000000000${i}${stores}`, email: `${token}-${name}@example.com`, phone: number });
      assert.equal((await shop.shopify('checkouts/create', body)).status, 200);
    }
    for (let i = 0; i < 60; i += 1) {
      shop.clock.now += 1000;
      const token = `${i % 4 < 2 ? 'pump-a' : 'pump-b'}-${name}`;
      const status = i % 2 === 0 ? 'granted' : 'revoked';
      const response = await shop.beacon(`visitor-${name}`, [abandoned(`a${i}`, shop.clock.now, cart(token)), consent(`c${i}`, shop.clock.now, 'sms', status)]);
      assert.equal(response.status, 202);
      await shop.tick();
    }
    assert.equal(textsTo(number).length, 1, 'one confirmation text to a number that never confirmed, not one per toggle');
    await shop.store.close();
  });
}

test('the shop budget of confirmation texts refuses past its limit and alerts the merchant', async () => {
  const policy = { ...testPolicy(), limits: { smsConfirmationDaysPerNumber: 30, smsConfirmationsPerDay: 1, anonymousTtlHours: 6, clockSkewSeconds: 120 } };
  const alerts = [];
  const shop = await app({ store: await backends.sqlite(), policy, alerts });
  const numbers = ['+15025550111', '+15025550112'];
  for (const [i, number] of numbers.entries()) {
    await shop.shopify('checkouts/create', await untickedCheckout({ token: `budget-${i}`, customerId: `91000000000000000${i}`, email: `budget-${i}@example.com`, phone: number }));
    await shop.beacon(`budget-visitor-${i}`, [abandoned(`b${i}`, shop.clock.now, cart(`budget-${i}`)), consent(`bc${i}`, shop.clock.now, 'sms', 'granted')]);
    await shop.tick();
  }
  assert.deepEqual(numbers.map((n) => textsTo(n).length), [1, 0]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].code, 'BUDGET_EXHAUSTED');
  await shop.store.close();
});

test('a typed email merges nobody: the attacker never gets the victim\'s reminders or checkout', async () => {
  const shop = await app({ store: await backends.sqlite() });
  const checkoutUrl = (token) => `https://checkout.local/recover/${token}`;
  const withUrl = (body, token) => body.replace('https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token', checkoutUrl(token));
  // The attacker first: the victim's email, the attacker's phone, the SMS box ticked.
  const attackerPhone = '+15025550166';
  await shop.shopify('checkouts/create', withUrl(await abandonedCheckout({ at: '2026-11-27T14:58:00Z', token: 'attacker-1', customerId: '920000000000000001', email: 'victim@example.com', phone: attackerPhone }), 'attacker-1'));
  // The victim, a guest with no phone.
  await shop.shopify('checkouts/create', withUrl(await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'victim-1', customerId: '920000000000000002', email: 'victim@example.com', phone: null }), 'victim-1'));
  for (let hours = 0; hours < 72; hours += 1) {
    shop.clock.now += 3_600_000;
    await shop.tick();
  }
  const texts = textsTo(attackerPhone);
  assert.ok(texts.length >= 1, 'the attacker\'s own cart still gets its text');
  for (const { form } of texts) {
    const link = /https?:\/\/[^/\s]+(\/s\/\S+)/.exec(form.Body)[1];
    const location = (await shop.get(link)).headers.get('location');
    assert.equal(location, checkoutUrl('attacker-1'), 'a link opens only its own journey\'s checkout');
  }
  await shop.store.close();
});

test('a beacon that knows a checkout token cannot rewrite its cart, consent or redirect', async () => {
  const shop = await app({ store: await backends.sqlite() });
  await shop.shopify('checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'rewrite-1', customerId: '930000000000000001', email: 'rewrite@example.com' }));
  shop.clock.now += 60_000;
  const forged = cart('rewrite-1', { recoveryUrl: 'https://evil.example/phish' });
  forged.items[0].unitPrice = 1;
  await shop.beacon('rewriter', [abandoned('r1', shop.clock.now, forged), consent('r2', shop.clock.now, 'email', 'revoked')]);
  shop.clock.now += 5 * 60_000;
  await shop.tick();
  const mail = sendgrid.mails.find((m) => m.mail.personalizations[0].to[0].email === 'rewrite@example.com');
  assert.ok(mail, 'the email still goes: the browser could not revoke its consent');
  const link = new URL(mail.mail.personalizations[0].dynamic_template_data.recoveryUrl).pathname;
  const response = await shop.get(link);
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), 'https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token');

  // A stored URL on a host the merchant did not configure is never a redirect target.
  const foreign = (await abandonedCheckout({ at: '2026-11-27T15:05:00Z', token: 'rewrite-2', customerId: '930000000000000002', email: 'foreign@example.com' }))
    .replace('https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token', 'https://evil.example/recover');
  await shop.shopify('checkouts/create', foreign);
  shop.clock.now += 10 * 60_000;
  await shop.tick();
  const foreignMail = sendgrid.mails.find((m) => m.mail.personalizations[0].to[0].email === 'foreign@example.com');
  const foreignLink = new URL(foreignMail.mail.personalizations[0].dynamic_template_data.recoveryUrl).pathname;
  assert.equal((await shop.get(foreignLink)).status, 404);
  await shop.store.close();
});

test('arrival order: a cart beacon, then a late checkout webhook, still starts the checkout journey', async () => {
  const shop = await app({ store: await backends.sqlite() });
  // The beacon reports the cart (with a far-future time); the checkout webhook, dated earlier, arrives after.
  await shop.beacon('late-visitor', [abandoned('l1', Date.parse('2099-01-01T00:00:00Z'), cart('cart-late-1', { stage: 'cart' }))]);
  shop.clock.now += 60_000;
  await shop.shopify('checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:58:00Z', token: 'late-1', customerId: '940000000000000001', email: 'late@example.com' }));
  shop.clock.now += 10 * 60_000;
  await shop.tick();
  assert.ok(sendgrid.mails.some((m) => m.mail.personalizations[0].to[0].email === 'late@example.com'), 'the checkout journey sent its first email');
  await shop.store.close();
});

for (const [name, open] of Object.entries(backends)) {
  test(`${name}: junk beacons plan nothing, leave no rows once forgotten, and a flood gets 429s`, async () => {
    const store = await open();
    const shop = await app({ store, beacon: { total: { limit: 150, windowMs: 60_000 } } });
    const statuses = [];
    for (let i = 0; i < 200; i += 1) {
      const events = [abandoned(`j${i}`, shop.clock.now, cart(`junk-${name}-${i}`)), abandoned(`k${i}`, shop.clock.now, cart(`junk2-${name}-${i}`))];
      statuses.push((await shop.beacon(`junk-${name}-${i}`, events)).status);
    }
    assert.equal(statuses.filter((s) => s === 202).length, 150);
    assert.equal(statuses.filter((s) => s === 429).length, 50, 'past the total rate, a flood is refused');
    const tooMany = Array.from({ length: 3 }, (_, i) => abandoned(`m${i}`, shop.clock.now, cart(`many-${i}`)));
    shop.clock.now += 60_000;
    assert.equal((await shop.beacon('minting', tooMany)).status, 413, 'a beacon cannot mint many keys');
    shop.clock.now += 7 * 3_600_000;
    for (let round = 0; round < 5; round += 1) await shop.tick();
    assert.deepEqual(twilio.messages.concat(sendgrid.mails).filter((m) => JSON.stringify(m).includes('junk')), []);
    const left = await store.size();
    if (name === 'sqlite') assert.deepEqual(left, { contacts: 0, due: 0, links: 0, intents: 0, counters: 0 });
    else assert.deepEqual(left, { keys: 0, due: 0 });
    await store.close();
  });
}
