// Beacons/s and webhooks/s through the Node handler on one core, with SQLite and with Redis:
// autocannon drives a server process pinned to CPU 0 (taskset) while it runs elsewhere.
// Every request is distinct (a new shopper, a new checkout), so nothing is a cheap duplicate.
//
//   node benches/server.mjs [seconds]
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startRedis } from '../tests/server/redis-server.mjs';

const seconds = Number(process.argv[2] ?? 10);
const checkout = readFileSync(new URL('../tests/fixtures/vectors/shopify/checkouts_create.json', import.meta.url), 'utf8')
  .replaceAll('"2021-12-31T19:00:00-05:00"', JSON.stringify(new Date().toISOString()));
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function target(kind, redisUrl) {
  const argv = [new URL('server-target.mjs', import.meta.url).pathname, kind, ...(redisUrl ? [redisUrl] : [])];
  const child = hasTaskset ? spawn('taskset', ['-c', '0', process.execPath, ...argv]) : spawn(process.execPath, argv);
  child.stderr.pipe(process.stderr);
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /READY (\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  return { url, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

let n = 0;
const beacon = () => {
  n += 1;
  return JSON.stringify({ v: 1, anonymousId: `anon-${n}`, events: [{ id: `e-${n}`, at: new Date().toISOString(), type: 'abandoned', origin: 'storefront', cart: { token: `cart-${n}`, stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
};
const webhook = () => {
  n += 1;
  return checkout.replace('"token": "123123123"', `"token": "bench-${n}"`).replace('"cart_token": "eeafa272cebfd4b22385bc4b645e762c"', `"cart_token": "cart-${n}"`).replaceAll('603851970716743426', String(700000000000000000n + BigInt(n))).replace('"email": "example@email.com"', `"email": "shopper-${n}@example.com"`);
};

function run(url, path, setupRequest) {
  return new Promise((resolve, reject) => {
    autocannon({ url: url + path, method: 'POST', connections: 8, duration: seconds, requests: [{ setupRequest }] }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const rows = [];
const redis = await startRedis();
for (const kind of ['sqlite', 'redis']) {
  const t = await target(kind, redis.url);
  const beaconResult = await run(t.url, '/beacon', (req) => ({ ...req, headers: { origin: 'https://shop.example', 'content-type': 'text/plain' }, body: beacon() }));
  const webhookResult = await run(t.url, '/webhooks/shopify', (req) => {
    const body = webhook();
    return {
      ...req,
      headers: { 'content-type': 'application/json', 'x-shopify-topic': 'checkouts/update', 'x-shopify-webhook-id': `wh-${n}`, 'x-shopify-hmac-sha256': createHmac('sha256', 'bench-shopify-secret').update(body).digest('base64') },
      body,
    };
  });
  for (const [route, r] of [['beacon', beaconResult], ['shopify checkouts/update', webhookResult]]) {
    rows.push({ store: kind, route, 'req/s': Math.round(r.requests.average), 'p50 ms': r.latency.p50, 'p99 ms': r.latency.p99, non2xx: r.non2xx, errors: r.errors });
  }
  await t.stop();
}
await redis.stop();
console.log(`\nNode handler on ${hasTaskset ? 'one core (taskset -c 0)' : 'an unpinned process'}, 8 connections, ${seconds} s per row`);
console.table(rows);
