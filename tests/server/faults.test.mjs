// Providers that act on a send and then lose the answer: the fake reads the request, records
// the message, and then drops the connection, never answers (the sender times out) or answers
// a 5xx. Retrying such a send as if it never happened duplicated messages in production (15
// copies of one). The target is zero duplicates: Twilio and Postmark are reconciled from their
// own message lists, SendGrid (no lookup, no idempotency key) is recorded as unknown and not
// sent again. And a 2xx whose body is not JSON is a send that never holds back its batch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fakeKlaviyo, fakePostmark, fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, postShopify, removeDir, server, startServer, tempDir } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z'); // 10:00 in New York: inside US quiet-hour limits
const minutes = (n) => n * 60_000;
const TIMEOUT_MS = 400;
const POSTMARK_TOKEN = 'postmark-server-token';
const FAULTS = ['reset', 'hang', { status: 500 }, { status: 502, raw: '<html>Bad Gateway</html>' }, { status: 504 }];
const clock = { now: T0 };
let dir, twilio, sendgrid, postmark;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  postmark = await fakePostmark({ serverToken: POSTMARK_TOKEN, templates: Object.keys(TEMPLATES) });
});

after(async () => {
  await twilio.close();
  await sendgrid.close();
  await postmark.close();
  await removeDir(dir);
});

function transports(email) {
  const sms = server.twilioTransport({ ...TWILIO, baseUrl: twilio.url, timeoutMs: TIMEOUT_MS });
  if (email === 'postmark') {
    const templates = Object.fromEntries(Object.keys(TEMPLATES).map((k) => [k, k]));
    return { sms, email: server.postmarkTransport({ serverToken: POSTMARK_TOKEN, from: 'shop@example.com', templates, baseUrl: postmark.url, timeoutMs: TIMEOUT_MS }) };
  }
  return { sms, email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: TEMPLATES, baseUrl: sendgrid.url, timeoutMs: TIMEOUT_MS }) };
}

let shopperSerial = 0; // the fakes serve every test: each shopper has their own number

/** `n` shoppers abandon at once; returns their emails and phones. */
async function abandon(app, tag, n) {
  const shoppers = [];
  for (let i = 0; i < n; i += 1) {
    shopperSerial += 1;
    const shopper = { email: `${tag}-${i}@example.com`, phone: `+1512555${3000 + shopperSerial}` };
    shoppers.push(shopper);
    const body = await abandonedCheckout({ at: new Date(clock.now).toISOString(), token: `${tag}-${i}`, customerId: String(920000000000000000n + BigInt(shopperSerial)), ...shopper });
    assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  }
  return shoppers;
}

const count = (list, key) => list.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map());

/** Ticks until nothing is left to send, moving the clock past every backoff. */
async function drain(app) {
  for (let i = 0; i < 6; i += 1) {
    await app.runtime.tick();
    clock.now += minutes(70);
  }
}

test('Twilio: a send acted on and then reset, timed out or answered 5xx is reconciled, never sent twice', async () => {
  clock.now = T0;
  const app = await startServer({ storePath: join(dir, 'twilio.db'), clock, twilio, sendgrid, transports: transports('sendgrid') });
  try {
    const shoppers = await abandon(app, 'tw', FAULTS.length);
    clock.now += minutes(5);
    await app.runtime.tick(); // the emails
    twilio.failAfterActing(...FAULTS);
    clock.now += minutes(12);
    const outcome = await app.runtime.tick();
    assert.equal(outcome.sent, FAULTS.length, JSON.stringify(outcome));
    await drain(app);
    const received = count(twilio.messages, (m) => m.form.To);
    for (const { phone } of shoppers) assert.equal(received.get(phone), 1, `${phone}: one SMS`);
    assert.ok(twilio.lookups.length >= FAULTS.length, 'each unknown outcome was looked up');
    assert.ok(twilio.lookups.every((q) => q['DateSent>'] && q.To), 'by recipient and date sent');
    // The ledger has Twilio's own id for each, found by the lookup.
    for (const m of twilio.messages.filter((x) => shoppers.some((s) => s.phone === x.form.To))) {
      const contactId = new URL(m.form.StatusCallback).searchParams.get('c');
      const actionId = new URL(m.form.StatusCallback).searchParams.get('a');
      assert.ok(contactId);
      assert.deepEqual(await app.store.ledger(actionId).then((l) => [l.status, l.providerId]), ['sent', m.sid]);
    }
  } finally {
    await app.close();
  }
});

test('Postmark: the same faults are reconciled by the action id in Metadata, never sent twice', async () => {
  clock.now = T0;
  const app = await startServer({ storePath: join(dir, 'postmark.db'), clock, twilio, sendgrid, transports: transports('postmark') });
  try {
    const shoppers = await abandon(app, 'pm', FAULTS.length);
    postmark.failAfterActing(...FAULTS);
    clock.now += minutes(5);
    const outcome = await app.runtime.tick();
    assert.equal(outcome.sent, FAULTS.length, JSON.stringify(outcome));
    await drain(app);
    const received = count(postmark.emails, (e) => e.email.To);
    for (const { email } of shoppers) assert.equal(received.get(email), 1, `${email}: one mail`);
    assert.ok(postmark.lookups.some((q) => q.metadata_rekindle_action), 'looked up by the action id');
    for (const e of postmark.emails.filter((x) => shoppers.some((s) => s.email === x.email.To))) {
      assert.deepEqual(await app.store.ledger(e.email.Metadata.rekindle_action).then((l) => [l.status, l.providerId]), ['sent', e.MessageID]);
    }
  } finally {
    await app.close();
  }
});

