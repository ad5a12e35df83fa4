// Postmark end to end over real HTTP: a journey's email goes out through a fake Postmark
// speaking its documented wire format, Postmark's webhooks come back authenticated by the
// merchant's basic auth or secret header, and erasure reaches the providers' suppression lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakePostmark, fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, removeDir, server, startServer, tempDir, tick } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const minutes = (n) => n * 60_000;
const clock = { now: T0 };
const TOKEN = 'postmark-server-token';
const HOOK = { basicAuth: 'postmark:hook-password', header: { name: 'x-rekindle-hook', value: 'header-secret' } };
let dir, twilio, postmark, app;

const postmarkTransport = (extra = {}) =>
  server.postmarkTransport({ serverToken: TOKEN, from: 'Example Shop <shop@example.com>', templates: { 'cart.email.confirm': 'cart-confirm', 'cart.email.value': 4242 }, baseUrl: postmark.url, ...extra });

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  postmark = await fakePostmark({ serverToken: TOKEN, templates: ['cart-confirm', 4242], inactive: ['inactive@example.com'] });
  app = await startServer({
    storePath: join(dir, 'postmark.db'),
    clock,
    transports: { sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }), email: postmarkTransport() },
    secrets: { postmarkWebhook: HOOK },
  });
});

after(async () => {
  await app.close();
  await twilio.close();
  await postmark.close();
  await removeDir(dir);
});

function postPostmark(record, { auth = `Basic ${Buffer.from(HOOK.basicAuth).toString('base64')}`, headers = {} } = {}) {
  return fetch(`${app.url}/webhooks/postmark`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}), ...headers },
    body: JSON.stringify(record),
  });
}

test('a journey email goes out through /email/withTemplate with its ids in Metadata', async () => {
  await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }));
  clock.now = T0 + minutes(5);
  assert.deepEqual(await (await tick(app.url)).json(), { due: 1, sent: 1, failed: 0, retrying: 0 });
  assert.equal(postmark.emails.length, 1);
  const { email, MessageID } = postmark.emails[0];
  assert.equal(email.To, 'example@email.com');
  assert.equal(email.From, 'Example Shop <shop@example.com>');
  assert.equal(email.TemplateAlias, 'cart-confirm');
  assert.equal(email.TemplateId, undefined);
  assert.equal(email.MessageStream, 'outbound');
  assert.deepEqual([email.TrackOpens, email.TrackLinks], [true, 'None'], 'the signed recovery link is not rewritten');
  assert.equal(email.TemplateModel.items[0].title, 'IPod Nano - 8GB');
  assert.match(email.Metadata.rekindle_contact, /^c_[0-9a-f]{24}$/);
  assert.match(email.Metadata.rekindle_action, /\.email-1\.email\.0$/);
  const header = (name) => email.Headers.find((h) => h.Name === name)?.Value;
  assert.match(header('List-Unsubscribe'), /^<http.*\/u\/.+\..{16}>$/, 'the signed one-click link');
  assert.equal(header('List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  assert.equal((await app.store.ledger(email.Metadata.rekindle_action)).providerId, MessageID);
});

test('Postmark webhooks need the merchant credentials: forged ones are 401 and change nothing', async () => {
  const { email, MessageID } = postmark.emails[0];
  const open = { RecordType: 'Open', MessageStream: 'outbound', FirstOpen: true, MessageID, ReceivedAt: new Date(clock.now).toISOString(), Recipient: email.To, Metadata: email.Metadata };
  for (const forged of [
    { auth: `Basic ${Buffer.from('postmark:wrong').toString('base64')}` },
    { auth: 'Basic !!!not-base64' },
    { auth: null },
    { auth: null, headers: { 'x-rekindle-hook': 'header-secreT' } },
  ]) {
    const response = await postPostmark(open, forged);
    assert.equal(response.status, 401, JSON.stringify(forged));
    assert.equal((await response.json()).error.code, 'BAD_CREDENTIALS');
  }
  const contactId = email.Metadata.rekindle_contact;
  const before = JSON.parse((await app.store.load(contactId)).state).journeys[0].sends.find((s) => s.id === email.Metadata.rekindle_action);
  assert.notEqual(before.opened, true);

  assert.deepEqual(await (await postPostmark(open)).json(), { applied: 1, unmatched: 0 }, 'basic auth');
  const delivery = { RecordType: 'Delivery', MessageID, Recipient: email.To, DeliveredAt: new Date(clock.now).toISOString(), Metadata: email.Metadata };
  const viaHeader = await postPostmark(delivery, { auth: null, headers: { 'x-rekindle-hook': 'header-secret' } });
  assert.deepEqual(await viaHeader.json(), { applied: 1, unmatched: 0 }, 'secret header');
  const send = JSON.parse((await app.store.load(contactId)).state).journeys[0].sends.find((s) => s.id === email.Metadata.rekindle_action);
  assert.equal(send.opened, true);

  // Postmark retries a non-2xx until it gives up on the webhook: a time it cannot read is no
  // reason to refuse the record; it is recorded at arrival.
  const unreadableTime = await postPostmark({ ...delivery, DeliveredAt: 'yesterday' });
  assert.equal(unreadableTime.status, 200);
  // An unsubscribe-type bounce without BouncedAt (optional in Postmark's docs) unsubscribes.
  const unsubscribe = { RecordType: 'Bounce', ID: 4323372036854775, Type: 'Unsubscribe', TypeCode: 16, MessageID, Email: email.To, Metadata: email.Metadata };
  assert.deepEqual(await (await postPostmark(unsubscribe)).json(), { applied: 1, unmatched: 0 });
  const consent = JSON.parse((await app.store.load(contactId)).state).contact.consent.email;
  assert.equal(consent.at(-1).status, 'revoked');
});

