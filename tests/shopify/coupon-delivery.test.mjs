// Discount codes minted and delivered, and consent written back, through the real handler (the
// built package, SQLite, signed webhooks, due ticks) with the default Shopify hooks against the
// fake Admin API (schema-validated) and the fake providers: the offer's code is minted once,
// before the first message that prints it; every later message carries the same code; every
// transport carries it (SendGrid dynamic data, Postmark model, Klaviyo properties, SMS text);
// the recovery link applies it through Shopify's discount link; a STOP and an unsubscribe reach
// the customer's marketing consent in Shopify.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakeKlaviyo, fakePostmark, fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import {
  SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, postShopify, postTwilio, removeDir, server, startServer, tempDir, testPolicy, tick,
} from '../server/harness.mjs';
import { startFakeAdmin } from './fake-admin.mjs';
import { adminFromToken } from '../../js-shim/server/shopify/admin.js';
import { shopifyCoupons } from '../../js-shim/server/shopify/discounts.js';
import { shopifyConsentSync } from '../../js-shim/server/shopify/consent-sync.js';

const SHOP = 'acme.myshopify.com';
const CUSTOMER = 'gid://shopify/Customer/603851970716743426';
const T0 = Date.parse('2026-11-27T15:00:00Z');
const minutes = (n) => n * 60_000;
const clock = { now: T0 };
const OFFER_TEMPLATE = 'd-0ffe0ffe0ffe0ffe0ffe0ffe0ffe0ffe';
let dir, admin, twilio, sendgrid, app;
const decisions = [];

/** The harness's first email and SMS, the email now offering 10% (the only rung). */
function offerPolicy() {
  const policy = testPolicy();
  policy.playbooks[0].steps = policy.playbooks[0].steps.map((s) => (s.key === 'email-1' ? { ...s, offerIncentive: true, template: 'cart.email.offer' } : s));
  policy.incentives = { ...policy.incentives, ladder: [{ kind: 'percentOff', percent: 10, minCartMinor: 2000 }] };
  return policy;
}

before(async () => {
  dir = await tempDir();
  admin = await startFakeAdmin({ now: () => clock.now, shops: { [SHOP]: { token: 'shpat_acme', customers: [{ id: CUSTOMER, email: 'example@email.com', phone: '+15125550100' }] } } });
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  const client = adminFromToken({ shop: SHOP, accessToken: 'shpat_acme', baseUrl: admin.url, sleep: async (ms) => { clock.now += ms; } });
  app = await startServer({
    storePath: join(dir, 'rekindle.db'), clock, twilio, sendgrid, policy: offerPolicy(),
    transports: {
      sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }),
      email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: { ...TEMPLATES, 'cart.email.offer': OFFER_TEMPLATE }, baseUrl: sendgrid.url }),
    },
    onCouponRequest: shopifyCoupons({ admin: client, now: () => clock.now }),
    onConsentChange: shopifyConsentSync({ admin: client }),
    onDecision: (entry) => decisions.push(entry),
  });
});

after(async () => {
  await app?.close();
  await admin?.close();
  await twilio?.close();
  await sendgrid?.close();
  await removeDir(dir);
});

const created = () => admin.shops[SHOP].created;

/** The handler writes consent back in the background: wait for it (ticking), up to 5 s. */
async function eventually(condition) {
  for (let i = 0; i < 50 && !condition(); i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    if (i % 10 === 9) await tick(app.url);
  }
  assert.ok(condition(), 'the platform heard of it');
}
const sends = () => decisions.flatMap((d) => d.decision.actions).filter((a) => a.type === 'send');

