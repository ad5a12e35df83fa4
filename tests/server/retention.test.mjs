// Expiry and retention run from the scheduler (issue 15), on every store: after a checkout,
// only the scheduler runs (ticks; on Durable Objects, alarms) while the clock moves past the
// journey's expiry and then past retention. The journey ends `expired` at 96 hours, and at the
// retention horizon, not a tick before, the contact loses its address, name and cart: searched
// for, as in the erasure test, in the raw SQLite files, every Redis key and value and every
// Postgres row. A tick is bounded: a crowd of contacts reaching retention at once is worked off
// `tickBatch` at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import Redis from 'ioredis';
import postgresJs from 'postgres';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import {
  SECRETS, SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, postShopify, rekindle, removeDir, server, serverNode, startServer, tempDir, testPolicy,
} from './harness.mjs';
import { startRedis } from './redis-server.mjs';
import { startPostgres } from './postgres-server.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION_DAYS = 30;
const policy = () => ({ ...testPolicy(), retention: { days: RETENTION_DAYS, regions: {} } });
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
    email: `idle-${serial}@example.com`,
    phone: `+1512555${String(7800 + serial)}`,
    firstName: `Idlewynne${serial}`,
    customerId: String(960000000000000000n + BigInt(serial)),
  };
}
const needles = (s) => [s.email, s.phone, s.phone.slice(2), s.firstName];

async function checkout(url, s, at = T0) {
  const body = (await abandonedCheckout({ at: new Date(at).toISOString(), token: `idle-${s.customerId}`, customerId: s.customerId, email: s.email, phone: s.phone }))
    .replaceAll('"John"', JSON.stringify(s.firstName));
  assert.equal((await postShopify(url, 'checkouts/create', body)).status, 200);
}

/** Ticks at `at` until nothing is left due, as a cron's runs would; the `due` of each. */
async function ticksAt(app, clock, at) {
  clock.now = at;
  const dues = [];
  for (let n = 0; n < 50; n += 1) {
    const outcome = await app.runtime.tick();
    dues.push(outcome.due);
    if (outcome.due === 0 && outcome.sent === 0) return dues;
  }
  throw new Error(`still busy after 50 ticks: ${dues}`);
}

/**
 * The scenario on one store, through the handler: a checkout, its two sends, then only ticks.
 * `dump()` is everything the store holds, as text or bytes, for the search.
 */
async function idleContactOnTime(store, dump) {
  const clock = { now: T0 };
  const app = await startServer({ store, clock, twilio, sendgrid, policy: policy() });
  const s = shopper();
  try {
    await checkout(app.url, s);
    await ticksAt(app, clock, T0 + HOUR); // the email-1 and sms-1 steps go
    const id = sendgrid.mails.find((m) => m.mail.personalizations[0].to[0].email === s.email).mail.custom_args.rekindle_contact;
    const stored = async () => JSON.parse((await store.load(id)).state);
    assert.equal((await stored()).journeys[0].status, 'active');

    await ticksAt(app, clock, T0 + 96 * HOUR - 60_000);
    assert.equal((await stored()).journeys[0].status, 'active', 'a minute before expiry');
    await ticksAt(app, clock, T0 + 96 * HOUR + 2_000);
    assert.equal((await stored()).journeys[0].status, 'expired', 'the housekeeping due expired it, no event arrived');

    const horizon = T0 + RETENTION_DAYS * DAY;
    await ticksAt(app, clock, horizon - 60_000);
    for (const needle of needles(s)) assert.ok(String(await dump()).includes(needle), `a minute early, the store still holds ${needle} (the search can fail)`);
    await ticksAt(app, clock, horizon + 2_000);
    const state = await stored();
    assert.deepEqual(state.journeys ?? [], [], 'the cart went with its journey');
    assert.ok(state.contact.consent.email.length > 0, 'the consent ledger stays as proof');
    const left = String(await dump());
    for (const needle of needles(s)) assert.equal(left.includes(needle), false, `the store still holds ${needle}`);
    assert.equal(await store.resolve([`action:${(await firstSendId(store, id))}`]), null, 'its index keys are gone');
    assert.deepEqual(await app.runtime.tick(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'nothing left scheduled');
    assert.equal((await store.dueSummary(clock.now + 10_000 * DAY)).due, 0, 'and nothing later either');
  } finally {
    await app.close();
  }
}

/** The id of a send the contact had: its `action:<id>` key led to the contact before the purge. */
async function firstSendId(store, contactId) {
  const mail = sendgrid.mails.find((m) => m.mail.custom_args.rekindle_contact === contactId);
  return mail.mail.custom_args.rekindle_action;
}

async function sqliteBytes(path) {
  const parts = [];
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) parts.push(await readFile(file));
  return Buffer.concat(parts);
}

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
    else out.push(`<${type}>`);
  }
  return out.join('\n');
}

