// What hostile input costs, through the real handler with the SQLite store (docs/security.md):
// 1. texts caused by 1,000 hostile beacons that toggle SMS consent on carts typed with a few
//    phone numbers, from 03:00 the recipients' time (target: at most 1 per number);
// 2. rows left by N junk beacons (default 100,000) once the anonymous visitors' lifetime ran
//    out (target: 0), with the rows and bytes they held before.
//
//   node benches/abuse.mjs [junkBeacons]
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../pkg/dist/', import.meta.url);
const server = await import(new URL('server/index.js', dist));
const serverNode = await import(new URL('server/node.js', dist));
const rekindle = await import(new URL('node.js', dist));
await rekindle.init();

const junkBeacons = Number(process.argv[2] ?? 100_000);
const SECRETS = { salt: 'bench-salt', shopify: 'bench-shopify', tick: 'bench-tick' };
const SHOP = 'https://shop.example';
const sample = readFileSync(new URL('../tests/fixtures/vectors/shopify/checkouts_create.json', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'rekindle-abuse-'));

/** A handler on its own SQLite file, a clock we move, and transports that only count. */
async function shop(name) {
  const path = join(dir, `${name}.db`);
  const store = await serverNode.sqliteStore(path);
  const sent = { sms: [], email: [] };
  const counting = (channel) => ({ name: `count-${channel}`, send: async (action) => (sent[channel].push(action.to), { ok: true, providerId: String(sent[channel].length) }) });
  const clock = { now: Date.parse('2026-11-27T08:00:00Z') }; // 03:00 in Kentucky, the sample's address
  const handler = server.createHandler({
    store,
    secrets: SECRETS,
    transports: { sms: counting('sms'), email: counting('email') },
    now: () => clock.now,
    sleep: async () => {},
    publicUrl: 'http://rekindle.test',
    beacon: { allowedOrigins: [SHOP], perIp: { limit: 1e9, windowMs: 60_000 }, perShopper: { limit: 1e9, windowMs: 60_000 }, total: { limit: 1e9, windowMs: 60_000 } },
  });
  const runtime = await handler.runtime();
  const call = (path, init) => handler(new Request(`http://rekindle.test${path}`, init));
  return {
    clock, store, sent, runtime, path,
    beacon: (anonymousId, events) => call('/beacon', { method: 'POST', headers: { origin: SHOP }, body: JSON.stringify({ v: 1, anonymousId, events }) }),
    shopify: (topic, body) => call('/webhooks/shopify', {
      method: 'POST',
      headers: { 'x-shopify-topic': topic, 'x-shopify-webhook-id': `wh-${Math.random()}`, 'x-shopify-hmac-sha256': createHmac('sha256', SECRETS.shopify).update(body).digest('base64') },
      body,
    }),
  };
}

const iso = (ms) => new Date(ms).toISOString();
const cart = (token) => ({ token, stage: 'checkout', currency: 'USD', recoveryUrl: `${SHOP}/c/${token}`, items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }] });

// ---------- 1. SMS pumping through consent toggles ----------
{
  const s = await shop('pumping');
  const numbers = ['+15025550101', '+15025550102', '+15025550103', '+15025550104', '+15025550105'];
  const tokens = [];
  for (let i = 0; i < 10; i += 1) {
    const token = `pump-${i}`;
    tokens.push(token);
    const phone = numbers[i % numbers.length];
    const body = sample
      .replaceAll('"2021-12-31T19:00:00-05:00"', JSON.stringify(iso(s.clock.now)))
      .replace('"token": "123123123"', `"token": "${token}"`)
      .replace('"cart_token": "eeafa272cebfd4b22385bc4b645e762c"', `"cart_token": "cart-${token}"`)
      .replaceAll('603851970716743426', `70000000000000000${i}`)
      .replace('"email": "example@email.com"', `"email": "pump-${i}@example.com"`)
      .replace('"phone": null', `"phone": "${phone}"`); // the checkout's number; the SMS box stays unticked
    const response = await s.shopify('checkouts/create', body);
    if (response.status !== 200) throw new Error(`checkout: ${response.status} ${await response.text()}`);
  }
  const started = performance.now();
  for (let i = 0; i < 1000; i += 1) {
    s.clock.now += 1000;
    const token = tokens[i % tokens.length];
    const status = Math.floor(i / tokens.length) % 2 === 0 ? 'granted' : 'revoked';
    await s.beacon(`pumper-${i % 3}`, [
      { id: `a${i}`, at: iso(s.clock.now), type: 'abandoned', origin: 'storefront', cart: cart(token) },
      { id: `c${i}`, at: iso(s.clock.now), type: 'consentChanged', channel: 'sms', status, source: 'storefront' },
    ]);
    await s.runtime.tick();
  }
  // Then a day of ticks: whatever quiet hours deferred goes out now, if it still may.
  for (let h = 0; h < 48; h += 1) {
    s.clock.now += 3_600_000;
    await s.runtime.tick();
  }
  const confirmations = s.sent.sms.length; // the carts' own reminder SMS need ticked consent: none here
  const perNumber = numbers.map((n) => s.sent.sms.filter((to) => to === n).length);
  console.log(`texts caused by 1,000 hostile beacons (10 carts, ${numbers.length} numbers, from 03:00 local): ${confirmations} in total, per number ${perNumber.join('/')} (max ${Math.max(...perNumber)}; target ≤ 1) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await s.store.close();
}

// ---------- 2. State left by junk beacons ----------
{
  const s = await shop('junk');
  const started = performance.now();
  for (let i = 0; i < junkBeacons; i += 1) {
    if (i % 1000 === 0) s.clock.now += 1000;
    const events = [
      { id: `j${i}`, at: iso(s.clock.now), type: 'abandoned', origin: 'storefront', cart: cart(`junk-${i}`) },
      { id: `k${i}`, at: iso(s.clock.now), type: 'abandoned', origin: 'storefront', cart: cart(`junk-b-${i}`) },
    ];
    const response = await s.beacon(`junk-${i}`, events);
    if (response.status !== 202) throw new Error(`beacon ${i}: ${response.status} ${await response.text()}`);
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const before = await s.store.size();
  const rows = (size) => Object.values(size).reduce((a, b) => a + b, 0);
  const bytesBefore = statSync(s.path).size + (statSync(`${s.path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  s.clock.now += 7 * 3_600_000;
  const expiry = performance.now();
  for (;;) {
    const { due } = await s.runtime.tick();
    if (due === 0) break;
  }
  const after = await s.store.size();
  console.log(`junk beacons: ${junkBeacons} (2 carts each) in ${ingestSeconds.toFixed(1)} s (${Math.round(junkBeacons / ingestSeconds)}/s); ` +
    `held ${rows(before)} rows (${JSON.stringify(before)}), ${(bytesBefore / 1048576).toFixed(1)} MiB; ` +
    `after expiry (${((performance.now() - expiry) / 1000).toFixed(1)} s of ticks): ${rows(after)} rows (target 0); messages sent: ${s.sent.sms.length + s.sent.email.length}`);
  await s.store.close();
}

rmSync(dir, { recursive: true, force: true });
