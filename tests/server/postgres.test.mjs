// The PostgreSQL store against a real PostgreSQL server (a throwaway cluster, postgres-server.mjs):
// the store contract; two runtimes, each with its own connection pool on one database, ticking
// at once over many journeys (each due message goes out once); a dispatcher that dies holding a
// lease, whose message another runtime takes over once the lease has expired; and erasure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import postgresJs from 'postgres';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, serverNode, startServer } from './harness.mjs';
import { startPostgres } from './postgres-server.mjs';
import { storeContract } from './store-contract.mjs';

const postgres = await startPostgres();
let schemas = 0;
const openStore = (schema) => serverNode.postgresStore(postgres.url, { schema });
const freshSchema = () => `test${(schemas += 1)}`;

storeContract('postgres', async () => ({ store: await openStore(freshSchema()) }));

let twilio, sendgrid;
before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
});
after(async () => {
  await twilio.close();
  await sendgrid.close();
  await postgres.stop();
});

const recipients = (mails) => mails.map((m) => m.mail.personalizations[0].to[0].email);

test('postgres: a schema name that is not a plain identifier is refused before any SQL runs', async () => {
  await assert.rejects(openStore('rekindle"; DROP TABLE x; --'), /schema must match/);
  await assert.rejects(openStore('a.b'), /schema must match/);
});

test('postgres: two runtimes ticking one database at once send each due message once', async () => {
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const schema = freshSchema();
  // Both start together: the schema is created once, whoever comes first (advisory lock).
  const [storeA, storeB] = await Promise.all([openStore(schema), openStore(schema)]);
  const a = await startServer({ store: storeA, clock, twilio, sendgrid });
  const b = await startServer({ store: storeB, clock, twilio, sendgrid });
  const SHOPPERS = 24;
  const mailsBefore = sendgrid.mails.length;
  const smsBefore = twilio.messages.length;
  try {
    const emails = [];
    for (let i = 0; i < SHOPPERS; i += 1) {
      const email = `pg-race-${i}@example.com`;
      emails.push(email);
      const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: `pg-race-${i}`, customerId: String(920000000000000000n + BigInt(i)), email, phone: `+1512555${String(3000 + i)}` });
      // Alternate the handlers: both write the one database.
      assert.equal((await postShopify((i % 2 ? b : a).url, 'checkouts/create', body)).status, 200);
    }
    clock.now += 5 * 60_000; // every first email is due
    const ticks = await Promise.all([a.runtime.tick(), b.runtime.tick(), a.runtime.tick(), b.runtime.tick(), a.runtime.tick(), b.runtime.tick()]);
    assert.equal(ticks.reduce((sum, r) => sum + r.sent, 0), SHOPPERS, 'every due email sent, by one runtime or the other');
    // The due index is leased a batch at a time: with the batch read and not leased, each of
    // the six ticks decided the same entries (up to 6 × SHOPPERS decisions, the CAS discarding all but one).
    assert.equal(ticks.reduce((sum, r) => sum + r.due, 0), SHOPPERS, 'each due entry decided by one tick, not by every tick');
    const emailed = recipients(sendgrid.mails.slice(mailsBefore));
    assert.deepEqual([...emailed].sort(), [...emails].sort(), 'each shopper emailed exactly once');

    clock.now += 60 * 60_000; // the SMS step
    const smsTicks = await Promise.all([b.runtime.tick(), a.runtime.tick(), b.runtime.tick(), a.runtime.tick()]);
    assert.equal(smsTicks.reduce((sum, r) => sum + r.sent, 0), SHOPPERS);
    assert.equal(smsTicks.reduce((sum, r) => sum + r.due, 0), SHOPPERS);
    const texted = twilio.messages.slice(smsBefore).map((m) => m.form.To);
    assert.equal(new Set(texted).size, SHOPPERS, 'each shopper texted exactly once');
    assert.equal(texted.length, SHOPPERS);

    clock.now += 24 * 60 * 60_000;
    const idle = await Promise.all([a.runtime.tick(), b.runtime.tick()]);
    assert.equal(idle.reduce((sum, r) => sum + r.sent, 0), 0, 'nothing left to send twice');
    assert.equal((await storeA.dueSummary(clock.now)).due, 0);
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: a dispatcher that dies holding a lease loses the message to nobody: another takes it over once the lease expires', async () => {
  const clock = { now: Date.parse('2026-11-28T15:00:00Z') };
  const schema = freshSchema();
  const LEASE_MS = 60_000;
  // A's mail provider never answers: A is as good as dead mid-dispatch, its lease held.
  let releaseA;
  let inFlight;
  const stuck = new Promise((resolve) => { releaseA = resolve; });
  const claimed = new Promise((resolve) => { inFlight = resolve; });
  const hanging = { name: 'sendgrid', send: (action) => { inFlight(action.id); return stuck; } };
  const a = await startServer({ store: await openStore(schema), clock, twilio, sendgrid, transports: { email: hanging }, leaseMs: LEASE_MS });
  const b = await startServer({ store: await openStore(schema), clock, twilio, sendgrid, leaseMs: LEASE_MS });
  const mailsBefore = sendgrid.mails.length;
  try {
    const body = await abandonedCheckout({ at: '2026-11-28T14:59:00Z', token: 'pg-lease-1', customerId: '930000000000000001', email: 'pg-lease@example.com' });
    assert.equal((await postShopify(a.url, 'checkouts/create', body)).status, 200);
    clock.now += 5 * 60_000;
    const dying = a.runtime.tick(); // decides the send, claims it, then hangs in the provider call
    const actionId = await claimed;
    assert.deepEqual(await a.store.ledger(actionId), { status: 'pending', attempts: 1, providerId: null, detail: null });

    assert.deepEqual(await b.runtime.tick(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'a live lease keeps B off');
    assert.equal(sendgrid.mails.length, mailsBefore);
    clock.now += LEASE_MS + 1; // A never came back
    assert.equal((await b.runtime.tick()).sent, 1, 'the expired lease is taken over');
    assert.deepEqual(recipients(sendgrid.mails.slice(mailsBefore)), ['pg-lease@example.com']);
    assert.deepEqual(await b.store.ledger(actionId), { status: 'sent', attempts: 2, providerId: sendgrid.mails.at(-1).id, detail: null });

    // A wakes up to a transient failure: its lease is gone, so it can neither requeue nor record.
    releaseA({ ok: false, permanent: false, code: 'http503' });
    await dying;
    assert.equal((await b.store.ledger(actionId)).status, 'sent', 'the ledger keeps the real outcome');
    clock.now += 2 * 60 * 60_000;
    await b.runtime.tick();
    assert.equal(sendgrid.mails.length - mailsBefore, 1, 'and the mail never goes twice');
  } finally {
    releaseA({ ok: false, permanent: false, code: 'http503' });
    await a.close();
    await b.close();
  }
});