test('memory: an idle contact\'s journey expires at 96 h and its personal data goes at the retention horizon, with only ticks', async () => {
  const store = server.memoryStore();
  // The memory store has no bytes to search: the contacts' stored states are what it holds.
  const states = async () => (await Promise.all(sendgrid.mails.map((m) => store.load(m.mail.custom_args.rekindle_contact)))).map((row) => row?.state).join('\n');
  await idleContactOnTime(store, states);
});

test('SQLite: the same, and the database, WAL and shm files hold no trace after the purge', async () => {
  const path = join(dir, 'retention.db');
  await idleContactOnTime(await serverNode.sqliteStore(path), () => sqliteBytes(path));
});

test('Redis: the same, and no key or value holds the shopper after the purge', async () => {
  const client = new Redis(redis.url);
  try {
    await idleContactOnTime(await serverNode.redisStore(redis.url, { prefix: 'retention:' }), () => redisDump(client));
  } finally {
    client.disconnect();
  }
});

test('Postgres: the same, and no row of any table holds the shopper after the purge', async () => {
  const sql = postgresJs(postgres.url, { max: 1, onnotice: () => {} });
  const dump = async () => {
    const out = [];
    for (const { table_name: table } of await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'retention'`) {
      out.push(JSON.stringify(await sql`SELECT * FROM ${sql('retention')}.${sql(table)}`));
    }
    return out.join('\n');
  };
  try {
    await idleContactOnTime(await serverNode.postgresStore(postgres.url, { schema: 'retention' }), dump);
  } finally {
    await sql.end();
  }
});

test('a tick is bounded: 25 contacts reaching retention together are purged tickBatch (10) at a time', async () => {
  const clock = { now: T0 };
  const store = server.memoryStore();
  const app = await startServer({ store, clock, twilio, sendgrid, policy: policy(), tickBatch: 10 });
  try {
    const crowd = Array.from({ length: 25 }, shopper);
    for (const s of crowd) await checkout(app.url, s);
    const sending = await ticksAt(app, clock, T0 + HOUR);
    assert.ok(sending.every((due) => due <= 10), `every tick decides at most 10 entries: ${sending}`);
    assert.deepEqual(await ticksAt(app, clock, T0 + 96 * HOUR + 2_000), [10, 10, 5, 0], 'the 25 expiries');
    assert.deepEqual(await ticksAt(app, clock, T0 + RETENTION_DAYS * DAY + 2_000), [10, 10, 5, 0], 'the 25 purges');
    assert.deepEqual(await store.size(), { ...(await store.size()), due: 0, links: 0 }, 'no entry and no index key is left');
  } finally {
    await app.close();
  }
});

test('tickBatch must be a whole number from 1', () => {
  const options = (tickBatch) => ({ store: server.memoryStore(), policy: policy(), secrets: SECRETS, publicUrl: 'https://recover.example.com', beacon: false, tickBatch });
  for (const bad of [0, -1, 1.5, '10', Number.NaN, Infinity]) {
    assert.throws(() => server.createHandler(options(bad)), { code: 'INVALID_OPTION', path: 'tickBatch' }, String(bad));
  }
  assert.equal(typeof server.createHandler(options(1)), 'function');
});

// ---------- Durable Objects: the contact's alarm is its only scheduler ----------

const dist = fileURLToPath(new URL('../../pkg/dist/', import.meta.url));

/**
 * The merchant's Worker, and, for the test only, a way to move time: `advance` on a contact's
 * object moves the runtime's clock forward and its armed alarm back by as much, which is what
 * the passing of that time would do to an alarm set for a moment of the runtime's clock. No
 * event reaches the engine: the alarm rings, and the contact's tick runs.
 */
const WORKER = `
  import { contactObject, createHandler, durableObjectStore, sendgridTransport, twilioTransport } from ${JSON.stringify(join(dist, 'server', 'cloudflare.js'))};
  let warp = 0;
  const options = (env) => ({
    store: durableObjectStore(env.REKINDLE),
    policy: JSON.parse(env.POLICY),
    secrets: JSON.parse(env.SECRETS),
    transports: {
      sms: twilioTransport({ ...JSON.parse(env.TWILIO), baseUrl: env.TWILIO_URL }),
      email: sendgridTransport({ apiKey: env.SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: JSON.parse(env.TEMPLATES), baseUrl: env.SENDGRID_URL }),
    },
    publicUrl: 'https://rekindle.test',
    now: () => Date.now() + Number(env.CLOCK_OFFSET) + warp,
    sleep: async () => {},
  });
  export class RekindleContact extends contactObject(options) {
    async advance(ms) {
      warp += ms;
      const alarm = await this.ctx.storage.getAlarm();
      if (alarm !== null) await this.ctx.storage.setAlarm(Math.max(Date.now(), alarm - ms));
    }
  }
  export default { fetch: createHandler(options) };`;

test('Durable Objects: with only the contact\'s alarm, the journey expires at 96 h and the contact is purged at the horizon', async () => {
  const { outputFiles } = await esbuild.build({
    stdin: { contents: WORKER, resolveDir: dist, loader: 'js' },
    bundle: true, write: false, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    alias: { rekindle: join(dist, 'workerd.js') },
    external: ['./rekindle_bg.wasm', './report_bg.wasm', 'cloudflare:*'],
    logLevel: 'silent',
  });
  // The runtime's clock starts at 15:00 UTC tomorrow (inside US quiet-hour limits) and runs
  // at wall speed, plus whatever `advance` adds.
  const today = new Date();
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1, 15);
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(dist, 'worker.js'), contents: outputFiles[0].text },
      { type: 'CompiledWasm', path: join(dist, 'rekindle_bg.wasm'), contents: await readFile(join(dist, 'rekindle_bg.wasm')) },
      { type: 'CompiledWasm', path: join(dist, 'report_bg.wasm'), contents: await readFile(join(dist, 'report_bg.wasm')) },
    ],
    modulesRoot: dist,
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: '2026-07-01',
    durableObjects: { REKINDLE: { className: 'RekindleContact', useSQLite: true } },
    bindings: {
      POLICY: JSON.stringify(policy()),
      SECRETS: JSON.stringify(SECRETS),
      TWILIO: JSON.stringify(TWILIO),
      TWILIO_URL: twilio.url,
      SENDGRID_KEY,
      SENDGRID_URL: sendgrid.url,
      TEMPLATES: JSON.stringify(TEMPLATES),
      CLOCK_OFFSET: String(start - Date.now()),
    },
  });
  const url = (await mf.ready).origin;
  const namespace = await mf.getDurableObjectNamespace('REKINDLE');
  const object = (contactId) => namespace.get(namespace.idFromName(`contact:${contactId}`));
  /** Polls until `check` holds: the alarm rings on workerd's own time. */
  const eventually = async (what, check) => {
    for (let n = 0; n < 200; n += 1) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`never: ${what}`);
  };
  try {
    const s = shopper();
    await checkout(url, s, start);
    const body = await abandonedCheckout({ at: new Date(start).toISOString(), token: `idle-${s.customerId}`, customerId: s.customerId, email: s.email, phone: s.phone });
    const contact = object(rekindle.ingest.shopify('checkouts/create', 'w1', body, SECRETS.salt, start).routed[0].contactId);
    const stored = async () => JSON.parse((await contact.load()).state);
    assert.equal((await stored()).journeys[0].status, 'active');
    assert.ok((await contact.dueBefore(Number.MAX_SAFE_INTEGER, 10)).some((d) => d.id.endsWith('.housekeeping')), 'the object holds its housekeeping entry');

    await contact.advance(HOUR); // the alarm sends the first steps
    await eventually('the first email', () => sendgrid.mails.some((m) => m.mail.personalizations[0].to[0].email === s.email));
    await contact.advance(95 * HOUR + 5_000);
    await eventually('the journey expired', async () => (await stored()).journeys[0].status === 'expired');
    assert.ok(JSON.stringify(await stored()).includes(s.email), 'expired, not yet purged');

    await contact.advance(RETENTION_DAYS * DAY - 96 * HOUR - 65_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(JSON.stringify(await stored()).includes(s.email), 'a minute before the horizon: kept');
    await contact.advance(120_000);
    await eventually('the contact purged', async () => !JSON.stringify(await stored()).includes(s.email));
    const state = await stored();
    const text = JSON.stringify(state);
    for (const needle of needles(s)) assert.equal(text.includes(needle), false, `${needle} is gone`);
    assert.deepEqual(state.journeys ?? [], []);
    assert.ok(state.contact.consent.email.length > 0, 'the consent ledger stays as proof');
    assert.deepEqual(await contact.dueBefore(Number.MAX_SAFE_INTEGER, 10), [], 'no due entry is left, so no alarm');
  } finally {
    await mf.dispose();
  }
});
