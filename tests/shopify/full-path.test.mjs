// The whole Shopify path with nothing wired by hand, for two shops at once against ONE fake
// Shopify (fake-shopify.mjs: OAuth, token exchange, webhooks, and the schema-validating Admin
// GraphQL executor of fake-admin.mjs behind the same tokens) and the fake SendGrid and Twilio.
// The deployer gives each shop only a store, transports and a policy: the discount codes, the
// consent write-back and the app proxy are the app's defaults, over each shop's own token.
//
//   install (A: authorization code, B: token exchange) → subscriptions registered → checkout
//   webhook → one discount minted per journey (mutations counted at the fake) → the code in the
//   email (SendGrid) and the SMS (Twilio) → the recovery link redirects to /discount/<code> →
//   order webhook → journey closed → uninstall → nothing more sent, tokens gone.
//
//   node scripts/build.mjs && REKINDLE_SKIP_SETUP=1 node --test tests/shopify/full-path.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { fakeSendgrid, fakeTwilio, closeServer } from '../server/fake-providers.mjs';
import { SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, removeDir, server, serverNode, shopifySample, tempDir, testPolicy } from '../server/harness.mjs';
import { browserGet as get, cookiesOf, fakeShopify, routeToFake, shopMails, shopSms } from './fake-shopify.mjs';
import { adminExecutor } from './fake-admin.mjs';

const shopifyApp = await import(new URL('../../pkg/dist/server/shopify.js', import.meta.url));
const { defaultPolicy } = await import(new URL('../../pkg/dist/node.js', import.meta.url));

const API_KEY = 'f1e2d3c4b5a6f7e8d9c0b1a2f3e4d5c6';
const API_SECRET = 'shpss_full-path-secret';
const A = 'north-a.myshopify.com';
const B = 'south-b.myshopify.com';
const SHOPS = [A, B];
// The same shopper is a customer of both shops, under each shop's own id; the second is a guest.
const ADA = { email: 'ada@example.com', phone: '+15125550100' };
const GRACE = { email: 'grace@example.com', phone: '+15125550111' };
// Shop A gives this variant as its gift; shop B has configured no gift.
const GIFT_VARIANT = 'gid://shopify/ProductVariant/44000000000000001';
const EVERYTHING = 'gid://shopify/Collection/300000000001'; // A's automated collection of every product
const GIFT = { [A]: { variantId: GIFT_VARIANT, collectionId: EVERYTHING, minimumSubtotal: '500.00' } };
// The gift's product in Shopify: the app reads its name and page for the message.
const GIFT_PRODUCT = (shop) => ({ title: 'Enamel camp mug', onlineStoreUrl: `https://${shop}/products/enamel-camp-mug` });
const CUSTOMER = { [A]: 'gid://shopify/Customer/603851970716743426', [B]: 'gid://shopify/Customer/7100000000000000001' };
const OFFER_TEMPLATE = 'd-0ffe0ffe0ffe0ffe0ffe0ffe0ffe0ffe';
const T0 = Date.parse('2026-11-27T15:00:00Z');
const minutes = (n) => n * 60_000;
const clock = { now: T0 };
let dir, twilio, sendgrid, admin, shopify, http, app, appUrl, sessions;
const stores = {};

