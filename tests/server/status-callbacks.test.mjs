// Provider callbacks without Rekindle's own correlation, found by the provider's message id in
// the ledger, against every Node store (memory, SQLite, Redis, Postgres; Durable Objects in
// durable-objects.test.mjs). A status callback URL set on a Twilio Messaging Service is called
// without Rekindle's `?c=&a=`; SendGrid events and Postmark webhooks can arrive without the
// custom args or Metadata (another integration on the account, a template that drops them).
// Payloads are shaped as the providers post them: Twilio's form fields (MessageSid,
// MessageStatus, ErrorCode, SmsSid, SmsStatus, AccountSid, MessagingServiceSid, From, To,
// ApiVersion), SendGrid's event array with `sg_message_id` ("<X-Message-Id>.filter…"), and
// Postmark's Delivery and Bounce records with `MessageID`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakePostmark, fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import {
  SENDGRID_KEY, TWILIO, abandonedCheckout, postSendgrid, postShopify, postTwilio, removeDir, server, serverNode, startServer, tempDir,
} from './harness.mjs';
import { startRedis } from './redis-server.mjs';
import { startPostgres } from './postgres-server.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z'); // 10:00 in New York: inside US quiet-hour limits
const minutes = (n) => n * 60_000;
const POSTMARK_TOKEN = 'postmark-server-token';
const POSTMARK_HOOK = { basicAuth: 'postmark:hook-password' };
const STATUS = '/webhooks/twilio/status'; // the Messaging Service's callback URL: no query

const redis = await startRedis();
const postgres = await startPostgres();
let dir, twilio, sendgrid, postmark;
let serial = 0;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  postmark = await fakePostmark({ serverToken: POSTMARK_TOKEN, templates: ['cart-confirm', 'cart-value'] });
});
after(async () => {
  await twilio.close();
  await sendgrid.close();
  await postmark.close();
  await redis.stop();
  await postgres.stop();
  await removeDir(dir);
});

/** Each store a fresh one, named apart from the others'. */
const STORES = {
  memory: async () => server.memoryStore(),
  sqlite: async (name) => serverNode.sqliteStore(join(dir, `${name}.db`)),
  redis: async (name) => serverNode.redisStore(redis.url, { prefix: `${name}:` }),
  postgres: async (name) => serverNode.postgresStore(postgres.url, { schema: name }),
};

async function app(kind, { email = 'sendgrid' } = {}) {
  serial += 1;
  const clock = { now: T0 };
  const transports = {
    sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }),
    email: email === 'postmark'
      ? server.postmarkTransport({ serverToken: POSTMARK_TOKEN, from: 'Example Shop <shop@example.com>', templates: { 'cart.email.confirm': 'cart-confirm', 'cart.email.value': 'cart-value' }, baseUrl: postmark.url })
      : server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: { 'cart.email.confirm': 'd-0123456789abcdef0123456789abcdef', 'cart.email.value': 'd-fedcba9876543210fedcba9876543210' }, baseUrl: sendgrid.url }),
  };
  const logged = [];
  const started = await startServer({
    store: await STORES[kind](`callbacks_${serial}`), clock, transports, secrets: { postmarkWebhook: POSTMARK_HOOK },
    log: (level, message, fields) => logged.push({ level, message, fields }),
  });
  return { ...started, clock, logged };
}

/** A new shopper's checkout through the handler; its email and SMS sent by ticks. Returns what went out. */
async function journey(a) {
  serial += 1;
  const n = String(serial).padStart(3, '0');
  const s = { email: `callback-${n}@example.com`, phone: `+15125556${n}`, token: `callback-${n}`, customerId: `910000000000000${n}` };
  const body = await abandonedCheckout({ at: new Date(a.clock.now - minutes(1)).toISOString(), ...s });
  assert.equal((await postShopify(a.url, 'checkouts/create', body)).status, 200);
  a.clock.now += minutes(5);
  assert.equal((await a.runtime.tick()).sent, 1, 'the email');
  a.clock.now += minutes(12);
  assert.equal((await a.runtime.tick()).sent, 1, 'the SMS');
  const sms = twilio.messages.findLast((m) => m.form.To === s.phone);
  // Rekindle's own callback URL names contact and action: how this test knows them, not the handler.
  const ours = new URL(sms.form.StatusCallback).searchParams;
  return { ...s, sid: sms.sid, contactId: ours.get('c'), smsAction: ours.get('a') };
}

/** A status callback as Twilio posts it for a message sent through a Messaging Service. */
const statusForm = (s, status, extra = {}) => ({
  SmsSid: s.sid, SmsStatus: status, MessageStatus: status, To: s.phone, MessagingServiceSid: TWILIO.messagingServiceSid,
  MessageSid: s.sid, AccountSid: TWILIO.accountSid, From: '+15005550006', ApiVersion: '2010-04-01', ...extra,
});

