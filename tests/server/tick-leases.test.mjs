// The runtime's tick takes its due entries under a lease (`store.claimDue`): two handlers on one
// SQLite file, a ticker that dies holding its batch, and a contact whose decision fails while
// the rest of its batch goes on. Store-level lease rules are in store-contract.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, removeDir, serverNode, startServer, tempDir } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z'); // 10:00 in New York: inside US quiet-hour limits
const LEASE_MS = 60_000; // the runtime's default
let dir, twilio, sendgrid;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
});
after(async () => {
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

const recipients = (mails) => mails.map((m) => m.mail.personalizations[0].to[0].email).sort();

async function checkouts(app, prefix, n) {
  const emails = [];
  for (let i = 0; i < n; i += 1) {
    const email = `${prefix}-${i}@example.com`;
    emails.push(email);
    const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: `${prefix}-${i}`, customerId: String(930000000000000000n + BigInt(i)), email, phone: `+1512555${4000 + i}` });
    assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  }
  return emails.sort();
}

test('a ticker that dies holding its batch: the others pass over it until the lease runs out, then send it once', async () => {
  const clock = { now: T0 };
  const path = join(dir, 'died.db');
  const app = await startServer({ storePath: path, clock, twilio, sendgrid });
  const mailsBefore = sendgrid.mails.length;
  try {
    const emails = await checkouts(app, 'died', 3);
    clock.now += 5 * 60_000; // every first email is due
    // What a tick took before its process died: the batch, leased to an owner that never settles it.
    const dead = await serverNode.sqliteStore(path);
    assert.equal((await dead.claimDue(clock.now, 100, 'dead-ticker', LEASE_MS)).length, 3);
    await dead.close();

    assert.deepEqual(await app.runtime.tick(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'the batch is leased to the dead ticker');
    assert.equal((await app.store.dueSummary(clock.now)).due, 3, 'and still counts as due on /health');
    clock.now += LEASE_MS;
    assert.deepEqual(await app.runtime.tick(), { due: 3, sent: 3, failed: 0, retrying: 0 }, 'the lease ran out: taken over');
    assert.deepEqual(await app.runtime.tick(), { due: 0, sent: 0, failed: 0, retrying: 0 });
    assert.deepEqual(recipients(sendgrid.mails.slice(mailsBefore)), emails, 'each shopper emailed once');
  } finally {
    await app.close();
  }
});

test('two handlers ticking one file at once decide each due entry once', async () => {
  const clock = { now: T0 };
  const path = join(dir, 'shared.db');
  const a = await startServer({ storePath: path, clock, twilio, sendgrid });
  const b = await startServer({ storePath: path, clock, twilio, sendgrid });
  const mailsBefore = sendgrid.mails.length;
  try {
    const emails = await checkouts(a, 'shared', 6);
    clock.now += 5 * 60_000;
    const ticks = await Promise.all([a.runtime.tick(), b.runtime.tick(), a.runtime.tick(), b.runtime.tick()]);
    assert.equal(ticks.reduce((sum, r) => sum + r.due, 0), 6, 'each entry decided by the one tick that leased it');
    assert.equal(ticks.reduce((sum, r) => sum + r.sent, 0), 6);
    assert.deepEqual(recipients(sendgrid.mails.slice(mailsBefore)), emails);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a due entry whose decision fails does not hold back the rest of the batch; it comes back after its lease', async () => {
  const clock = { now: T0 };
  const inner = await serverNode.sqliteStore(join(dir, 'failing.db'));
  let failing = null; // the contact whose commits the store refuses (a broken row, a lost connection)
  const store = { ...inner, commit: (contactId, change) => (contactId === failing ? Promise.reject(Object.assign(new Error('store unavailable'), { code: 'TEST_STORE_DOWN' })) : inner.commit(contactId, change)) };
  const logged = [];
  const app = await startServer({ store, clock, twilio, sendgrid, log: (level, message, fields) => logged.push({ level, message, fields }) });
  const mailsBefore = sendgrid.mails.length;
  try {
    const emails = await checkouts(app, 'failing', 3);
    clock.now += 5 * 60_000;
    const [first] = await inner.dueBefore(clock.now, 1); // the earliest entry: first in the batch
    failing = first.contactId;
    await assert.rejects(app.runtime.tick(), { code: 'TEST_STORE_DOWN' }, 'the tick reports the failure (and is not recorded)');
    assert.equal(sendgrid.mails.length - mailsBefore, 2, 'the two other shoppers were decided and sent in the same tick');
    assert.deepEqual(logged.filter((l) => l.message === 'due entry failed').map((l) => [l.level, l.fields.contactId, l.fields.code]), [['error', failing, 'TEST_STORE_DOWN']]);
    assert.equal((await inner.dueSummary(clock.now)).lastTickAt, null);

    failing = null;
    assert.deepEqual(await app.runtime.tick(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'the failed entry is still leased');
    clock.now += LEASE_MS;
    assert.deepEqual(await app.runtime.tick(), { due: 1, sent: 1, failed: 0, retrying: 0 });
    assert.deepEqual(recipients(sendgrid.mails.slice(mailsBefore)), emails);
  } finally {
    await app.close();
  }
});