test('send outcomes are classified: 422 with ErrorCode is permanent, 429 and 5xx are transient', async () => {
  const transport = postmarkTransport();
  const action = (to, template = 'cart.email.confirm') => ({ type: 'send', id: 'j.email-1.email.0', channel: 'email', to, message: { template, data: {}, angle: 'plain', variant: 'a' } });
  const inactive = await transport.send(action('inactive@example.com'), { contactId: 'c_1' });
  assert.deepEqual([inactive.ok, inactive.permanent, inactive.code], [false, true, 'postmark:406']);
  postmark.failNext({ status: 429, body: { ErrorCode: 429, Message: 'Rate limit exceeded' } }, { status: 500, body: { ErrorCode: 0, Message: 'Internal' } });
  assert.deepEqual(await transport.send(action('a@example.com'), { contactId: 'c_1' }).then((r) => [r.ok, r.permanent, r.code]), [false, false, 'postmark:429']);
  assert.deepEqual(await transport.send(action('a@example.com'), { contactId: 'c_1' }).then((r) => [r.ok, r.permanent]), [false, false]);
  const byId = await transport.send(action('a@example.com', 'cart.email.value'), { contactId: 'c_1' });
  assert.equal(byId.ok, true);
  assert.equal(postmark.emails.at(-1).email.TemplateId, 4242, 'a numeric template is a TemplateId');
  const wrongToken = await server.postmarkTransport({ serverToken: 'nope', from: 'a@example.com', templates: { t: 'cart-confirm' }, baseUrl: postmark.url }).send(action('a@example.com', 't'), { contactId: 'c_1' });
  assert.deepEqual([wrongToken.permanent, wrongToken.code], [true, 'postmark:10']);
  // No template mapped and no rendered email (the content audit withheld it): nothing to send.
  const missing = await transport.send(action('a@example.com', 'cart.email.unknown'), { contactId: 'c_1' });
  assert.equal(missing.code, 'postmark:noContent');
});

test('erasure puts the address on the Postmark stream suppression list before the data goes', async () => {
  const redact = JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com', customer: { id: 0, email: 'example@email.com', phone: null }, orders_to_redact: [] })
    .replace('"id":0', '"id":603851970716743426');
  postmark.failNext({ status: 503, body: { ErrorCode: 0, Message: 'Service unavailable' } });
  const refused = await postShopify(app.url, 'customers/redact', redact);
  assert.equal(refused.status, 503, 'a provider down keeps the erase uncommitted, so Shopify retries');
  assert.deepEqual(postmark.suppressed, []);
  const contactId = postmark.emails[0].email.Metadata.rekindle_contact;
  assert.match((await app.store.load(contactId)).state, /example@email\.com/);

  const erased = await postShopify(app.url, 'customers/redact', redact);
  assert.equal(erased.status, 200);
  assert.deepEqual(postmark.suppressed, [{ stream: 'outbound', address: 'example@email.com' }]);
  assert.doesNotMatch((await app.store.load(contactId)).state, /example@email\.com/);
});

test('erasure with SendGrid adds a global suppression; a permanent refusal does not stop the erase', async () => {
  const sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  const other = await startServer({ storePath: join(dir, 'sendgrid.db'), clock, twilio, sendgrid });
  try {
    await postShopify(other.url, 'checkouts/create', await abandonedCheckout({ at: new Date(clock.now).toISOString(), token: 'sg-erase', customerId: '900000000000000077', email: 'gone@example.com', phone: '+15125550177' }));
    const redact = '{"shop_id":1,"shop_domain":"example.myshopify.com","customer":{"id":900000000000000077,"email":"gone@example.com","phone":"+15125550177"},"orders_to_redact":[]}';
    assert.equal((await postShopify(other.url, 'customers/redact', redact)).status, 200);
    assert.deepEqual(sendgrid.suppressed, ['gone@example.com']);

    // A permanent refusal (a 400) must not keep our copy of the data: the erase goes ahead.
    await postShopify(other.url, 'checkouts/create', await abandonedCheckout({ at: new Date(clock.now).toISOString(), token: 'sg-refused', customerId: '900000000000000078', email: 'refused@example.com', phone: '+15125550178' }));
    const [{ contactId }] = await other.store.dueBefore(Infinity, 100); // the first contact is erased already
    sendgrid.failNext({ status: 400, body: { errors: [{ message: 'bad request', field: 'recipient_emails', help: null }] } });
    const refusedRedact = redact.replaceAll('900000000000000077', '900000000000000078').replace('gone@example.com', 'refused@example.com').replace('+15125550177', '+15125550178');
    assert.equal((await postShopify(other.url, 'customers/redact', refusedRedact)).status, 200);
    assert.deepEqual(sendgrid.suppressed, ['gone@example.com'], 'SendGrid refused the second address');
    assert.doesNotMatch((await other.store.load(contactId)).state, /refused@example\.com/);
    assert.deepEqual(await other.store.dueBefore(Infinity, 100), [], 'nothing is left to send');
  } finally {
    await other.close();
    await sendgrid.close();
  }
});