/** email-1 offers a gift on carts of $500 or more, else 10% (the sample cart is $398); then sms-1 and email-2 as Rekindle's default playbook has them. */
function offerPolicy() {
  const policy = testPolicy();
  const steps = defaultPolicy().playbooks.find((p) => p.name === 'default').steps.filter((s) => ['email-1', 'sms-1', 'email-2'].includes(s.key));
  policy.playbooks[0].steps = steps.map((s) => (s.key === 'email-1' ? { ...s, offerIncentive: true, template: 'cart.email.offer' } : s));
  policy.incentives = { ...policy.incentives, ladder: [{ kind: 'gift', minCartMinor: 50000, costMinor: 1500 }, { kind: 'percentOff', percent: 10, minCartMinor: 2000 }] };
  return policy;
}

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  admin = adminExecutor({ now: () => clock.now });
  for (const shop of SHOPS) admin.addShop(shop, { customers: [{ id: CUSTOMER[shop], ...ADA }], variants: [{ id: GIFT_VARIANT, price: '24.00', product: GIFT_PRODUCT(shop) }], collections: [EVERYTHING] });
  http = createServer();
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${http.address().port}`;
  shopify = await fakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, complianceUri: `${appUrl}/webhooks/shopify`, admin });
  setAbstractFetchFunc(routeToFake(shopify.origin));
  sessions = shopifyApp.sqliteSessionStorage(Database, join(dir, 'sessions.db'));
  const policy = offerPolicy();
  app = shopifyApp.createShopifyApp({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl,
    tokenKey: randomBytes(32).toString('base64'),
    sessionStorage: sessions,
    secrets: { salt: 'full-path-salt' },
    development: true,
    now: () => clock.now,
    sleep: async () => {},
    log: process.env.REKINDLE_TEST_LOG ? (level, message, fields) => console.error(level, message, JSON.stringify(fields)) : undefined,
    // No onCouponRequest, no onConsentChange: the app's Shopify defaults are under test.
    async shop(shop) {
      stores[shop] = await serverNode.sqliteStore(join(dir, `${shop}.db`));
      return {
        store: stores[shop],
        policy,
        transports: {
          sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }),
          email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: { ...TEMPLATES, 'cart.email.offer': OFFER_TEMPLATE }, baseUrl: sendgrid.url }),
        },
        shopDomains: [shop, 'checkout.local'], // the sample checkout's recovery URL is on checkout.local
        gift: GIFT[shop],
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

const mailsFor = (shop) => shopMails(sendgrid, shop);
const smsFor = (shop) => shopSms(twilio, shop);
const mailTo = (shop, who) => mailsFor(shop).find((m) => m.mail.personalizations[0].to[0].email === who.email).mail;
const smsTo = (shop, who) => smsFor(shop).find((m) => m.form.To === who.phone).form;
const codeIn = (mail) => mail.personalizations[0].dynamic_template_data.code;
/** Discount mutations as the fake received them (a TAKEN retry would count too). */
const mints = (shop) => admin.shops[shop].requests.filter((r) => r.operation === 'mutation' && r.field.startsWith('discountCode'));

/** What Shopify's app proxy sends the app for the storefront's /apps/rekindle/<path> (signed with node:crypto). */
function proxied(path, shop) {
  const params = new URLSearchParams({ shop, logged_in_customer_id: '', path_prefix: '/apps/rekindle', timestamp: String(Math.floor(clock.now / 1000)) });
  const message = [...params].map(([k, v]) => `${k}=${v}`).sort().join('');
  params.set('signature', createHmac('sha256', API_SECRET).update(message).digest('hex'));
  return `${appUrl}/proxy${path}?${params}`;
}

/** The handler writes consent back in the background: wait for it, up to 5 s. */
async function eventually(condition) {
  for (let i = 0; i < 50 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 100));
  assert.ok(condition(), 'Shopify heard of it');
}

test('two shops, one fake Shopify: install → subscriptions → checkout → one code per journey, in the email and the SMS → the link applies it → order → uninstall → silence', async () => {
  // Install: A by the authorization-code grant, B by token exchange from a session token.
  const begin = await get(shopify.installUrl(appUrl, A));
  assert.equal(begin.status, 302);
  const done = await get(shopify.approve(begin.headers.get('location')), { cookie: cookiesOf(begin) });
  assert.equal(done.status, 302, await done.clone().text());
  assert.equal((await get(`${appUrl}/?embedded=1&shop=${B}&host=x&id_token=${shopify.sessionToken(B)}`)).status, 200);
  assert.deepEqual(SHOPS.map((s) => shopify.shops.get(s).grants.map((g) => g.grant)), [['authorizationCode'], ['tokenExchange']]);
  assert.deepEqual(await app.installedShops(), SHOPS);

  // Subscriptions registered through the Admin API, every topic, for each shop.
  for (const shop of SHOPS) assert.deepEqual(shopify.shops.get(shop).subscriptions.map((s) => s.topic).sort(), [...shopifyApp.SUBSCRIBED_TOPICS].sort());

  // Checkout: the same two shoppers abandon a cart in both shops; Shopify delivers to the subscriptions.
  for (const shop of SHOPS) {
    for (const [who, token, id] of [[ADA, 'tok-ada', '603851970716743426'], [GRACE, 'tok-grace', '603851970716743427']]) {
      const [response] = await shopify.emit(shop, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token, customerId: id, ...who }));
      assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 });
    }
  }

  // The offer email: each journey's code minted once, in its own shop, before the mail went.
  clock.now = T0 + minutes(5);
  assert.deepEqual(await app.tick(), { shops: 2, due: 4, sent: 4, failed: 0, retrying: 0 });
  const codes = {};
  for (const shop of SHOPS) {
    codes[shop] = { ada: codeIn(mailTo(shop, ADA)), grace: codeIn(mailTo(shop, GRACE)) };
    for (const code of Object.values(codes[shop])) assert.match(code, /^CART-[A-Z2-9]{8}$/);
    assert.equal(mailTo(shop, ADA).template_id, OFFER_TEMPLATE);
    const created = admin.shops[shop].created;
    assert.deepEqual(created.map((c) => c.input.code).sort(), Object.values(codes[shop]).sort(), 'the fake holds exactly the codes the emails print');
    assert.deepEqual(created.find((c) => c.input.code === codes[shop].ada).input.context, { customers: { add: [CUSTOMER[shop]] } }, 'restricted to this shop\'s own customer');
    assert.deepEqual(created.find((c) => c.input.code === codes[shop].grace).input.context, { all: 'ALL' }, 'a guest: any buyer, still single use');
    assert.equal(mints(shop).length, 2);
    assert.ok(created.every((c) => c.input.customerGets.value.percentage === 0.1), 'a $398 cart is under the gift\'s $500: 10% off');
  }
  assert.notEqual(codes[A].ada, codes[B].ada, 'one shopper, two shops: two codes');

  // The SMS prints the same code; nothing is minted again.
  clock.now = T0 + minutes(17);
  assert.equal((await app.tick()).sent, 4);
  for (const shop of SHOPS) {
    assert.ok(smsTo(shop, ADA).Body.includes(codes[shop].ada), smsTo(shop, ADA).Body);
    assert.ok(smsTo(shop, GRACE).Body.includes(codes[shop].grace));
    assert.equal(mints(shop).length, 2, 'no second mint for a later message');
  }

  // The recovery link applies the code through Shopify's discount link.
  const recover = '/548380009/checkouts/123123123/recover?key=example-secret-token';
  for (const shop of SHOPS) {
    const link = new URL(mailTo(shop, ADA).personalizations[0].dynamic_template_data.recoveryUrl);
    const click = await get(new URL(link.pathname, appUrl));
    assert.equal(click.status, 302);
    assert.equal(click.headers.get('location'), `https://checkout.local/discount/${codes[shop].ada}?redirect=${encodeURIComponent(recover)}`);
  }

  // The storefront's beacon through the app proxy reaches its own shop; a signature for another shop does not hold.
  const beacon = JSON.stringify({ v: 1, anonymousId: 'visitor-1', events: [{ id: 'b1', at: new Date(clock.now - 60_000).toISOString(), type: 'abandoned', origin: 'storefront', cart: { token: 'beacon-cart', stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: `https://${A}/cart` } }] });
  const viaProxy = await fetch(proxied('/beacon', A), { method: 'POST', headers: { 'content-type': 'text/plain', origin: `https://${A}` }, body: beacon });
  assert.equal(viaProxy.status, 202, await viaProxy.clone().text());
  assert.deepEqual(await viaProxy.json(), { applied: 1, unmatched: 0 });
  const forged = await fetch(proxied('/beacon', A).replace(encodeURIComponent(A), encodeURIComponent(B)), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: beacon });
  assert.equal(forged.status, 401);

  // Order: Ada buys in both shops; her journeys close, Grace's stay open.
  clock.now = T0 + minutes(20);
  for (const shop of SHOPS) {
    const order = (await shopifySample('orders_create')).replace('"checkout_token": null', '"checkout_token": "tok-ada"').replaceAll('115310627314723954', '603851970716743426');
    const [response] = await shopify.emit(shop, 'orders/create', order);
    assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 });
    const ada = await stores[shop].load(mailTo(shop, ADA).custom_args.rekindle_contact);
    const grace = await stores[shop].load(mailTo(shop, GRACE).custom_args.rekindle_contact);
    assert.equal(JSON.parse(ada.state).journeys[0].status, 'recovered');
    assert.notEqual(JSON.parse(grace.state).journeys[0].status, 'recovered');
  }

  // Consent both ways: Ada's one-click unsubscribe in A reaches A's customer in Shopify, not B's.
  const unsubscribe = new URL(mailTo(A, ADA).personalizations[0].dynamic_template_data.unsubscribeUrl);
  const posted = await fetch(new URL(unsubscribe.pathname, appUrl), { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(posted.status, 200);
  await eventually(() => admin.shops[A].customers[0].email_consent?.marketingState === 'UNSUBSCRIBED');
  assert.equal(admin.shops[B].customers[0].email_consent, null);

  // Uninstall both: tokens gone from the app's storage; Grace's email-2 falls due and does not go.
  clock.now = T0 + minutes(21);
  for (const shop of SHOPS) {
    const [response] = await shopify.uninstall(shop, JSON.stringify({ id: 1, domain: shop, myshopify_domain: shop }));
    assert.equal(response.status, 200);
  }
  assert.deepEqual(sessions.raw(), [], 'no token left, encrypted or not');
  assert.deepEqual(await app.installedShops(), []);
  const sent = { mails: sendgrid.mails.length, sms: twilio.messages.length, mints: SHOPS.map((s) => mints(s).length) };
  clock.now = T0 + minutes(1320 + 1);
  assert.equal((await app.tick()).shops, 0);
  for (const shop of SHOPS) await (await app.shopRuntime(shop)).tick(); // driven directly: its transports refuse
  assert.deepEqual({ mails: sendgrid.mails.length, sms: twilio.messages.length, mints: SHOPS.map((s) => mints(s).length) }, sent, 'nothing more sent or minted');
  assert.equal((await fetch(proxied('/beacon', A), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: beacon })).status, 404, 'the proxy serves installed shops only');
});