test('the code is minted once, before the offer email, for that customer until the journey expires; the email\'s data carries it', async () => {
  const checkout = await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }), { webhookId: 'wh-c1' });
  assert.equal(checkout.status, 200);
  clock.now = T0 + minutes(5);
  assert.equal((await (await tick(app.url)).json()).sent, 1);
  const { mail } = sendgrid.mails[0];
  assert.equal(mail.template_id, OFFER_TEMPLATE);
  const data = mail.personalizations[0].dynamic_template_data;
  assert.match(data.code, /^CART-[A-Z2-9]{8}$/);
  assert.equal(data.offerPercent, 10);
  assert.equal(created().length, 1);
  const [discount] = created();
  assert.equal(discount.kind, 'DiscountCodeBasic');
  assert.equal(discount.input.code, data.code);
  assert.deepEqual(discount.input.context, { customers: { add: [CUSTOMER] } });
  assert.equal(discount.input.usageLimit, 1);
  assert.equal(discount.input.appliesOncePerCustomer, true);
  assert.deepEqual(discount.input.combinesWith, { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false });
  assert.deepEqual(discount.input.customerGets, { value: { percentage: 0.1 }, items: { all: true } });
  assert.equal(discount.input.startsAt, new Date(T0 + minutes(5)).toISOString());
  assert.equal(Date.parse(discount.input.endsAt), Date.parse('2026-11-27T14:59:00Z') + 96 * 3_600_000, 'ends when the journey expires');
});

test('the later SMS prints the same code, and no second code is minted', async () => {
  clock.now = T0 + minutes(17);
  assert.equal((await (await tick(app.url)).json()).sent, 1);
  const code = sendgrid.mails[0].mail.personalizations[0].dynamic_template_data.code;
  assert.equal(twilio.messages.length, 1);
  assert.ok(twilio.messages[0].form.Body.includes(code), twilio.messages[0].form.Body);
  assert.equal(created().length, 1, 'one code per coupon request');
  const sms = sends().find((a) => a.channel === 'sms');
  assert.equal(sms.message.data.code, code);
});

test('Postmark\'s model and Klaviyo\'s properties carry the code too', async () => {
  const code = sendgrid.mails[0].mail.personalizations[0].dynamic_template_data.code;
  const email = sends().find((a) => a.channel === 'email');
  const postmark = await fakePostmark({ serverToken: 'pm-token', templates: ['cart-offer'] });
  const klaviyo = await fakeKlaviyo({ apiKey: 'pk_test', revision: server.KLAVIYO_REVISION ?? '2026-07-15', validate: () => [] });
  try {
    const pm = server.postmarkTransport({ serverToken: 'pm-token', from: 'shop@example.com', templates: { 'cart.email.offer': 'cart-offer' }, baseUrl: postmark.url });
    assert.equal((await pm.send(email, { contactId: 'c_1' })).ok, true);
    assert.equal(postmark.emails[0].email.TemplateModel.code, code);
    const kl = server.klaviyoTransport({ apiKey: 'pk_test', baseUrl: klaviyo.url });
    for (const action of sends()) assert.equal((await kl.send(action, { contactId: 'c_1' })).ok, true);
    for (const event of klaviyo.events) assert.equal(event.data.attributes.properties.code, code);
    assert.ok(klaviyo.events.some((e) => e.data.attributes.properties.sms_text?.includes(code)), 'and the rendered SMS text');
  } finally {
    await postmark.close();
    await klaviyo.close();
  }
});

test('the recovery link, from the email or the SMS, applies the code through Shopify\'s discount link', async () => {
  const code = sendgrid.mails[0].mail.personalizations[0].dynamic_template_data.code;
  const recover = '/548380009/checkouts/123123123/recover?key=example-secret-token';
  const expected = `https://checkout.local/discount/${code}?redirect=${encodeURIComponent(recover)}`;
  const fromEmail = new URL(sendgrid.mails[0].mail.personalizations[0].dynamic_template_data.recoveryUrl);
  const click = await fetch(`${app.url}${fromEmail.pathname}`, { redirect: 'manual' });
  assert.equal(click.status, 302);
  assert.equal(click.headers.get('location'), expected);
  const short = /https?:\/\/\S+\/s\/[A-Za-z0-9_-]{16}/.exec(twilio.messages[0].form.Body)[0];
  const tap = await fetch(`${app.url}${new URL(short).pathname}`, { redirect: 'manual' });
  assert.equal(tap.headers.get('location'), expected);
});