test('SendGrid, which can neither dedupe nor be searched: an unknown outcome is recorded as such and not sent again', async () => {
  clock.now = T0;
  const app = await startServer({ storePath: join(dir, 'sendgrid.db'), clock, twilio, sendgrid, transports: transports('sendgrid') });
  try {
    const shoppers = await abandon(app, 'sg', FAULTS.length);
    sendgrid.failAfterActing(...FAULTS);
    clock.now += minutes(5);
    const outcome = await app.runtime.tick();
    assert.equal(outcome.unknown, FAULTS.length, JSON.stringify(outcome));
    await drain(app);
    const received = count(sendgrid.mails, (m) => m.mail.personalizations[0].to[0].email);
    for (const { email } of shoppers) assert.equal(received.get(email), 1, `${email}: one mail`);
    const ids = sendgrid.mails.filter((m) => shoppers.some((s) => s.email === m.mail.personalizations[0].to[0].email)).map((m) => m.mail.custom_args.rekindle_action);
    const ledgers = await Promise.all(ids.map((id) => app.store.ledger(id)));
    assert.deepEqual(ledgers.map((l) => l.status), FAULTS.map(() => 'unknown'));
    assert.ok(ledgers.every((l) => /^sendgrid:(network|timeout|50[024])$/.test(l.detail)), JSON.stringify(ledgers));
  } finally {
    await app.close();
  }
});

test('Twilio: a 5xx before Twilio acted is found missing by the lookup and sent once more, not lost', async () => {
  clock.now = T0;
  const app = await startServer({ storePath: join(dir, 'twilio-missing.db'), clock, twilio, sendgrid, transports: transports('sendgrid') });
  try {
    const [shopper] = await abandon(app, 'tm', 1);
    clock.now += minutes(5);
    await app.runtime.tick(); // the email
    const lookups = twilio.lookups.length;
    twilio.failNext({ status: 500, body: { code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 } });
    clock.now += minutes(12);
    assert.equal((await app.runtime.tick()).sent, 1);
    await drain(app);
    assert.equal(twilio.messages.filter((m) => m.form.To === shopper.phone).length, 1);
    assert.equal(twilio.lookups.length - lookups, 1, 'one lookup, then the one resend');
  } finally {
    await app.close();
  }
});

test('Klaviyo, which drops a repeated unique_id: an unknown outcome is sent once more, and Klaviyo keeps one event', async () => {
  const klaviyo = await fakeKlaviyo({ apiKey: 'pk_faults', revision: '2026-07-15', validate: () => [] });
  clock.now = T0;
  const email = server.klaviyoTransport({ apiKey: 'pk_faults', baseUrl: klaviyo.url, timeoutMs: TIMEOUT_MS });
  const app = await startServer({ storePath: join(dir, 'klaviyo.db'), clock, twilio, sendgrid, transports: { ...transports('sendgrid'), email } });
  try {
    await abandon(app, 'kl', 3);
    // The faults meet every request, the one retry included: the first send is reset and its
    // retry times out (unknown twice: recorded so, not tried a third time); the second gets a
    // 502 and its retry goes through; the third goes through at once.
    klaviyo.failAfterActing('reset', 'hang', { status: 502 });
    clock.now += minutes(5);
    const outcome = await app.runtime.tick();
    assert.deepEqual([outcome.sent, outcome.unknown], [2, 1], JSON.stringify(outcome));
    await drain(app);
    assert.equal(klaviyo.received.length, 5, 'two sends reached Klaviyo twice');
    const ids = klaviyo.events.map((e) => e.data.attributes.unique_id);
    assert.equal(new Set(ids).size, 3);
    assert.equal(ids.length, 3, 'Klaviyo kept one event per send');
    const ledgers = await Promise.all(ids.map((id) => app.store.ledger(id)));
    assert.deepEqual(ledgers.map((l) => l.status).sort(), ['sent', 'sent', 'unknown']);
  } finally {
    await app.close();
    await klaviyo.close();
  }
});

test('a refused connection (nothing reached the provider) is still retried', async () => {
  // A port that was just free: nothing listens there, the connection is refused.
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const closed = server.twilioTransport({ ...TWILIO, baseUrl: `http://127.0.0.1:${port}`, timeoutMs: TIMEOUT_MS });
  const result = await closed.send({ type: 'reply', id: 'r1', to: '+15125550100', body: 'HELP' }, {});
  assert.deepEqual([result.ok, result.permanent, result.unknown], [false, false, false]);
});

test('a 2xx whose body is not JSON is a send (id unknown), and the rest of the batch still goes out', async () => {
  clock.now = T0;
  const app = await startServer({ storePath: join(dir, 'nonjson.db'), clock, twilio, sendgrid, transports: transports('postmark') });
  try {
    const shoppers = await abandon(app, 'nj', 3);
    postmark.failAfterActing({ status: 200, raw: 'OK' });
    clock.now += minutes(5);
    assert.equal((await app.runtime.tick()).sent, 3);
    twilio.failAfterActing({ status: 201, raw: '<html><body>Created</body></html>' });
    clock.now += minutes(12);
    assert.equal((await app.runtime.tick()).sent, 3);
    await drain(app);
    const sms = count(twilio.messages, (m) => m.form.To);
    const mail = count(postmark.emails, (e) => e.email.To);
    for (const { email, phone } of shoppers) {
      assert.equal(sms.get(phone), 1, phone);
      assert.equal(mail.get(email), 1, email);
    }
    const first = postmark.emails.find((e) => e.email.To === shoppers[0].email);
    assert.deepEqual(await app.store.ledger(first.email.Metadata.rekindle_action).then((l) => [l.status, l.providerId]), ['sent', null]);
  } finally {
    await app.close();
  }
});