const stateOf = async (a, contactId) => JSON.parse((await a.store.load(contactId)).state);
const sendOf = (state, id) => state.journeys.flatMap((j) => j.sends).find((x) => x.id === id);

for (const kind of Object.keys(STORES)) {
  test(`${kind}: a Twilio status callback without Rekindle's query is found by its MessageSid; a replay changes nothing`, async () => {
    const a = await app(kind);
    try {
      const s = await journey(a);
      const delivered = await postTwilio(a.url, STATUS, statusForm(s, 'delivered'));
      assert.equal(delivered.status, 200);
      assert.deepEqual(await delivered.json(), { applied: 1, unmatched: 0 });
      const after = await stateOf(a, s.contactId);
      assert.equal(sendOf(after, s.smsAction).delivered, true, 'the delivery is recorded on the send');

      const sent = twilio.messages.length;
      const replay = await postTwilio(a.url, STATUS, statusForm(s, 'delivered'));
      assert.equal(replay.status, 200);
      assert.deepEqual(await stateOf(a, s.contactId), after, 'the same callback again changes nothing');
      assert.equal(twilio.messages.length, sent, 'and sends nothing');
    } finally {
      await a.close();
    }
  });

  test(`${kind}: a 21610 in a callback without the query blocks SMS to the contact, as it does with it`, async () => {
    const a = await app(kind);
    try {
      const s = await journey(a);
      const failed = await postTwilio(a.url, STATUS, statusForm(s, 'failed', { ErrorCode: '21610' }));
      assert.deepEqual(await failed.json(), { applied: 1, unmatched: 0 });
      const state = await stateOf(a, s.contactId);
      assert.equal(sendOf(state, s.smsAction).status, 'failed');
      assert.deepEqual(state.contact.consent.sms.at(-1).source, 'carrierBlock');
      assert.equal(state.contact.consent.sms.at(-1).status, 'revoked');

      // The shopper comes back and ticks the SMS box again: no web opt-in lifts a carrier block.
      const again = await abandonedCheckout({ at: new Date(a.clock.now).toISOString(), ...s, token: `${s.token}-again` });
      assert.equal((await postShopify(a.url, 'checkouts/create', again)).status, 200);
      const texts = twilio.messages.filter((m) => m.form.To === s.phone).length;
      for (let i = 0; i < 6; i += 1) {
        a.clock.now += minutes(30);
        await a.runtime.tick();
      }
      assert.equal(twilio.messages.filter((m) => m.form.To === s.phone).length, texts, 'no SMS to the blocked number');
    } finally {
      await a.close();
    }
  });

  test(`${kind}: an unknown MessageSid is 200 and unmatched, logged without personal data; a forged signature is 401`, async () => {
    const a = await app(kind);
    try {
      const s = await journey(a);
      const stranger = { sid: 'SMffffffffffffffffffffffffffffffff', phone: '+15125550199' };
      const unknown = await postTwilio(a.url, STATUS, statusForm(stranger, 'delivered'));
      assert.equal(unknown.status, 200, 'Twilio would retry anything else');
      assert.deepEqual(await unknown.json(), { applied: 0, unmatched: 1 });
      const line = a.logged.find((l) => l.message === 'provider message not in the ledger');
      assert.deepEqual(line.fields, { provider: 'twilio', messageId: stranger.sid });
      const everything = JSON.stringify(a.logged);
      for (const personal of [stranger.phone, s.phone, s.email]) assert.equal(everything.includes(personal), false, `the log holds ${personal}`);
      // An unknown message that is not a carrier block concerns no one, even at a known number.
      const known = await postTwilio(a.url, STATUS, statusForm({ ...stranger, phone: s.phone }, 'undelivered', { ErrorCode: '30003' }));
      assert.deepEqual(await known.json(), { applied: 0, unmatched: 1 });

      // Signed with another token, or over a URL other than the one called: refused, nothing applied.
      const before = await a.store.load(s.contactId);
      for (const forged of [
        postTwilio(a.url, STATUS, statusForm(s, 'failed', { ErrorCode: '21610' }), { token: 'not-the-auth-token' }),
        postTwilio(a.url, STATUS, statusForm(s, 'failed', { ErrorCode: '21610' }), { publicUrl: 'https://elsewhere.test' }),
      ]) {
        const response = await forged;
        assert.equal(response.status, 401);
        assert.equal((await response.json()).error.code, 'BAD_SIGNATURE');
      }
      assert.deepEqual(await a.store.load(s.contactId), before);
    } finally {
      await a.close();
    }
  });

  test(`${kind}: SendGrid events without custom args are found by sg_message_id; unknown ones are unmatched`, async () => {
    const a = await app(kind);
    try {
      const s = await journey(a);
      const { id: xMessageId, mail } = sendgrid.mails.findLast((m) => m.mail.personalizations[0].to[0].email === s.email);
      const emailAction = mail.custom_args.rekindle_action;
      const at = Math.floor(a.clock.now / 1000);
      const sgMessageId = `${xMessageId}.filterdrecv-5645d9c87f-6vvgs-1-6372B1C4-21.0`; // SendGrid appends its own part
      const event = (kind, extra) => ({
        email: s.email, timestamp: at, 'smtp-id': `<${xMessageId}@geopod-ismtpd-4>`, event: kind, category: [], sg_event_id: `sg-${kind}-${serial}`,
        sg_message_id: sgMessageId, ...extra,
      });
      const response = await postSendgrid(a.url, [
        event('processed'),
        event('delivered', { response: '250 2.0.0 OK  1668002756 x12-20020a05620a0b4c00b006fa0a1c4d1bsi1234567qkp.123 - gsmtp', ip: '149.72.154.232', tls: 1 }),
        event('open', { useragent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)', ip: '66.249.84.1', sg_machine_open: false }),
        { ...event('delivered'), email: 'someone@else.example', sg_event_id: 'sg-else', sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0' },
      ], { timestamp: String(at) });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { applied: 2, unmatched: 1 }, 'ours: delivered and open; the other sender\'s: unmatched');
      const send = sendOf(await stateOf(a, s.contactId), emailAction);
      assert.deepEqual([send.delivered, send.opened], [true, true]);
    } finally {
      await a.close();
    }
  });

  test(`${kind}: Postmark delivery and bounce webhooks without Metadata are found by MessageID`, async () => {
    const a = await app(kind, { email: 'postmark' });
    try {
      const s = await journey(a);
      const { MessageID, email } = postmark.emails.findLast((e) => e.email.To === s.email);
      const emailAction = email.Metadata.rekindle_action;
      const post = (record) => fetch(`${a.url}/webhooks/postmark`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(POSTMARK_HOOK.basicAuth).toString('base64')}` },
        body: JSON.stringify(record),
      });
      const delivery = await post({
        RecordType: 'Delivery', ServerID: 23, MessageStream: 'outbound', MessageID, Recipient: s.email, Tag: '',
        DeliveredAt: '2026-11-27T10:20:01.2735393-05:00', Details: 'smtp;250 2.0.0 OK', Metadata: {},
      });
      assert.deepEqual(await delivery.json(), { applied: 1, unmatched: 0 });
      assert.equal(sendOf(await stateOf(a, s.contactId), emailAction).delivered, true);

      const bounce = await post({
        RecordType: 'Bounce', ID: 4323372036854775807, Type: 'HardBounce', TypeCode: 1, Name: 'Hard bounce', Tag: '', MessageID,
        ServerID: 23, MessageStream: 'outbound', Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
        Details: 'Test bounce details', Email: s.email, From: 'shop@example.com', BouncedAt: '2026-11-27T10:21:00.0000000-05:00',
        DumpAvailable: true, Inactive: true, CanActivate: true, Subject: 'Your cart',
      });
      assert.deepEqual(await bounce.json(), { applied: 1, unmatched: 0 });
      assert.deepEqual((await stateOf(a, s.contactId)).contact.suppressed, ['email'], 'a hard bounce stops email');

      const unknown = await post({ RecordType: 'Delivery', MessageStream: 'outbound', MessageID: '00000000-0000-4000-8000-000000000000', Recipient: 'x@else.example', DeliveredAt: '2026-11-27T10:20:01Z' });
      assert.equal(unknown.status, 200);
      assert.deepEqual(await unknown.json(), { applied: 0, unmatched: 1 });
    } finally {
      await a.close();
    }
  });
}

test('erasure: a callback for an erased shopper\'s message finds no one, in every store', async () => {
  for (const kind of Object.keys(STORES)) {
    const a = await app(kind);
    try {
      const s = await journey(a);
      // As text: the 64-bit customer id stays exact.
      const redact = `{"shop_id":1,"shop_domain":"example.myshopify.com","customer":{"id":${s.customerId},"email":"${s.email}","phone":"${s.phone}"},"orders_to_redact":[]}`;
      assert.equal((await postShopify(a.url, 'customers/redact', redact)).status, 200);
      assert.equal(await a.store.providerMessage('twilio', s.sid), null, `${kind}: the index entry went with the shopper`);
      const late = await postTwilio(a.url, STATUS, statusForm(s, 'delivered'));
      assert.deepEqual(await late.json(), { applied: 0, unmatched: 1 }, kind);
    } finally {
      await a.close();
    }
  }
});