test('a $598 cart: the shop with a gift mints it as a real discount (buy X get Y), once; the shop without one is offered the next rung, and nothing fails', async () => {
  // Both shops install again (token exchange); a new shopper abandons a cart over the gift's minimum in each.
  for (const shop of SHOPS) assert.equal((await get(`${appUrl}/?embedded=1&shop=${shop}&host=x&id_token=${shopify.sessionToken(shop)}`)).status, 200);
  clock.now = T0 + minutes(3000);
  const LIN = { email: 'lin@example.com', phone: '+15125550122' };
  const big = (await abandonedCheckout({ at: new Date(clock.now - 60_000).toISOString(), token: 'tok-lin', customerId: '603851970716749999', ...LIN }))
    .replaceAll('"199.00"', '"299.00"').replaceAll('"398.00"', '"598.00"');
  for (const shop of SHOPS) {
    const [response] = await shopify.emit(shop, 'checkouts/create', big);
    assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 });
  }
  const before = Object.fromEntries(SHOPS.map((s) => [s, admin.shops[s].created.length]));
  clock.now += minutes(5);
  const outcome = await app.tick();
  assert.equal(outcome.failed, 0, JSON.stringify(outcome));
  const mail = (shop) => mailsFor(shop).find((m) => m.mail.personalizations[0].to[0].email === LIN.email)?.mail;
  for (const shop of SHOPS) assert.ok(mail(shop), `${shop} sent the offer email`);

  // A: the gift, as Shopify gives one: buy $500 of the shop's products, get one unit of the variant free, this code only.
  const giftCode = codeIn(mail(A));
  const [gift] = admin.shops[A].created.slice(before[A]);
  assert.equal(admin.shops[A].created.length, before[A] + 1);
  assert.deepEqual([gift.kind, gift.input.code], ['DiscountCodeBxgy', giftCode]);
  assert.deepEqual({ value: gift.input.customerBuys.value, items: gift.input.customerBuys.items }, { value: { amount: '500.00' }, items: { collections: { add: [EVERYTHING] } } }); // (with Shopify's defaults: one-time purchases only)
  assert.deepEqual(gift.input.customerGets, { value: { discountOnQuantity: { quantity: '1', effect: { percentage: 1 } } }, items: { products: { productVariantsToAdd: [GIFT_VARIANT] } } });
  assert.deepEqual([gift.input.usesPerOrderLimit, gift.input.usageLimit], [1, 1]);

  // B: no gift to give, so the engine offered the next rung (10%), and its code was minted.
  const [percent] = admin.shops[B].created.slice(before[B]);
  assert.equal(admin.shops[B].created.length, before[B] + 1);
  assert.equal(percent.input.code, codeIn(mail(B)));
  assert.deepEqual(percent.input.customerGets, { value: { percentage: 0.1 }, items: { all: true } });

  // A's message says what the gift is and where to add it to the cart (the code makes it free
  // only once it is there): the product's title and page read from Shopify, once, at start.
  const data = mail(A).personalizations[0].dynamic_template_data;
  assert.equal(data.giftTitle, 'Enamel camp mug');
  assert.equal(data.giftUrl, `https://${A}/products/enamel-camp-mug?variant=44000000000000001`);
  assert.equal(admin.shops[A].requests.filter((r) => r.field === 'productVariant').length, 1, 'the gift is read once per shop');
  assert.equal(mail(B).personalizations[0].dynamic_template_data.giftTitle, undefined, 'B offers no gift');
  assert.equal(admin.shops[B].requests.filter((r) => r.field === 'productVariant').length, 0);

  // The SMS repeats A's gift code and says the gift goes in the cart; nothing is minted again.
  clock.now += minutes(12);
  await app.tick();
  assert.ok(smsTo(A, LIN).Body.includes(giftCode), smsTo(A, LIN).Body);
  assert.match(smsTo(A, LIN).Body, /a gift to add to your cart, code CART-/);
  assert.deepEqual(SHOPS.map((s) => admin.shops[s].created.length), SHOPS.map((s) => before[s] + 1));
});
