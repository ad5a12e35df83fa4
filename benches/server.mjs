// Beacons/s and webhooks/s through the Node handler on one core, with SQLite and with Redis,
// against the floor measured in the same run (server-target.mjs `floor`: a bare node:http
// server that parses the same body and commits a 2 KB row and a due row in one SQLite
// transaction). autocannon drives a server process pinned to CPU 0 (taskset) while it runs
// elsewhere. Every request is distinct (a new shopper, a new checkout), so nothing is a cheap
// duplicate. Prints a table, the ratios to the floor, and one BENCH-SERVER JSON line.
//
//   node benches/server.mjs [seconds] [--stores sqlite,redis] [--cpu-prof <dir>]
//
// --cpu-prof runs each target under `node --cpu-prof`, its profile written to <dir> on exit.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startRedis } from '../tests/server/redis-server.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(args[0] && !args[0].startsWith('--') ? args[0] : 10);
const stores = option('--stores', 'sqlite,redis').split(',');
const profileDir = option('--cpu-prof', null);

const checkout = readFileSync(new URL('../tests/fixtures/vectors/shopify/checkouts_create.json', import.meta.url), 'utf8')
  .replaceAll('"2021-12-31T19:00:00-05:00"', JSON.stringify(new Date().toISOString()));
export const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A server-target.mjs process, pinned to CPU 0 where taskset exists. */
export async function target(kind, { redisUrl, profile = null } = {}) {
  const node = [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile, '--cpu-prof-name', `${kind}-${Date.now()}.cpuprofile`] : []),
    new URL('server-target.mjs', import.meta.url).pathname, kind, ...(redisUrl ? [redisUrl] : [])];
  const child = hasTaskset ? spawn('taskset', ['-c', '0', process.execPath, ...node]) : spawn(process.execPath, node);
  child.stderr.pipe(process.stderr);
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /READY (\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  return { url, pid: child.pid, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

let n = 0;
export const beacon = () => {
  n += 1;
  return JSON.stringify({ v: 1, anonymousId: `anon-${process.pid}-${n}`, events: [{ id: `e-${n}`, at: new Date().toISOString(), type: 'abandoned', origin: 'storefront', cart: { token: `cart-${n}`, stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
};
export const webhook = () => {
  n += 1;
  return checkout.replace('"token": "123123123"', `"token": "bench-${process.pid}-${n}"`).replace('"cart_token": "eeafa272cebfd4b22385bc4b645e762c"', `"cart_token": "cart-${n}"`).replaceAll('603851970716743426', String(700000000000000000n + BigInt(n))).replace('"email": "example@email.com"', `"email": "shopper-${n}@example.com"`);
};
export const beaconRequest = (req) => ({ ...req, headers: { origin: 'https://shop.example', 'content-type': 'text/plain' }, body: beacon() });
export const webhookRequest = (req) => {
  const body = webhook();
  return {
    ...req,
    headers: { 'content-type': 'application/json', 'x-shopify-topic': 'checkouts/update', 'x-shopify-webhook-id': `wh-${process.pid}-${n}`, 'x-shopify-hmac-sha256': createHmac('sha256', 'bench-shopify-secret').update(body).digest('base64') },
    body,
  };
};

function run(url, path, setupRequest) {
  return new Promise((resolve, reject) => {
    autocannon({ url: url + path, method: 'POST', connections: 8, duration: seconds, requests: [{ setupRequest }] }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function measure(kind, redisUrl) {
  const t = await target(kind, { redisUrl, profile: profileDir });
  const out = {};
  out.beacon = await run(t.url, '/beacon', beaconRequest);
  out.webhook = await run(t.url, '/webhooks/shopify', webhookRequest);
  await t.stop();
  return out;
}

const isMain = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const results = {};
  const redis = stores.includes('redis') ? await startRedis() : null;
  for (const kind of ['floor', ...stores]) results[kind] = await measure(kind, redis?.url);
  await redis?.stop();
  const rows = [];
  const summary = {};
  for (const [kind, r] of Object.entries(results)) {
    for (const [route, name] of [['beacon', 'beacon'], ['webhook', 'shopify checkouts/update']]) {
      const x = r[route];
      const f = results.floor[route];
      const ratio = x.requests.average / f.requests.average;
      const p99Ratio = x.latency.p99 / f.latency.p99;
      rows.push({ server: kind === 'floor' ? 'floor (node:http + SQLite)' : `handler, ${kind}`, route: name, 'req/s': Math.round(x.requests.average), 'p50 ms': x.latency.p50, 'p99 ms': x.latency.p99,
        'vs floor req/s': kind === 'floor' ? '' : ratio.toFixed(2), 'vs floor p99': kind === 'floor' ? '' : p99Ratio.toFixed(2), non2xx: x.non2xx, errors: x.errors });
      summary[`${kind}.${route}`] = { reqPerSec: x.requests.average, p99Ms: x.latency.p99, ratio, p99Ratio, non2xx: x.non2xx, errors: x.errors };
    }
  }
  console.log(`\nNode on ${hasTaskset ? 'one core (taskset -c 0)' : 'an unpinned process'}, 8 connections, ${seconds} s per row; the floor in the same run`);
  console.table(rows);
  console.log(`BENCH-SERVER ${JSON.stringify(summary)}`);
}