test('a STOP and an unsubscribe are written back to the customer\'s marketing consent in Shopify', async () => {
  clock.now = T0 + minutes(30);
  const stop = await postTwilio(app.url, '/webhooks/twilio/inbound', { From: '+15125550100', To: '+15005550006', Body: 'STOP', MessageSid: 'SMin1', AccountSid: TWILIO.accountSid });
  assert.equal(stop.status, 200);
  const customer = admin.shops[SHOP].customers[0];
  await eventually(() => customer.sms_consent?.marketingState === 'UNSUBSCRIBED');
  assert.equal(customer.sms_consent.consentUpdatedAt, new Date(T0 + minutes(30)).toISOString().replace('.000Z', 'Z'));
  const unsubscribe = new URL(sendgrid.mails[0].mail.personalizations[0].dynamic_template_data.unsubscribeUrl);
  const posted = await fetch(`${app.url}${unsubscribe.pathname}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(posted.status, 200);
  await eventually(() => customer.email_consent?.marketingState === 'UNSUBSCRIBED');
});

test('a write-back Shopify throttles is queued and lands at a later tick, once', async () => {
  clock.now = T0 + minutes(40);
  const customer = admin.shops[SHOP].customers[0];
  const before = admin.shops[SHOP].requests.filter((r) => r.field === 'customerSmsMarketingConsentUpdate').length;
  admin.rateLimit(SHOP, 120); // the next call is a 429 asking two minutes: past the inline wait
  const start = await postTwilio(app.url, '/webhooks/twilio/inbound', { From: '+15125550100', To: '+15005550006', Body: 'START', MessageSid: 'SMin2', AccountSid: TWILIO.accountSid });
  assert.equal(start.status, 200);
  await new Promise((r) => setTimeout(r, 300)); // the handler's own dispatch meets the 429
  assert.equal(customer.sms_consent.marketingState, 'UNSUBSCRIBED', 'not yet written');
  clock.now += minutes(10);
  await tick(app.url);
  await eventually(() => customer.sms_consent.marketingState === 'SUBSCRIBED');
  assert.equal(customer.sms_consent.marketingOptInLevel, 'SINGLE_OPT_IN');
  await tick(app.url);
  const after = admin.shops[SHOP].requests.filter((r) => r.field === 'customerSmsMarketingConsentUpdate').length;
  assert.equal(after - before, 1, 'written once');
});

test('a mint Shopify refuses for now (throttled past the inline wait) holds the offer message back for a later tick; it is never sent without its code', async () => {
  const before = sendgrid.mails.length;
  clock.now = T0 + minutes(60);
  const checkout = await abandonedCheckout({ at: new Date(clock.now).toISOString(), token: 'second-1', customerId: '900000000000000002', email: 'second@example.com', phone: '+15125550122' });
  assert.equal((await postShopify(app.url, 'checkouts/create', checkout, { webhookId: 'wh-c2' })).status, 200);
  clock.now += minutes(5);
  admin.drain(SHOP, 0);
  admin.rateLimit(SHOP, 60); // a 429 asking a minute: longer than the inline wait
  const first = await (await tick(app.url)).json();
  assert.equal(first.sent, 0);
  assert.equal(sendgrid.mails.length, before, 'no mail without its code');
  clock.now += minutes(10);
  const later = await (await tick(app.url)).json();
  assert.equal(later.sent, 1);
  const data = sendgrid.mails.at(-1).mail.personalizations[0].dynamic_template_data;
  assert.ok(created().some((c) => c.input.code === data.code), 'minted before it went');
  assert.deepEqual(created().find((c) => c.input.code === data.code).input.context, { all: 'ALL' }, 'no Shopify customer with that address: open to any buyer, still single use');
});
