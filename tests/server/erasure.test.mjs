// Erasure that leaves nothing: after `customers/redact` (and `shop/redact`) the shopper's email,
// phone number and name are searched for in everything the store holds: the SQLite database,
// WAL and shared-memory files byte by byte, every Redis key and value, every Postgres row. The
// shopper's SMS is refused by Twilio with an error text that quotes the number (21211), as
// Twilio's does, so the ledger is tempted to keep it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import postgresJs from 'postgres';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, removeDir, serverNode, startServer, tempDir } from './harness.mjs';
import { startRedis } from './redis-server.mjs';
import { startPostgres } from './postgres-server.mjs';

const redis = await startRedis();
const postgres = await startPostgres();
let dir, twilio, sendgrid;
let serial = 0;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
});
after(async () => {
  await twilio.close();
  await sendgrid.close();
  await redis.stop();
  await postgres.stop();
  await removeDir(dir);
});

/** A shopper with values found nowhere else, so a match can only be theirs. */
function shopper() {
  serial += 1;
  return {
    email: `erase-me-${serial}@example.com`,
    phone: `+1512555${String(7700 + serial)}`,
    firstName: `Zebulonia${serial}`,
    lastName: `Quixwright${serial}`,
    customerId: String(950000000000000000n + BigInt(serial)),
  };
}

/** The values an erasure must remove, as they would appear in any store's bytes (the engine keeps no last name). */
const needles = (s) => [s.email, s.phone, s.phone.slice(2), s.firstName];

/**
 * Through the handler: the checkout, its email sent, its SMS refused by Twilio with a text that
 * quotes the number. Returns the app, ready for the redact.
 */
async function journey(app, clock, s) {
  const body = (await abandonedCheckout({ at: new Date(clock.now).toISOString(), token: `erase-${s.customerId}`, customerId: s.customerId, email: s.email, phone: s.phone }))
    .replaceAll('"John"', JSON.stringify(s.firstName))
    .replaceAll('"Smith"', JSON.stringify(s.lastName))
    .replaceAll('"John Smith"', JSON.stringify(`${s.firstName} ${s.lastName}`));
  assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  clock.now += 5 * 60_000;
  const first = await app.runtime.tick();
  assert.equal(first.sent, 1, `the email: ${JSON.stringify(first)}`);
  twilio.failNext({ status: 400, body: { code: 21211, message: `The 'To' number ${s.phone} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } });
  clock.now += 12 * 60_000;
  assert.equal((await app.runtime.tick()).failed, 1, 'the SMS, refused');
}

const redact = (s) => JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com', customer: { id: Number(s.customerId), email: s.email, phone: s.phone }, orders_to_redact: [] });
const shopRedact = JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com' });

async function sqliteBytes(path) {
  const parts = [];
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) parts.push(await readFile(file));
  return Buffer.concat(parts);
}

function assertAbsent(haystack, s, where) {
  for (const needle of [...needles(s), s.lastName]) assert.equal(haystack.includes(needle), false, `${where} still holds ${needle}`);
}

/**
 * The id SendGrid gave the shopper's email: it finds the message (and its address) at the
 * provider, and a callback without Rekindle's custom args finds the shopper by it. It is kept
 * with the send, and must go with the shopper.
 */
const messageIdOf = (s) => sendgrid.mails.find((m) => m.mail.personalizations[0].to[0].email === s.email).id;

test('SQLite: after customers/redact and shop/redact, the database, WAL and shm files hold no trace of the shopper', async () => {
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const path = join(dir, 'erase.db');
  const app = await startServer({ storePath: path, clock, twilio, sendgrid });
  const kept = shopper();
  const gone = shopper();
  try {
    await journey(app, clock, kept);
    await journey(app, clock, gone);
    const before = await sqliteBytes(path);
    for (const needle of needles(gone)) assert.ok(before.includes(needle), `the files held ${needle} before (the search can fail)`);

    assert.ok(before.includes(messageIdOf(gone)), 'the files held the provider\'s message id before');

    assert.equal((await postShopify(app.url, 'customers/redact', redact(gone))).status, 200);
    assertAbsent(await sqliteBytes(path), gone, 'after customers/redact, the SQLite files');
    assert.equal((await sqliteBytes(path)).includes(messageIdOf(gone)), false, 'the provider\'s message id went too');
    assert.ok((await sqliteBytes(path)).includes(kept.email), 'the other shopper is still there');

    assert.equal((await postShopify(app.url, 'shop/redact', shopRedact)).status, 200);
    assertAbsent(await sqliteBytes(path), kept, 'after shop/redact, the SQLite files');
  } finally {
    await app.close();
  }
  // Closed (the WAL folded in): still nothing.
  assertAbsent(await sqliteBytes(path), gone, 'the closed files');
  assertAbsent(await sqliteBytes(path), kept, 'the closed files');
});

/** Every key and every value under Redis, as one string. */
async function redisDump(client) {
  const out = [];
  for (const key of await client.keys('*')) {
    out.push(key);
    const type = await client.type(key);
    if (type === 'string') out.push(await client.get(key));
    else if (type === 'hash') out.push(JSON.stringify(await client.hgetall(key)));
    else if (type === 'set') out.push(...(await client.smembers(key)));
    else if (type === 'zset') out.push(...(await client.zrange(key, 0, -1)));
    else if (type === 'list') out.push(...(await client.lrange(key, 0, -1)));
    else out.push(`<${type}>`);
  }
  return out.join('\n');
}

test('Redis: after customers/redact no key or value holds the shopper (the ledger kept Twilio\'s code, not its text)', async () => {
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const app = await startServer({ store: await serverNode.redisStore(redis.url, { prefix: 'erase:' }), clock, twilio, sendgrid });
  const client = new Redis(redis.url);
  const gone = shopper();
  try {
    await journey(app, clock, gone);
    const before = await redisDump(client);
    assert.ok(before.includes(gone.email), 'the search can fail');
    assert.ok(before.includes(messageIdOf(gone)), 'Redis held the provider\'s message id before');
    assert.equal((await postShopify(app.url, 'customers/redact', redact(gone))).status, 200);
    assertAbsent(await redisDump(client), gone, 'Redis');
    assert.equal((await redisDump(client)).includes(messageIdOf(gone)), false, 'the provider\'s message id went too');
  } finally {
    client.disconnect();
    await app.close();
  }
});

test('Postgres: after customers/redact no row of any table holds the shopper', async () => {
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const app = await startServer({ store: await serverNode.postgresStore(postgres.url, { schema: 'erase' }), clock, twilio, sendgrid });
  const sql = postgresJs(postgres.url, { max: 1, onnotice: () => {} });
  const dump = async () => {
    const out = [];
    for (const { table_name: table } of await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'erase'`) {
      out.push(JSON.stringify(await sql`SELECT * FROM ${sql('erase')}.${sql(table)}`));
    }
    return out.join('\n');
  };
  const gone = shopper();
  try {
    await journey(app, clock, gone);
    assert.ok((await dump()).includes(gone.email), 'the search can fail');
    assert.ok((await dump()).includes(messageIdOf(gone)), 'Postgres held the provider\'s message id before');
    assert.equal((await postShopify(app.url, 'customers/redact', redact(gone))).status, 200);
    assertAbsent(await dump(), gone, 'Postgres');
    assert.equal((await dump()).includes(messageIdOf(gone)), false, 'the provider\'s message id went too');
  } finally {
    await sql.end();
    await app.close();
  }
});