test('postgres: erasure leaves nothing to send, and shop/redact empties only its own schema', async () => {
  const clock = { now: Date.parse('2026-11-29T15:00:00Z') };
  const schema = freshSchema();
  // Another shop's Rekindle on the same database, through a client its owner configured.
  const neighbour = await serverNode.postgresStore(postgresJs(postgres.url, { max: 2, onnotice: () => {} }), { schema: freshSchema() });
  const a = await startServer({ store: await openStore(schema), clock, twilio, sendgrid });
  const smsBefore = twilio.messages.length;
  try {
    assert.equal(await neighbour.commit('n1', { expected: 0, state: 'kept', schedule: [], unschedule: [], intents: [], links: ['email:n'], settle: null, erase: false }), true);
    const body = await abandonedCheckout({ at: '2026-11-29T14:59:00Z', token: 'pg-erase-1', customerId: '940000000000000001', email: 'pg-erase@example.com' });
    assert.equal((await postShopify(a.url, 'checkouts/create', body)).status, 200);
    clock.now += 5 * 60_000;
    assert.equal((await a.runtime.tick()).sent, 1);

    const redact = JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com', customer: { id: 940000000000000001, email: 'pg-erase@example.com', phone: null }, orders_to_redact: [] });
    const erased = await postShopify(a.url, 'customers/redact', redact);
    assert.equal(erased.status, 200);
    assert.ok((await erased.json()).applied >= 1);
    clock.now += 60 * 60_000;
    assert.deepEqual(await a.runtime.tick(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'the SMS went with the contact');
    assert.equal(twilio.messages.length, smsBefore);

    const shopRedact = JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com' });
    assert.equal((await postShopify(a.url, 'shop/redact', shopRedact)).status, 200);
    assert.equal(await a.store.resolve(['email:pg-erase@example.com']), null);
    assert.deepEqual(await neighbour.load('n1'), { state: 'kept', version: 1 }, 'the other schema is untouched');
    assert.equal(await neighbour.resolve(['email:n']), 'n1');
  } finally {
    await a.close();
    await neighbour.close();
  }
});

test('postgres: a schema made before due entries were leased gains the lease columns, and its entries are claimed', async () => {
  const schema = freshSchema();
  const sql = postgresJs(postgres.url, { max: 1, onnotice: () => {} });
  try {
    // The due table as the store first created it: no owner, no lease_until.
    await sql.unsafe(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.due (action_id text PRIMARY KEY, contact_id text NOT NULL, at bigint NOT NULL);
      INSERT INTO ${schema}.due VALUES ('old-1', 'c-old', 100), ('old-2', 'c-old', 200)`);
    const [a, b] = await Promise.all([openStore(schema), openStore(schema)]); // both check, one adds
    assert.deepEqual(await a.claimDue(1000, 1, 'A', 5000), [{ id: 'old-1', contactId: 'c-old', at: 100 }]);
    assert.deepEqual(await b.claimDue(1000, 10, 'B', 5000), [{ id: 'old-2', contactId: 'c-old', at: 200 }]);
    assert.deepEqual(await b.claimDue(1000, 10, 'B', 5000), []);
    await a.close();
    await b.close();
  } finally {
    await sql.end();
  }
});
